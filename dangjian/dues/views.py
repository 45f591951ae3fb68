"""The dues pages (党费). Thin: parse a form, call a service, show the Chinese message beside the
field or the row it names. Here the entry and the branch's month; a member's ledger, payment,
reversal and basis in views_member.py; the reports of a subtree (arrears, collection) in
views_reports.py."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.core.text import text_problem
from dangjian.members.models import Member
from dangjian.members.services import members_on_roll
from dangjian.orgs import tree
from dangjian.orgs.models import Organization

from . import ledger, rules, services
from .forms import EARLIEST_MONTH, BulkEntryForm, month_label, parse_month, plain_yuan, typed_amount
from .models import DuesBasis, DuesMonth


def months_text(months: list[dt.date], *, count: bool = False) -> str:
    """Months as an official writes them: "2025年11月至2026年2月、2026年4月"; with ``count``,
    "…，共5个月"."""
    runs: list[list[dt.date]] = []
    for month in sorted(months):
        if runs and rules.add_months(runs[-1][-1], 1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    parts = []
    for run in runs:
        first, last = run[0], run[-1]
        if first == last:
            parts.append(month_label(first))
        elif first.year == last.year:
            parts.append(f"{month_label(first)}至{last.month}月")
        else:
            parts.append(f"{month_label(first)}至{month_label(last)}")
    text = "、".join(parts)
    return f"{text}，共{len(months)}个月" if count and months else text


LONGEST = 300  # characters kept of a row's text box


def reads(role: Any) -> bool:
    return role.reads_members


def writes(role: Any) -> bool:
    return role.writes_members


def reader(request: HttpRequest) -> scope.Acting:
    return scope.require_role(request.user, reads, "查看党费")


def organization_of(request: HttpRequest, pk: Any) -> Organization:
    reader(request)
    return scope.get_scoped_or_404(request.user, Organization.objects.filter(deleted_at__isnull=True), pk=pk)


def member_of(request: HttpRequest, pk: int) -> Member:
    """The member if in the user's scope (a 党员: only themselves), else 404."""
    return scope.get_scoped_or_404(request.user, Member.objects.select_related("organization"), pk=pk)


def overview(request: HttpRequest) -> HttpResponse:
    """党费: a branch's secretary goes to the branch's month, a committee to its collection, a 党员
    to their own ledger."""
    acting = scope.acting(request.user)
    if acting is not None and acting.allows(reads):
        organization = acting.organization
        if organization.holds_members and not organization.numchild:
            return redirect("dues:branch", pk=organization.pk)
        return redirect("dues:collection")
    own = scope.scoped(request.user, Member.objects.filter(user_id=request.user.pk or 0)).first()
    if own is None:
        scope.require_role(request.user, reads, "查看党费")
        raise Http404("未找到与您的账号关联的党员档案")
    return redirect("dues:member", pk=own.pk)


# --- 本月党费: the branch's month, entered in one submission -------------------------------------


@dataclass
class Row:
    """A member on the month page, with what was typed for them."""

    sheet: ledger.SheetRow
    basis: DuesBasis | None  # the basis of the month (or the current one when the month has no row)
    ticked: bool = False
    amount: str = ""
    receipt: str = ""
    reason: str = ""
    late: bool = False  # owes a month more than six months back: the back-payment needs a reason
    errors: list[str] = field(default_factory=list)

    @property
    def member(self) -> Member:
        return self.sheet.member

    @property
    def payable(self) -> bool:
        return self.sheet.month is not None and self.sheet.outstanding > 0

    @property
    def wants_own_form(self) -> bool:
        """Refused for paying more than owed: paying ahead or an extra is the member's own form."""
        return any("单独登记" in error for error in self.errors)

    @property
    def asks_reason(self) -> bool:
        return self.late or bool(self.reason) or any("原因" in error for error in self.errors)


def _month_asked(request: HttpRequest, today: dt.date) -> dt.date:
    month = parse_month(request.GET.get("month")) or rules.first_of(today)
    return min(max(month, EARLIEST_MONTH), rules.first_of(today))


def _rows(user: Any, organization: Organization, month: dt.date, today: dt.date) -> list[Row]:
    members = scope.scoped(user, members_on_roll(organization)).order_by("name_pinyin", "pk")
    sheet = ledger.sheet(members, month)
    # 第十二条: a month owed more than six months before today's needs a reason to be paid now.
    late = set(
        DuesMonth.objects.filter(
            member__in=members, month__lt=rules.add_months(rules.first_of(today), -rules.BACK_PAYMENT_MONTHS)
        )
        .filter(paid__lt=F("owed"))
        .values_list("member_id", flat=True)
    )
    ids = [row.member.pk for row in sheet]
    of_month = {row.month.basis_id for row in sheet if row.month is not None}
    bases = DuesBasis.objects.filter(Q(pk__in=of_month) | Q(member_id__in=ids, valid_to__isnull=True)).select_related(
        "standard"
    )
    by_pk = {basis.pk: basis for basis in bases}
    current = {basis.member_id: basis for basis in bases if basis.valid_to is None}
    rows = []
    for line in sheet:
        basis = by_pk.get(line.month.basis_id) if line.month is not None else current.get(line.member.pk)
        rows.append(Row(sheet=line, basis=basis, amount=plain_yuan(line.outstanding), late=line.member.pk in late))
    return rows


@dataclass(frozen=True)
class MonthSummary:
    members: int
    settled: int
    owed: int
    paid: int

    @property
    def outstanding(self) -> int:
        return self.owed - self.paid


def _summary(user: Any, organization: Organization, month: dt.date) -> MonthSummary:
    found = scope.scoped(user, DuesMonth.objects.filter(organization=organization, month=month)).aggregate(
        members=Count("id"),
        settled=Count("id", filter=Q(paid__gte=F("owed"))),
        owed=Sum("owed"),
        paid=Sum("paid"),
    )
    return MonthSummary(found["members"], found["settled"], found["owed"] or 0, found["paid"] or 0)


def branch(request: HttpRequest, pk: int) -> HttpResponse:
    """本月党费 of a branch: every member on its roll for the month, what each owes up to it, and
    one submission for those who paid (one date, one way of paying; an amount per member)."""
    organization = organization_of(request, pk)
    if not organization.holds_members:  # a committee's members are its branches': its collection
        return redirect(f"{reverse('dues:collection')}?organization={organization.pk}")
    today = timezone.localdate()
    month = _month_asked(request, today)
    may_write = scope.may_change(request.user, writes, organization)
    rows = _rows(request.user, organization, month, today)
    form = BulkEntryForm(request.POST or None, initial={"paid_on": today, "method": "cash"})
    if request.method == "POST":
        if not may_write:
            scope.require_role(request.user, writes, "登记党费")
            raise PermissionDenied(scope.SEEN_ONLY)
        done = _record_rows(request, organization, month, form, rows)
        if done is not None:
            messages.success(request, done)
            return redirect(f"{reverse('dues:branch', args=[organization.pk])}?month={month:%Y-%m}")
    return render(
        request,
        "dues/branch.html",
        {
            "organization": organization,
            "lineage": tree.lineage(request.user, organization),
            "month": month,
            "month_label": month_label(month),
            "previous": rules.add_months(month, -1) if month > EARLIEST_MONTH else None,
            "next": rules.add_months(month, 1) if month < rules.first_of(today) else None,
            "rows": rows,
            "form": form,
            "writes": may_write,
            "summary": _summary(request.user, organization, month),
            "unassessed": sum(1 for row in rows if row.basis is None),
            "payable": any(row.payable for row in rows),
            "has_row_errors": any(row.errors for row in rows),
            "regulation": rules.REGULATION,
        },
        status=400 if request.method == "POST" else 200,
    )


def _record_rows(
    request: HttpRequest, organization: Organization, month: dt.date, form: BulkEntryForm, rows: list[Row]
) -> str | None:
    """Every ticked row recorded in one transaction, or none: each refusal lands on its row (or,
    for the date and the way of paying, on the form) and what was typed stays."""
    post = request.POST
    for row in rows:
        pk = row.member.pk
        row.ticked = row.payable and post.get(f"paid_{pk}") == "1"
        # Cut only far beyond the services' limits, so that their messages say what is too long.
        row.amount = post.get(f"amount_{pk}", row.amount).strip()[:LONGEST]
        row.receipt = post.get(f"receipt_{pk}", "").strip()[:LONGEST]
        row.reason = post.get(f"reason_{pk}", "").strip()[:LONGEST]
        if row.ticked:
            for label, text in (("收据或交易单号", row.receipt), ("补交原因", row.reason)):
                if problem := text_problem(text):
                    row.errors.append(f"{label}{problem}")
    if not form.is_valid():
        return None
    ticked = [row for row in rows if row.ticked]
    if not ticked:
        form.add_error(None, "请在已交党费的党员一行勾选“已交”")
        return None
    by_receipt: dict[str, list[Row]] = {}
    for row in ticked:
        if row.receipt:
            by_receipt.setdefault(row.receipt, []).append(row)
    for receipt, same in by_receipt.items():
        if len(same) > 1:
            names = "、".join(row.member.name for row in same)
            for row in same:
                row.errors.append(f"收据或交易单号“{receipt}”在本次登记中重复（{names}），请核对")
    if any(row.errors for row in rows):
        return None
    paid_on, method = form.cleaned_data["paid_on"], form.cleaned_data["method"]
    shared: list[str] = []
    total = 0
    outcomes = services.record_payments(
        actor=request.user,
        payments=[
            {
                "member": row.member,
                "amount": typed_amount(row.amount),
                "paid_on": paid_on,
                "method": method,
                "receipt": row.receipt,
                "reason": row.reason,
                "for_month": month,
            }
            for row in ticked
        ],
    )
    for row, outcome in zip(ticked, outcomes, strict=True):
        if not isinstance(outcome, DomainError):
            total += outcome.amount
            continue
        for name, texts in outcome.errors.items():
            for text in texts:
                if name in ("paid_on", "method"):
                    if text not in shared:
                        shared.append(text)
                else:
                    row.errors.append(_row_message(name, text, row))
    for text in shared:
        form.add_error("paid_on" if "日期" in text else "method", text)
    if shared or any(row.errors for row in ticked):
        return None
    return f"已登记{len(ticked)}名党员交纳{month_label(month)}党费，合计{rules.yuan(total)}元"


def _row_message(name: str | None, text: str, row: Row) -> str:
    if name == "amount" and "预交" in text:
        # The month page has no box for months ahead or an extra: the member's own form has.
        return (
            f"交纳金额超过{row.member.name}应交的{rules.yuan(row.sheet.outstanding)}元。"
            "预交以后月份或自愿多交党费的，请在该党员的党费账中单独登记"
        )
    return text
