"""党费上缴 of a committee's year: for each organization of its subtree, what reached it from its own
members, what it should pass to the committee above, what it passed, and the form to record a
remittance (上缴记录)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.dates import DateKind
from dangjian.core.errors import DomainError
from dangjian.core.forms import StyledForm, date_field
from dangjian.orgs import tree
from dangjian.orgs.models import Organization

from . import remittance, rules
from .views import reader, writes


class OrganizationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class RemittanceForm(StyledForm):
    organization = OrganizationChoice(label="上缴组织", queryset=Organization.objects.none())
    amount = forms.DecimalField(label="金额（元）", max_digits=12, decimal_places=2)
    remitted_on = date_field("上缴日期", kind=DateKind.EVENT, required=True)
    voucher = forms.CharField(label="凭证号", max_length=64, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="冲减以前的记录（负数金额）时必填")
    to_name = forms.CharField(
        label="接收单位", max_length=100, required=False, help_text="上级不在本系统时填写，如市委组织部"
    )

    def __init__(self, *args: Any, choices: Any, top: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chooser = self.fields["organization"]
        assert isinstance(chooser, forms.ModelChoiceField)
        chooser.queryset = choices
        if not top:
            del self.fields["to_name"]


def _year(request: HttpRequest, today: dt.date) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdecimal() and 2000 <= int(raw) <= today.year else today.year


@dataclass(frozen=True)
class Row:
    """The organization itself or one directly below it: what its whole subtree collected, and
    what it passes up, has passed and still owes."""

    standing: remittance.Standing
    collected: int  # fen, the subtree's own members' dues
    is_root: bool

    @property
    def organization(self) -> Organization:
        return self.standing.organization


def _by_child(root: Organization, every: list[remittance.Standing]) -> list[Row]:
    below = [row for row in every if row.organization.depth == root.depth + 1]
    subtree = {
        row.organization.pk: sum(
            other.collected for other in every if other.organization.path.startswith(row.organization.path)
        )
        for row in [*below, *(row for row in every if row.organization.pk == root.pk)]
    }
    found = [Row(row, subtree[row.organization.pk], True) for row in every if row.organization.pk == root.pk]
    return found + [Row(row, subtree[row.organization.pk], False) for row in below]


def page(request: HttpRequest) -> HttpResponse:
    """The acting organization's subtree (or one organization of it, ``?organization=``)."""
    acting = reader(request)
    today = timezone.localdate()
    year = _year(request, today)
    root = acting.organization
    if raw := request.GET.get("organization", ""):
        root = scope.get_scoped_or_404(
            request.user, Organization.objects.filter(deleted_at__isnull=True), pk=int(raw) if raw.isdecimal() else 0
        )
    every = remittance.standing(root, year)
    rows = _by_child(root, every)
    writable = scope.scoped(
        request.user, Organization.objects.filter(path__startswith=root.path, deleted_at__isnull=True), to_write=True
    ).order_by("path")
    top = root.depth == 1
    form = None
    if scope.role_allows(request.user, writes):
        form = RemittanceForm(
            request.POST if request.method == "POST" else None,
            choices=writable,
            top=top,
            initial={"remitted_on": today, "organization": root.pk},
        )
    if request.method == "POST":
        scope.require_role(request.user, writes, "登记党费上缴")
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = remittance.record_remittance(
                    actor=request.user,
                    organization=data["organization"],
                    year=year,
                    amount=data["amount"],
                    remitted_on=data["remitted_on"],
                    voucher=data["voucher"],
                    note=data["note"],
                    to_name=data.get("to_name", ""),
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(
                    request,
                    f"已登记{done.organization.display_name}上缴{year}年度党费{rules.yuan(done.amount)}元",
                )
                return redirect(request.get_full_path())
    return render(
        request,
        "dues/remittance.html",
        {
            "organization": root,
            "lineage": tree.lineage(request.user, root),
            "year": year,
            "years": range(today.year, max(today.year - 5, 1999), -1),
            "rows": rows,
            "to_the_centre": remittance.to_the_centre(root, year),
            "deadline": rules.province_deadline(year),
            "province_share": int(rules.PROVINCE_SHARE * 100),
            "form": form,
            "whole": Decimal(1),
        },
        status=400 if form is not None and form.errors else 200,
    )
