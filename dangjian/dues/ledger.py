"""Reading the ledger: who is behind under a path, the month dues are paid through, a branch's
month for the bulk entry page, and the totals by month. Callers pass querysets already scoped
(``core.scope``) or a path they checked."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules
from .models import ArrearsReason, DuesBasis, DuesEntry, DuesMonth, DuesPayment

ID_BATCH = 10_000  # ids per IN list


@dataclass(frozen=True)
class Behind:
    """A member with dues outstanding."""

    member_id: int
    name: str
    organization_id: int
    organization: str
    org_path: str
    months: list[dt.date]  # the months still owed, oldest first
    amount: int  # fen
    silent_months: int  # 第十三条: consecutive finished months owed, unpaid, without a valid reason

    @property
    def flagged(self) -> bool:
        return self.silent_months >= rules.SILENT_MONTHS


def arrears(months: QuerySet[DuesMonth], today: dt.date | None = None) -> list[Behind]:
    """The members behind among ``months`` (ledger rows, scoped by the caller), up to this month:
    what they owe and for how long they have paid nothing."""
    today = today or timezone.localdate()
    # The months owed alone first (the partial index dues_month_owing reads a few percent of a
    # town's rows), the names after, by id: joined in one query, PostgreSQL expects a third of
    # the rows to be owed and scans every member and organization to join them.
    owing = (
        months.filter(month__lte=rules.first_of(today), paid__lt=F("owed"))
        .order_by("member_id", "month")
        .values_list("member_id", "month", "owed", "paid", "organization_id", "org_path")
    )
    by_member: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    where: dict[int, tuple[int, str]] = {}
    for member_id, month, owed, paid, org_id, path in owing:
        by_member[member_id].append((month, owed - paid))
        where[member_id] = (org_id, path)  # the latest month's branch
    if not by_member:
        return []
    ids = list(by_member)
    names = dict(_by_ids(Member.objects.values_list("pk", "name"), ids))
    org_names = dict(_by_ids(Organization.objects.values_list("pk", "name"), list({org for org, _ in where.values()})))
    since = rules.add_months(rules.first_of(today), -rules.SILENT_MONTHS - 1)
    paid_days: dict[int, list[dt.date]] = defaultdict(list)
    for member_id, day in _by_ids(
        DuesPayment.objects.filter(paid_on__gte=since, amount__gt=0).values_list("member_id", "paid_on"),
        ids,
        "member_id",
    ):
        paid_days[member_id].append(day)
    excused: dict[int, list[dt.date]] = defaultdict(list)
    for member_id, first, last in _by_ids(
        ArrearsReason.objects.filter(to_month__gte=since).values_list("member_id", "from_month", "to_month"),
        ids,
        "member_id",
    ):
        excused[member_id] += rules.months_between(first, last)
    found = []
    for member_id, owed_months in by_member.items():
        org_id, path = where[member_id]
        found.append(
            Behind(
                member_id=member_id,
                name=names.get(member_id, ""),
                organization_id=org_id,
                organization=org_names.get(org_id, ""),
                org_path=path,
                months=[month for month, _ in owed_months],
                amount=sum(due for _, due in owed_months),
                silent_months=rules.months_without_paying(
                    [month for month, _ in owed_months], paid_days[member_id], excused[member_id], today
                ),
            )
        )
    return sorted(found, key=lambda row: (-row.silent_months, -len(row.months), row.name))


def _by_ids(rows: QuerySet[Any], ids: list[int], field: str = "pk") -> Iterator[Any]:
    """``rows`` for ``ids``, a batch of ids at a time (SQLite takes at most 32,766 parameters)."""
    for start in range(0, len(ids), ID_BATCH):
        yield from rows.filter(**{f"{field}__in": ids[start : start + ID_BATCH]})


def paid_through(member: Member) -> dt.date | None:
    """The month the member's dues are paid through (党费交至), from the ledger; None when the
    member has no ledger (dues kept outside dangjian)."""
    months = DuesMonth.objects.filter(member=member).values_list("month", "owed", "paid")
    return rules.paid_through([(month, max(owed - paid, 0)) for month, owed, paid in months])


@dataclass(frozen=True)
class SheetRow:
    """One member on a branch's month: what the month owes, what is outstanding up to it."""

    member: Member
    month: DuesMonth | None  # None: the member has no basis yet
    outstanding: int  # fen, this month and every earlier one
    earlier: int  # of which before this month

    @property
    def settled(self) -> bool:
        return self.month is not None and self.outstanding == 0


def sheet(members: QuerySet[Member], month: dt.date) -> list[SheetRow]:
    """The members of a branch on ``month`` (the bulk entry page): the month's row and what is
    owed up to it."""
    month = rules.first_of(month)
    rows = {row.member_id: row for row in DuesMonth.objects.filter(member__in=members, month=month)}
    behind = dict(
        DuesMonth.objects.filter(member__in=members, month__lte=month, paid__lt=F("owed"))
        .values("member_id")
        .annotate(total=Sum(F("owed") - F("paid")))
        .values_list("member_id", "total")
    )
    earlier = dict(
        DuesMonth.objects.filter(member__in=members, month__lt=month, paid__lt=F("owed"))
        .values("member_id")
        .annotate(total=Sum(F("owed") - F("paid")))
        .values_list("member_id", "total")
    )
    return [
        SheetRow(
            member=member,
            month=rows.get(member.pk),
            outstanding=behind.get(member.pk, 0),
            earlier=earlier.get(member.pk, 0),
        )
        for member in members
    ]


@dataclass(frozen=True)
class MonthTotal:
    month: dt.date
    members: int
    owed: int
    paid: int

    @property
    def outstanding(self) -> int:
        return self.owed - self.paid


def totals(months: QuerySet[DuesMonth], year: int) -> list[MonthTotal]:
    """Owed, paid and outstanding by month of ``year`` among ``months`` (scoped ledger rows)."""
    found = {
        row["month"]: MonthTotal(row["month"], row["members"], row["owed"] or 0, row["paid"] or 0)
        for row in months.filter(month__year=year)
        .values("month")
        .annotate(members=Count("id"), owed=Sum("owed"), paid=Sum("paid"))
    }
    return [
        found.get(month, MonthTotal(month, 0, 0, 0))
        for month in rules.months_between(dt.date(year, 1, 1), dt.date(year, 12, 1))
    ]


def extras(payments: QuerySet[DuesPayment]) -> int:
    """Voluntary extra payments among ``payments`` (fen), less their reversals."""
    found = DuesEntry.objects.filter(payment__in=payments, month__isnull=True).aggregate(total=Sum("amount"))
    return found["total"] or 0


def current_basis(member: Member) -> DuesBasis | None:
    return DuesBasis.objects.filter(member=member, valid_to__isnull=True).select_related("standard").first()
