"""The one form rendering (core/_form_fields.html) and the classes ``style_widgets`` gives: a list
of checkboxes or radio buttons is a fieldset of boxes (Bootstrap's "form-control" drew each box as
an empty grey bar), help text and errors are tied to their control, hidden values have no label."""

import re

from django import forms
from django.template.loader import render_to_string

from dangjian.core.forms import StyledForm, style_widgets
from dangjian.orgs.widgets import OrganizationPicker

PLACES = [("a", "兴丰村"), ("b", "新街社区"), ("c", "古山镇")]


class Everything(StyledForm):
    name = forms.CharField(label="名称", help_text="全称")
    kind = forms.ChoiceField(label="类别", choices=PLACES)
    places = forms.MultipleChoiceField(label="涉及组织", choices=PLACES, widget=forms.CheckboxSelectMultiple)
    target = forms.ChoiceField(label="并入", choices=PLACES, widget=forms.RadioSelect, help_text="只选一个")
    agreed = forms.BooleanField(label="已核对", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    where = forms.CharField(label="上级组织", widget=OrganizationPicker(), required=False)


def classes(form, name):
    return form.fields[name].widget.attrs.get("class", "")


def test_every_kind_of_widget_gets_the_class_of_its_kind_once():
    form = Everything()
    assert classes(form, "name") == "form-control"
    assert classes(form, "kind") == "form-select"
    assert classes(form, "places") == "form-check-input"  # each box of the list takes it
    assert classes(form, "target") == "form-check-input"
    assert classes(form, "agreed") == "form-check-input"
    assert classes(form, "token") == "" and classes(form, "where") == ""  # hidden values: no look
    form.fields["later"] = forms.MultipleChoiceField(choices=PLACES, widget=forms.CheckboxSelectMultiple)
    style_widgets(form)  # again, for a field added after __init__
    assert classes(form, "later") == "form-check-input"
    assert classes(form, "name") == "form-control"  # not "form-control form-control"


def test_a_list_of_choices_is_a_fieldset_of_boxes_with_its_label_as_legend():
    html = render_to_string("core/_form_fields.html", {"form": Everything()})
    fieldsets = re.findall(r"<fieldset.*?</fieldset>", html, re.S)
    assert len(fieldsets) == 2
    places, target = fieldsets
    assert re.search(r"<legend[^>]*>涉及组织 <span[^>]*>\*</span>", places)
    assert places.count('type="checkbox"') == 3 and places.count('class="form-check-input"') == 3
    assert '<label class="form-check-label" for="id_places_1">新街社区</label>' in places
    assert target.count('type="radio"') == 3
    assert 'aria-describedby="id_target_helptext"' in target and 'id="id_target_helptext"' in target
    assert "form-control" not in places + target


def test_help_text_and_errors_are_tied_to_their_control_and_hidden_values_have_no_label():
    form = Everything(data={"name": "", "kind": "a", "places": ["a"], "target": "b", "token": "x"})
    assert not form.is_valid()
    html = render_to_string("core/_form_fields.html", {"form": form})
    (name,) = re.findall(r'<input[^>]*name="name"[^>]*>', html)
    assert 'aria-describedby="id_name_helptext id_name_error"' in name and 'aria-invalid="true"' in name
    assert 'id="id_name_error"' in html and 'data-field="name"' in html
    assert re.search(r'<div class="mb-3 form-field has-error" data-field-name="name">', html)
    assert 'for="id_token"' not in html and 'name="token"' in html
    assert '<label class="form-label" for="id_where">上级组织</label>' in html  # a picker keeps its label
    assert re.search(r'class="mb-3 form-check form-field" data-field-name="agreed">\s*<input', html)
