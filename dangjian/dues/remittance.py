"""Remittance (上缴, 第十五、十六条): what each organization of a subtree should pass to the committee
above for a year, what it has passed, and the recording of a remittance. A branch passes on all it
collects unless a share is set (``RemittanceShare``); each committee its share of what reached it.
Voluntary extras of 1,000 yuan or more go to the Centre whole (第十一条), apart from the shares."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.core.history import service
from dangjian.orgs.models import Organization

from . import rules
from .models import DuesPayment, PaymentKind, Remittance, RemittanceShare


@dataclass(frozen=True)
class Standing:
    """One organization's year: collected from its own members, what it should pass up, what it
    passed."""

    organization: Organization
    collected: int  # fen: its own members' dues received in the year (reversals deducted)
    due: int  # fen: to pass to the committee above
    remitted: int  # fen: recorded as passed
    share: Decimal

    @property
    def balance(self) -> int:
        return self.due - self.remitted


def standing(root: Organization, year: int) -> list[Standing]:
    """Every live organization under ``root`` (itself included), in path order."""
    organizations = list(
        Organization.objects.filter(path__startswith=root.path, deleted_at__isnull=True).order_by("path")
    )
    by_path = {organization.path: organization for organization in organizations}
    parent_of = [
        (organization.pk, by_path[organization.path[: -organization.steplen]].pk)
        if organization.path[: -organization.steplen] in by_path
        else (organization.pk, None)
        for organization in organizations
    ]
    received = (
        DuesPayment.objects.filter(org_path__startswith=root.path, paid_on__year=year)
        .filter(Q(kind=PaymentKind.DUES) | Q(kind=PaymentKind.REVERSAL, reverses__kind=PaymentKind.DUES))
        .values("org_path")
        .annotate(total=Sum("entries__amount", filter=Q(entries__month__isnull=False)))
    )
    collected: dict[int, int] = {}
    for row in received:
        organization = by_path.get(row["org_path"])
        if organization is not None:
            collected[organization.pk] = collected.get(organization.pk, 0) + (row["total"] or 0)
    year_end = dt.date(year, 12, 31)
    share: dict[int, Decimal] = {}
    for organization_id, value in (
        RemittanceShare.objects.filter(organization__in=organizations, valid_from__lte=year_end)
        .order_by("organization_id", "valid_from")
        .values_list("organization_id", "share")
    ):
        share[organization_id] = value  # the latest in force by the year's end
    due = rules.passed_up(parent_of, collected, share)
    remitted = dict(
        Remittance.objects.filter(org_path__startswith=root.path, year=year)
        .values("organization")
        .annotate(total=Sum("amount"))
        .values_list("organization", "total")
    )
    return [
        Standing(
            organization=organization,
            collected=collected.get(organization.pk, 0),
            due=due[organization.pk],
            remitted=remitted.get(organization.pk, 0),
            share=share.get(organization.pk, Decimal(1)),
        )
        for organization in organizations
    ]


def to_the_centre(root: Organization, year: int) -> int:
    """Voluntary extras of 1,000 yuan or more received under ``root`` in the year (fen), which
    go to the Centre whole (第十一条)."""
    found = DuesPayment.objects.filter(
        org_path__startswith=root.path, paid_on__year=year, remit_to_centre=True
    ).aggregate(total=Sum("entries__amount", filter=Q(entries__month__isnull=True)))
    return found["total"] or 0


@service
def record_remittance(
    *,
    actor: Any,
    organization: Organization,
    year: int,
    amount: Any,
    remitted_on: dt.date,
    voucher: str = "",
    note: str = "",
    to_name: str = "",
) -> Remittance:
    """Dues passed by ``organization`` to the committee above it (or, for the top of the tree, to
    ``to_name``, outside dangjian). A negative amount puts a wrong one right and needs a note."""
    scope.require_role(actor, lambda role: role.writes_members, "登记党费上缴")
    scope.require_in_scope(actor, organization, to_write=True)
    errors = DomainError.collect()
    parent = Organization.objects.get_parent(organization)
    today = timezone.localdate()
    try:
        value = Decimal(str(amount))
        if not value.is_finite() or abs(value) >= Decimal("1e9") or value != value.quantize(rules.FEN):
            raise ValueError
    except (ArithmeticError, ValueError):
        errors.add("amount", "金额应为精确到分的数字")
        value = Decimal(0)
    if value == 0 and "amount" not in errors.errors:
        errors.add("amount", "金额不能为0")
    if value < 0 and not note.strip():
        errors.add("note", "冲减以前的上缴记录，请说明原因")
    if remitted_on > today:
        errors.add("remitted_on", "上缴日期不能晚于今天")
    if not 2000 <= year <= remitted_on.year:
        errors.add("year", "所属年度应不晚于上缴日期所在年度")
    if parent is None and not to_name.strip():
        errors.add("to_name", "本组织的上级不在本系统中，请填写接收单位")
    if len(voucher) > 64 or len(note) > 200 or len(to_name) > 100:
        errors.add(None, "凭证号不超过64个字符，说明不超过200个字，接收单位不超过100个字")
    errors.raise_if_any()
    return Remittance.objects.create(
        organization=organization,
        org_path=organization.path,
        to_organization=parent,
        to_name="" if parent is not None else to_name.strip(),
        year=year,
        amount=rules.fen(value),
        remitted_on=remitted_on,
        voucher=voucher.strip(),
        note=note.strip(),
        recorded_by=actor,
    )
