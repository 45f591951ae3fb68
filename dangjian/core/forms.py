"""Form helpers shared by the apps' pages."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from .dates import DateKind, date_problem
from .errors import DomainError
from .text import NAME_FIELDS, text_problem


def style_widgets(form: forms.BaseForm) -> None:
    """Give every widget of the form Bootstrap's class for its kind. A list of checkboxes or radio
    buttons passes its attributes to each box, so it takes the box's class: "form-control" on a box
    draws it as an empty grey bar. Hidden inputs (and the pickers built on them, whose templates
    style their own text box) take none. Calling it again, for fields a subclass added after
    ``__init__``, adds nothing twice."""
    for field in form.fields.values():
        widget = field.widget
        if widget.is_hidden:
            continue
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):  # CheckboxSelectMultiple too
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])


class StyledForm(forms.Form):
    """A plain form whose widgets carry Bootstrap's classes. Forms only parse input: the rules are
    checked by the service the view calls, and its DomainError lands on the matching field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def __getitem__(self, name: str) -> Any:
        # Fields a subclass adds after __init__ (a queryset of the request's scope) are styled too.
        style_widgets(self)
        return super().__getitem__(name)

    def full_clean(self) -> None:
        """Every text typed into any field is refused if it holds control characters (names also
        invisible or direction-changing ones): the field says which, nothing is kept."""
        super().full_clean()
        if not self.is_bound:
            return
        for field, value in list(self.cleaned_data.items()):
            if isinstance(self.fields[field].widget, forms.PasswordInput):
                continue
            for text in value if isinstance(value, list | tuple) else [value]:
                if isinstance(text, str) and (problem := text_problem(text, name=field in NAME_FIELDS)):
                    self.add_error(field, f"{self.fields[field].label or field}{problem}")
                    break

    def add_domain_error(self, error: DomainError) -> None:
        for field, messages in error.errors.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PlausibleDateField(forms.DateField):
    """A date of the range its kind allows (``core.dates.DateKind``), checked as the form is."""

    def __init__(self, *args: Any, kind: DateKind, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if problem := date_problem(value, self.kind, timezone.localdate(), str(self.label or "日期")):
            raise forms.ValidationError(problem, code="implausible")


def date_field(label: str, *, kind: DateKind, required: bool = False, help_text: str = "") -> forms.DateField:
    return PlausibleDateField(
        label=label,
        kind=kind,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"],
        error_messages={"invalid": f"{label}格式不正确，请按 2005-08-01 填写"},
    )


def date_validator(kind: DateKind, label: str = "日期") -> Any:
    """A validator of plausible dates, for date fields made elsewhere (django-filter's)."""

    def validate(value: Any) -> None:
        if value is not None and (problem := date_problem(value, kind, timezone.localdate(), label)):
            raise forms.ValidationError(problem, code="implausible")

    return validate


def posted_date(raw: str | None, kind: DateKind, label: str) -> Any:
    """A date posted by a small form of buttons: today when none is given; DomainError when it is
    not a date or not a plausible one."""
    if not raw:
        return timezone.localdate()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"{label}格式不正确，请按 2005-08-01 填写") from None
    if problem := date_problem(day, kind, timezone.localdate(), label):
        raise DomainError(problem)
    return day


ID_RANGE = range(1, 2**63)  # what an id column holds (SQLite refuses to compare with more, PostgreSQL's bigint too)


def posted_id(raw: Any) -> int | None:
    """An id posted by a button (``<input name="organization" value="12">``), or None if it is not one."""
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdecimal() and int(text) in ID_RANGE else None


class IdsField(forms.ModelMultipleChoiceField):
    """A choice of several objects whose ids are checked to be ids before they are looked up:
    Django compares ``pk__in`` values as given, and SQLite cannot take an integer of 20 digits."""

    def clean(self, value: Any) -> Any:
        for pk in value or ():
            if isinstance(pk, str) and pk.strip().isdecimal() and int(pk) not in ID_RANGE:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk[:20]}
                )
        return super().clean(value)
