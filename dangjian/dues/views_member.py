"""One member's dues: the ledger (党员党费账), a payment entered on its own, a reversal (冲正) and
the basis (核定党费基数)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import F, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.orgs import tree
from dangjian.orgs.models import Organization

from . import ledger, rules, services
from .forms import BasisForm, PaymentForm, ReversalForm, month_label, plain_yuan
from .models import DuesBasis, DuesMonth, DuesPayment, PaymentKind
from .views import member_of, months_text, reader, reads, writes


def _outstanding(months: QuerySet[DuesMonth], today: dt.date) -> int:
    found = months.filter(month__lte=rules.first_of(today), paid__lt=F("owed")).aggregate(
        total=Sum(F("owed") - F("paid"))
    )
    return found["total"] or 0


def _lineage(request: HttpRequest, organization: Organization) -> list[Organization]:
    # A 党员 reads their own record, not the tree above it.
    return tree.lineage(request.user, organization) if scope.role_allows(request.user, reads) else []


def member(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's ledger of one year by month, the payments with their reversals, the basis and
    the month paid through. A 党员 reads their own."""
    found = member_of(request, pk)
    today = timezone.localdate()
    months = scope.scoped(request.user, DuesMonth.objects.filter(member=found))
    years = sorted({day.year for day in months.dates("month", "year")}, reverse=True)
    asked = request.GET.get("year", "")
    if asked.isdecimal() and int(asked) in years:
        year = int(asked)
    else:
        year = today.year if today.year in years or not years else years[0]
    shown = list(months.filter(month__year=year).select_related("basis", "organization").order_by("-month"))
    payments = list(
        scope.scoped(request.user, DuesPayment.objects.filter(member=found))
        .filter(Q(paid_on__year=year) | Q(entries__month__month__year=year))
        .distinct()
        .select_related("reverses", "recorded_by")
        .prefetch_related("entries__month")
        .order_by("-paid_on", "-pk")
    )
    reversed_ids = set(
        DuesPayment.objects.filter(reverses__in=[p.pk for p in payments]).values_list("reverses_id", flat=True)
    )
    return render(
        request,
        "dues/member.html",
        {
            "member": found,
            "organization": found.organization,
            "lineage": _lineage(request, found.organization),
            "basis": ledger.current_basis(found),
            "bases": _bases(request.user, found),
            "paid_through": ledger.paid_through(found),
            "outstanding": _outstanding(months, today),
            "year": year,
            "years": years,
            "months": shown,
            "year_owed": sum(row.owed for row in shown),
            "year_paid": sum(row.paid for row in shown),
            "year_outstanding": sum(row.outstanding for row in shown),
            "payments": [_payment_line(p, p.pk in reversed_ids) for p in payments],
            "writes": scope.may_change(request.user, writes, found),
        },
    )


def _bases(user: Any, member: Member) -> list[DuesBasis]:
    return list(
        scope.scoped(user, DuesBasis.objects.filter(member=member))
        .select_related("standard", "relief_by", "recorded_by")
        .order_by("-valid_from")
    )


@dataclass(frozen=True)
class PaymentLine:
    payment: DuesPayment
    months: str  # the months it went to, as the ledger writes them
    extra: int  # fen beyond the months (a voluntary extra)
    reversed: bool

    @property
    def may_reverse(self) -> bool:
        return self.payment.kind != PaymentKind.REVERSAL and not self.reversed


def _payment_line(payment: DuesPayment, reversed_: bool) -> PaymentLine:
    entries = list(payment.entries.all())
    return PaymentLine(
        payment=payment,
        months=months_text([entry.month.month for entry in entries if entry.month is not None]),
        extra=sum(entry.amount for entry in entries if entry.month is None),
        reversed=reversed_,
    )


def pay(request: HttpRequest, pk: int) -> HttpResponse:
    """登记交纳 of one member: the month page's entry with paying ahead, a voluntary extra, a payer
    and the reason for a late back-payment."""
    found = member_of(request, pk)
    scope.require_role(request.user, writes, "登记党费")
    scope.require_in_scope(request.user, found, to_write=True)
    today = timezone.localdate()
    outstanding = _outstanding(DuesMonth.objects.filter(member=found), today)
    initial = {"amount": plain_yuan(outstanding), "paid_on": today, "method": "cash", "ahead": 0}
    form = PaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.record_payment(
                actor=request.user,
                member=found,
                amount=data["amount"],
                paid_on=data["paid_on"],
                method=data["method"],
                receipt=data["receipt"],
                payer=data["payer"],
                ahead=data["ahead"] or 0,
                extra=data["extra"],
                reason=data["reason"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            done = f"已登记{found.name}交纳党费{rules.yuan(payment.amount)}元"
            if payment.remit_to_centre:
                done += f"。一次自愿多交党费1000元以上，全部上缴中央（{rules.REGULATION}第十一条）"
            messages.success(request, done)
            return redirect("dues:member", pk=found.pk)
    return render(
        request,
        "dues/pay.html",
        {
            "member": found,
            "organization": found.organization,
            "lineage": tree.lineage(request.user, found.organization),
            "form": form,
            "outstanding": outstanding,
            "basis": ledger.current_basis(found),
            "paid_through": ledger.paid_through(found),
        },
        status=400 if request.method == "POST" else 200,
    )


def reverse_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """冲正: a wrong entry put right by a reversing one, with its reason."""
    reader(request)
    payment = scope.get_scoped_or_404(
        request.user, DuesPayment.objects.select_related("member", "member__organization"), pk=pk
    )
    scope.require_role(request.user, writes, "冲正党费记录")
    scope.require_in_scope(request.user, payment.member, to_write=True)
    form = ReversalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse_payment(actor=request.user, payment=payment, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                f"已冲正{payment.member.name}{payment.paid_on:%Y年%m月%d日}交纳的{rules.yuan(payment.amount)}元",
            )
            return redirect("dues:member", pk=payment.member_id)
    return render(
        request,
        "dues/reverse.html",
        {
            "payment": payment,
            "line": _payment_line(payment, DuesPayment.objects.filter(reverses=payment).exists()),
            "member": payment.member,
            "organization": payment.member.organization,
            "lineage": tree.lineage(request.user, payment.member.organization),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _committees(member: Member) -> QuerySet[Organization]:
    """The committees above the member's branch, which approve a reduction (第七条): the branch's
    own superiors, whether or not the user's scope reaches up to them."""
    return Organization.objects.filter(
        path__in=tree.lineage_paths(member.organization), kind="committee", deleted_at__isnull=True
    ).order_by("-path")


def _first_open_month(member: Member, today: dt.date) -> dt.date:
    """The month a new basis can start from: the one after the ledger's last, or this one."""
    last = DuesMonth.objects.filter(member=member).order_by("-month").values_list("month", flat=True).first()
    start = rules.add_months(last, 1) if last else rules.first_of(today)
    return max(start, rules.first_of(member.joined_date))


def basis(request: HttpRequest, pk: int) -> HttpResponse:
    """核定党费基数: the category, the base for the categories paid by rate, a hardship reduction
    with the committee that approved it; the monthly amount it gives, and the history."""
    found = member_of(request, pk)
    scope.require_role(request.user, writes, "核定党费基数")
    scope.require_in_scope(request.user, found, to_write=True)
    today = timezone.localdate()
    current = ledger.current_basis(found)
    initial: dict[str, Any] = {"valid_from": _first_open_month(found, today)}
    if current is not None:
        initial |= {
            "category": current.category,
            "base": plain_yuan(rules.fen(current.base)) if current.base is not None else "",
            "hardship": bool(current.relief),
            "relief": current.relief or "reduced",
            "relief_amount": plain_yuan(rules.fen(current.relief_amount)) if current.relief_amount is not None else "",
            "relief_by": current.relief_by_id,
            "relief_on": current.relief_on,
        }
    form = BasisForm(request.POST or None, initial=initial, committees=_committees(found))
    if request.method == "POST" and form.is_valid():
        try:
            made = services.set_basis(actor=request.user, member=found, **form.service_fields())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                f"已核定{found.name}的党费：自{month_label(made.valid_from)}起每月应交{rules.yuan(made.amount)}元",
            )
            return redirect("dues:basis", pk=found.pk)
    return render(
        request,
        "dues/basis.html",
        {
            "member": found,
            "organization": found.organization,
            "lineage": tree.lineage(request.user, found.organization),
            "form": form,
            "basis": current,
            "bases": _bases(request.user, found),
            "month_page": rules.first_of(today),
            "regulation": rules.REGULATION,
        },
        status=400 if request.method == "POST" else 200,
    )
