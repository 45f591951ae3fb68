"""The forms of the dues pages. They only parse what was typed: the amounts go to the services as
typed (``services._decimal`` names what is wrong with one), and the rules are the services'."""

import datetime as dt
import re
from typing import Any

from django import forms

from dangjian.core.dates import DateKind
from dangjian.core.forms import StyledForm, date_field
from dangjian.orgs.models import Organization

from . import rules
from .models import Method, Relief

MONTH = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?\s*$")
EARLIEST_MONTH = dt.date(2000, 1, 1)


def parse_month(raw: str | None) -> dt.date | None:
    """A month as typed or sent by ``<input type="month">`` (2026-01, 2026年1月), as its first day;
    None when it is not one."""
    found = MONTH.match(raw or "")
    if not found:
        return None
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12 or not 2000 <= year <= 2099:
        return None
    return dt.date(year, month, 1)


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def plain_yuan(amount: int) -> str:
    """Fen as typed into an amount box: 123456 → "1234.56" (no thousands separator)."""
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 100)
    return f"{sign}{whole}.{part:02d}"


def typed_amount(raw: str | None) -> str:
    """An amount as people type it (" 1,234.5元"): the spaces, commas and 元 dropped; the rest is
    the service's to judge."""
    text = (raw or "").strip().replace(",", "").replace("，", "").replace(" ", "")
    return text.removesuffix("元")


class MonthInput(forms.TextInput):
    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class MonthField(forms.Field):
    widget = MonthInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", "2026-01")

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return rules.first_of(value)
        if value in self.empty_values:
            return None
        month = parse_month(str(value))
        if month is None and MONTH.match(str(value)) and 1 <= int(MONTH.match(str(value))[2]) <= 12:  # type: ignore[index]
            raise forms.ValidationError(f"{self.label}应在2000年至2099年之间", code="invalid")
        if month is None:
            raise forms.ValidationError(f"{self.label}格式不正确，请按 2026-01 填写", code="invalid")
        return month


METHOD_CHOICES = Method.choices


class BulkEntryForm(StyledForm):
    """The fields the whole submission of a branch's month shares (each row has its own amount)."""

    paid_on = date_field("交纳日期", kind=DateKind.EVENT, required=True)
    method = forms.ChoiceField(label="交纳方式", choices=METHOD_CHOICES)


class PaymentForm(StyledForm):
    """One payment of one member, with what the month page does not offer: paying ahead, a
    voluntary extra, a payer, a reason for a late back-payment."""

    amount = forms.CharField(
        label="交纳金额（元）", max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    paid_on = date_field("交纳日期", kind=DateKind.EVENT, required=True)
    method = forms.ChoiceField(label="交纳方式", choices=METHOD_CHOICES)
    receipt = forms.CharField(
        label="收据或交易单号", max_length=64, required=False, help_text="选填；同一单号不能登记两次"
    )
    payer = forms.CharField(
        label="代交人", max_length=50, required=False, help_text="经支部同意由其他党员或亲属代交时填写"
    )
    ahead = forms.IntegerField(
        label="预交月数",
        min_value=0,
        max_value=12,
        initial=0,
        required=False,
        help_text="经党支部同意按季度或提前交纳以后月份党费的，填写预交几个月（第十二条）",
        error_messages={
            "invalid": "预交月数应为0至12的整数",
            "min_value": "预交月数应为0至12的整数",
            "max_value": "预交月数应为0至12的整数",
        },
    )
    extra = forms.BooleanField(
        label="自愿多交党费",
        required=False,
        help_text="超出应交的部分作为自愿多交的党费（第十一条；一次1000元以上的全部上缴中央）",
    )
    reason = forms.CharField(
        label="说明", max_length=200, required=False, help_text="补交6个月以前的党费时，须说明原因（第十二条）"
    )

    def clean_amount(self) -> str:
        return typed_amount(self.cleaned_data.get("amount"))


class BasisForm(StyledForm):
    """核定党费基数: the category, then only what it needs (static/js/dues.js hides the rest, and
    the view drops what the chosen category does not take)."""

    valid_from = MonthField(
        label="起始月份",
        error_messages={"required": "请填写起始月份"},
        help_text="新的基数从该月起计算（第十条：从增资的当月起）",
    )
    category = forms.ChoiceField(
        label="党费类别",
        choices=[("", "请选择"), *[(c.value, c.label) for c in rules.Category]],
        error_messages={"required": "请选择党费类别"},
    )
    base = forms.CharField(
        label="交纳基数（元/月）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="在职党员为每月工资收入扣除个人所得税和各项社会保险后的数额；离退休党员为实际领取的离退休费",
    )
    hardship = forms.BooleanField(label="困难减免（经上级党委批准少交或免交）", required=False)
    relief = forms.ChoiceField(
        label="减免方式",
        choices=[(Relief.REDUCED.value, Relief.REDUCED.label), (Relief.EXEMPT.value, Relief.EXEMPT.label)],
        widget=forms.RadioSelect,
        required=False,
    )
    relief_amount = forms.CharField(
        label="减免后每月交纳（元）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    relief_by = forms.ModelChoiceField(
        label="批准减免的党委", queryset=Organization.objects.none(), required=False, empty_label="请选择"
    )
    relief_on = date_field("批准日期", kind=DateKind.EVENT)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, committees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relief_by"].queryset = committees  # type: ignore[attr-defined]
        self.based = ",".join(sorted(category.value for category in rules.BASED))

    def clean_base(self) -> str:
        return typed_amount(self.cleaned_data.get("base"))

    def clean_relief_amount(self) -> str:
        return typed_amount(self.cleaned_data.get("relief_amount"))

    def service_fields(self) -> dict[str, Any]:
        """What ``services.set_basis`` takes: only the fields the chosen category and relief use."""
        data = self.cleaned_data
        category = data["category"]
        based = category in {c.value for c in rules.BASED}
        relief = (data.get("relief") or "") if data.get("hardship") else ""
        return {
            "valid_from": data["valid_from"],
            "category": category,
            "base": (data.get("base") or None) if based else None,
            "relief": relief,
            "relief_amount": (data.get("relief_amount") or None) if relief == Relief.REDUCED else None,
            "relief_by": data.get("relief_by") if relief else None,
            "relief_on": data.get("relief_on") if relief else None,
            "note": data.get("note", ""),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hardship") and not data.get("relief"):
            self.add_error("relief", "请选择少交或免交")
        return data


class ReversalForm(StyledForm):
    reason = forms.CharField(
        label="冲正原因",
        max_length=200,
        error_messages={"required": "请说明冲正的原因"},
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如“金额录入错误，应为25.00元”“重复登记”；冲正后请重新登记正确的交纳记录",
    )


class ReasonForm(StyledForm):
    """A valid reason for months not paid (第十三条: 无正当理由 … counts; with one it does not)."""

    from_month = MonthField(label="起始月份", error_messages={"required": "请填写起始月份"})
    to_month = MonthField(label="截止月份", error_messages={"required": "请填写截止月份"})
    reason = forms.CharField(
        label="正当理由",
        max_length=200,
        error_messages={"required": "请填写正当理由"},
        help_text="如“因病住院，无法交纳”“外出务工失去联系，非本人原因”",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from_month"), data.get("to_month")
        if first and last and last < first:
            self.add_error("to_month", "截止月份不能早于起始月份")
        return data
