"""The dues of a subtree: who is behind (欠缴党费), with the valid reasons the branch records, and
the year's collection by organization and month (党费收缴情况)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.core.forms import posted_id
from dangjian.members.models import Member
from dangjian.orgs import tree
from dangjian.orgs.models import Organization

from . import ledger, rules, services
from .forms import ReasonForm, month_label
from .models import ArrearsReason, DuesMonth
from .views import months_text, reader, writes

PER_PAGE = 50


def _within(request: HttpRequest) -> tuple[Organization, bool]:
    """The organization asked for (``?organization=``) if in scope, else the acting one; and
    whether one was asked for. An id outside the scope is a 404, as one that does not exist."""
    acting = reader(request)
    raw = request.GET.get("organization", "")
    if not raw:
        return acting.organization, False
    return (
        scope.get_scoped_or_404(
            request.user, Organization.objects.filter(deleted_at__isnull=True), pk=posted_id(raw) or 0
        ),
        True,
    )


def _months(request: HttpRequest, organization: Organization) -> QuerySet[DuesMonth]:
    return scope.scoped(request.user, DuesMonth.objects.filter(org_path__startswith=organization.path))


@dataclass
class Line:
    """A member behind, with the reason form's values and errors when one was posted."""

    behind: ledger.Behind
    months: str
    reasons: list[ArrearsReason]
    form: ReasonForm | None = None

    @property
    def since(self) -> dt.date:
        return rules.add_months(rules.first_of(timezone.localdate()), -self.behind.silent_months)


def arrears(request: HttpRequest) -> HttpResponse:
    """欠缴党费 of the user's subtree (or of one organization in it): each member behind, the months
    and the amount, those who have paid nothing for six months (第十三条) first; a form per member
    records a valid reason for months not paid."""
    organization, narrowed = _within(request)
    today = timezone.localdate()
    posted: tuple[Member, ReasonForm] | None = None
    if request.method == "POST":
        scope.require_role(request.user, writes, "登记未交党费的正当理由")
        member = scope.get_scoped_or_404(
            request.user, Member.objects.all(), to_write=True, pk=posted_id(request.POST.get("member")) or 0
        )
        form = ReasonForm(request.POST, prefix=f"m{member.pk}")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_reason(
                    actor=request.user,
                    member=member,
                    from_month=data["from_month"],
                    to_month=data["to_month"],
                    reason=data["reason"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                span = months_text(rules.months_between(data["from_month"], data["to_month"]))
                messages.success(request, f"已登记{member.name}{span}未交党费的正当理由，这些月份不计入连续未交的月数")
                return redirect(request.get_full_path())
        posted = (member, form)
    behind = ledger.arrears(_months(request, organization), today)
    page = Paginator(behind, PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    reasons: dict[int, list[ArrearsReason]] = {}
    for reason in scope.scoped(
        request.user, ArrearsReason.objects.filter(member_id__in=[row.member_id for row in shown])
    ).order_by("-from_month"):
        reasons.setdefault(reason.member_id, []).append(reason)
    lines = []
    for row in shown:
        line = Line(behind=row, months=months_text(row.months, count=True), reasons=reasons.get(row.member_id, []))
        if posted is not None and posted[0].pk == row.member_id:
            line.form = posted[1]
        lines.append(line)
    unplaced = None  # a refused reason of a member not on this page: said above the list
    if posted is not None and not any(line.form for line in lines):
        texts = [str(text) for errors in posted[1].errors.values() for text in errors]
        unplaced = f"未能登记{posted[0].name}的正当理由：{'；'.join(texts)}"
    return render(
        request,
        "dues/arrears.html",
        {
            "organization": organization,
            "narrowed": narrowed,
            "lineage": tree.lineage(request.user, organization),
            "page": page,
            "lines": lines,
            "members": len(behind),
            "amount": sum(row.amount for row in behind),
            "flagged": sum(1 for row in behind if row.flagged),
            "writes": scope.role_allows(request.user, writes),
            "query": request.GET.urlencode(),
            "today": today,
            "this_month": month_label(rules.first_of(today)),
            "regulation": rules.REGULATION,
            "unplaced": unplaced,
        },
        status=400 if posted is not None else 200,
    )


@dataclass(frozen=True)
class Collected:
    """One organization's (or the organization's own members') year."""

    organization: Organization | None  # None: the members the organization holds directly
    members: int
    owed: int
    paid: int
    behind: int  # members with something outstanding

    @property
    def outstanding(self) -> int:
        return self.owed - self.paid

    @property
    def rate(self) -> float | None:
        return self.paid / self.owed * 100 if self.owed else None


def _year(request: HttpRequest, today: dt.date) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdecimal() and 2000 <= int(raw) <= today.year else today.year


def collection(request: HttpRequest) -> HttpResponse:
    """党费收缴情况 of a committee's year: by organization directly below it (each with its whole
    subtree), owed, paid, outstanding and the rate, and the months in a chart. Months after this
    one (paid ahead) are not counted: the rate is of what was due so far."""
    organization, narrowed = _within(request)
    today = timezone.localdate()
    year = _year(request, today)
    months = _months(request, organization).filter(month__year=year, month__lte=rules.first_of(today))
    rows = _by_child(request.user, organization, months)
    by_month = ledger.totals(months, year)
    total = Collected(
        organization=organization,
        members=months.values("member_id").distinct().count(),
        owed=sum(row.owed for row in by_month),
        paid=sum(row.paid for row in by_month),
        behind=months.filter(paid__lt=F("owed")).values("member_id").distinct().count(),
    )
    shown = [m for m in by_month if m.month <= rules.first_of(today)]
    chart = {
        "months": [f"{m.month.month}月" for m in shown],
        "owed": [m.owed / 100 for m in shown],
        "paid": [m.paid / 100 for m in shown],
        "rate": [round(m.paid / m.owed * 100, 1) if m.owed else None for m in shown],
    }
    return render(
        request,
        "dues/collection.html",
        {
            "organization": organization,
            "narrowed": narrowed,
            "lineage": tree.lineage(request.user, organization),
            "year": year,
            "years": range(today.year, max(today.year - 5, 1999), -1),
            "rows": rows,
            "total": total,
            "by_month": shown,
            "chart": chart,
            "as_of": today if year == today.year else None,
        },
    )


def _by_child(user: Any, organization: Organization, months: QuerySet[DuesMonth]) -> list[Collected]:
    """The year's sums for each organization directly below, in one query: the months grouped by
    the first step of their path below the organization's."""
    length = len(organization.path) + Organization.steplen
    sums = {
        row["prefix"]: row
        for row in months.annotate(prefix=Substr("org_path", 1, length))
        .values("prefix")
        .annotate(
            # Not named owed and paid: F("owed") in the filter would then read the sum.
            behind=Count("member_id", distinct=True, filter=Q(paid__lt=F("owed"))),
            members=Count("member_id", distinct=True),
            owed_sum=Sum("owed"),
            paid_sum=Sum("paid"),
        )
    }
    children = scope.scoped(
        user,
        Organization.objects.filter(
            path__startswith=organization.path, depth=organization.depth + 1, deleted_at__isnull=True
        ),
    ).order_by("path")
    rows = []
    own = sums.get(organization.path)
    if own is not None:
        rows.append(_collected(None, own))
    for child in children:
        found = sums.get(child.path)
        if found is None and child.is_abolished:
            continue
        rows.append(_collected(child, found))
    return rows


def _collected(organization: Organization | None, found: dict[str, Any] | None) -> Collected:
    found = found or {}
    return Collected(
        organization=organization,
        members=found.get("members", 0),
        owed=found.get("owed_sum") or 0,
        paid=found.get("paid_sum") or 0,
        behind=found.get("behind", 0),
    )
