"""The organization page's own sections and forms: covered units, co-management, restructurings;
and the organization's restructuring history."""

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
from dangjian.core.errors import DomainError
from dangjian.core.forms import StyledForm, date_field, posted_date

from . import services
from .filters import scoped_organizations
from .models import CoManagement, CoManagementKind, CoveredUnit, Organization, Restructuring, UnitCategory
from .panels import Panel, register_panel
from .widgets import OrganizationPicker


class CoveredUnitForm(StyledForm):
    name = forms.CharField(label="单位名称", max_length=100)
    unit_category = forms.ChoiceField(label="单位类别", choices=UnitCategory.choices)


class CoManagementForm(StyledForm):
    kind = forms.ChoiceField(label="共管方式", choices=CoManagementKind.choices)
    since = date_field("起始日期", kind=DateKind.EVENT, required=True)

    def __init__(self, *args: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "co_manager": forms.ModelChoiceField(
                label="共管组织",
                queryset=scoped_organizations(request),
                widget=OrganizationPicker(),
                error_messages={"invalid_choice": "所选组织不存在或不在您的管理范围内"},
            ),
            **self.fields,
        }


def _get(request: HttpRequest, pk: int) -> Organization:
    return scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=pk)


def _writes(request: HttpRequest, organization: Organization) -> bool:
    return scope.may_change(request.user, lambda role: role.writes_organizations, organization)


def profile_panel(request: HttpRequest, organization: Organization) -> Panel:
    links = CoManagement.objects.filter(until__isnull=True).select_related("organization", "co_manager")
    return Panel(
        "覆盖单位与共管关系",
        "orgs/_profile_panel.html",
        {
            "units": organization.covered_units.all(),
            "co_managers": links.filter(organization=organization),
            "co_managed": scope.scoped(
                request.user,
                Organization.objects.filter(pk__in=links.filter(co_manager=organization).values("organization_id")),
            ),
            "unit_form": CoveredUnitForm(),
            "link_form": CoManagementForm(request=request, initial={"since": timezone.localdate()}),
            "may_write": _writes(request, organization),
        },
        order=40,
    )


def restructuring_panel(request: HttpRequest, organization: Organization) -> Panel | None:
    records = Restructuring.objects.filter(subject=organization) | Restructuring.objects.filter(
        items__item_type="organization", items__item_id=organization.pk
    )
    records = records.distinct().select_related("actor").order_by("-effective_date", "-id")[:20]
    return Panel("组织调整记录", "orgs/_restructuring_panel.html", {"records": records}, order=60)


register_panel("profile", profile_panel)
register_panel("restructurings", restructuring_panel)


@require_POST
def covered_unit_add(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _get(request, pk)
    form = CoveredUnitForm(request.POST)
    if form.is_valid():
        try:
            services.add_covered_unit(actor=request.user, organization=organization, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("orgs:detail", pk=organization.pk)


@require_POST
def covered_unit_remove(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    organization = _get(request, pk)
    found = scope.get_scoped_or_404(request.user, CoveredUnit.objects.filter(organization=organization), pk=unit)
    services.remove_covered_unit(actor=request.user, unit=found)
    return redirect("orgs:detail", pk=organization.pk)


@require_POST
def co_management_add(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _get(request, pk)
    form = CoManagementForm(request.POST, request=request)
    if form.is_valid():
        try:
            services.add_co_management(actor=request.user, organization=organization, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "已设立共管关系")
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("orgs:detail", pk=organization.pk)


@require_POST
def co_management_end(request: HttpRequest, pk: int, link: int) -> HttpResponse:
    organization = _get(request, pk)
    found = scope.get_scoped_or_404(request.user, CoManagement.objects.filter(organization=organization), pk=link)
    try:
        services.end_co_management(actor=request.user, link=found, until=_date(request.POST.get("until")))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("orgs:detail", pk=organization.pk)


def _date(raw: str | None) -> dt.date:
    return posted_date(raw, DateKind.EVENT, "日期")
