"""未建立党组织的单位: the register a committee keeps of the units in its area without a Party
organization (the 党组织覆盖情况 of the report counts them), shown and kept on the organization's
page (a panel: orgs shows it without importing stats)."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import scope
from dangjian.core.dates import DateKind
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.forms import StyledForm, date_field
from dangjian.core.history import service
from dangjian.orgs.models import Organization, UnitCategory
from dangjian.orgs.panels import Panel

from .models import UncoveredUnit, UnitClosing

# Units that have Party organizations of their own: a township or street is the committee itself.
LISTED_CATEGORIES = [c for c in UnitCategory if c not in (UnitCategory.TOWNSHIP, UnitCategory.SUBDISTRICT)]


def _writer(actor: Any, organization: Organization, action: str) -> Organization:
    scope.require_role(actor, lambda role: role.writes_organizations, action)
    return scope.get_scoped_or_404(
        actor,
        Organization.objects.select_for_update().filter(deleted_at__isnull=True),
        to_write=True,
        pk=organization.pk,
    )


@service
def list_unit(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    unit_category: str,
    listed_on: dt.date,
    employees: int | None = None,
    party_members: int = 0,
    note: str = "",
) -> UncoveredUnit:
    """登记 a unit without a Party organization in the committee's area."""
    organization = _writer(actor, organization, "登记未建立党组织的单位")
    errors = ErrorCollector()
    name = name.strip()
    if organization.kind_enum.is_branch_level:
        errors.add(None, "未建立党组织的单位由所在地的党委（党工委、党总支）登记")
    if not name:
        errors.add("name", "请填写单位名称")
    elif UncoveredUnit.objects.filter(organization=organization, name=name, closed_on__isnull=True).exists():
        errors.add("name", f"已登记“{name}”")
    if unit_category not in [c.value for c in LISTED_CATEGORIES]:
        errors.add("unit_category", "请选择单位类别")
    if listed_on > timezone.localdate():
        errors.add("listed_on", "登记日期不能晚于今天")
    if party_members < 0 or (employees is not None and employees < 0):
        errors.add("party_members", "人数不能为负数")
    errors.raise_if_any()
    return UncoveredUnit.objects.create(
        organization=organization,
        org_path=organization.path,
        name=name,
        unit_category=unit_category,
        listed_on=listed_on,
        employees=employees,
        party_members=party_members,
        note=note.strip()[:200],
    )


@service
def close_unit(*, actor: Any, unit: UncoveredUnit, closing: str, closed_on: dt.date) -> UncoveredUnit:
    """销号: an organization was set up for the unit, a joint branch took it in, or it is gone."""
    unit = scope.get_scoped_or_404(actor, UncoveredUnit.objects.select_for_update(), to_write=True, pk=unit.pk)
    _writer(actor, unit.organization, "销号未建立党组织的单位")
    if unit.closed_on is not None:
        raise DomainError(f"“{unit.name}”已于{unit.closed_on:%Y-%m-%d}销号")
    if closing not in UnitClosing.values:
        raise DomainError({"closing": "请选择销号原因"})
    if closed_on < unit.listed_on:
        raise DomainError({"closed_on": f"销号日期不能早于登记日期{unit.listed_on:%Y-%m-%d}"})
    if closed_on > timezone.localdate():
        raise DomainError({"closed_on": "销号日期不能晚于今天"})
    unit.closed_on, unit.closing = closed_on, closing
    unit.save(update_fields=["closed_on", "closing"])
    return unit


class UnitForm(StyledForm):
    name = forms.CharField(label="单位名称", max_length=100)
    unit_category = forms.ChoiceField(label="单位类别", choices=[(c.value, c.label) for c in LISTED_CATEGORIES])
    employees = forms.IntegerField(label="从业人员数", required=False, min_value=0)
    party_members = forms.IntegerField(label="党员人数", min_value=0, initial=0)
    listed_on = date_field("登记日期", kind=DateKind.EVENT, required=True)


class CloseForm(StyledForm):
    closing = forms.ChoiceField(label="销号原因", choices=UnitClosing.choices)
    closed_on = date_field("销号日期", kind=DateKind.EVENT, required=True)


def panel(request: HttpRequest, organization: Organization) -> Panel | None:
    if organization.kind_enum.is_branch_level:
        return None
    acting = scope.acting(request.user)
    if acting is None or not acting.allows(lambda role: role.reads_organizations):
        return None
    units = scope.scoped(request.user, UncoveredUnit.objects.filter(organization=organization, closed_on__isnull=True))
    today = timezone.localdate()
    return Panel(
        "未建立党组织的单位",
        "stats/_units_panel.html",
        {
            "units": units,
            "form": UnitForm(initial={"listed_on": today, "party_members": 0}),
            "closings": UnitClosing.choices,
            "today": today,
            "may_write": scope.may_change(request.user, lambda role: role.writes_organizations, organization),
        },
        order=45,
    )


def _problems(error: DomainError) -> str:
    return "；".join(m for texts in error.errors.values() for m in texts)


@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    organization = scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=pk)
    form = UnitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        data = form.cleaned_data
        try:
            list_unit(
                actor=request.user, organization=organization, **{**data, "party_members": data["party_members"] or 0}
            )
        except DomainError as error:
            messages.error(request, _problems(error))
        else:
            messages.success(request, f"已登记未建立党组织的单位“{data['name']}”")
    return redirect("orgs:detail", pk=organization.pk)


@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    unit = scope.get_scoped_or_404(request.user, UncoveredUnit.objects.all(), pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            close_unit(actor=request.user, unit=unit, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, _problems(error))
        else:
            messages.success(request, f"“{unit.name}”已销号")
    return redirect("orgs:detail", pk=unit.organization_id)
