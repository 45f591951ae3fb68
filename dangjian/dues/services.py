"""Every change to party dues. Each takes the acting user, checks role and scope first, applies
``rules.py``, and writes in one transaction (``@service``) or raises DomainError and writes
nothing. Who records: the roles that write members (支部书记/组织委员 for their branch,
组织部/党委管理员 for their subtree).

The ledger is append-only: a payment is shared among months by entries and a mistake is put
right by a reversing payment with its reason. Each month's ``paid`` is the sum of its entries,
updated here in the same transaction."""

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules, standards
from .models import ArrearsReason, DuesBasis, DuesEntry, DuesMonth, DuesPayment, Method, PaymentKind, Relief

AHEAD_LIMIT = 12  # months a member may pay ahead at once
ART_7 = f"{rules.REGULATION}第七条"
ART_12 = f"{rules.REGULATION}第十二条"


def _recorder(actor: Any, action: str) -> scope.Acting:
    return scope.require_role(actor, lambda role: role.writes_members, action)


def _month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _decimal(value: Any, field: str, label: str, errors: ErrorCollector) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.add(field, f"{label}应为数字")
        return None
    if not number.is_finite():
        errors.add(field, f"{label}应为数字")
        return None
    if number < 0:
        errors.add(field, f"{label}不能为负数")
        return None
    if number >= Decimal("100000000") or number != number.quantize(rules.FEN):
        errors.add(field, f"{label}应为不超过一亿元、精确到分的金额")
        return None
    return number


# --- The basis -------------------------------------------------------------------------------


@service
def set_basis(
    *,
    actor: Any,
    member: Member,
    valid_from: dt.date,
    category: str,
    base: Any = None,
    relief: str = "",
    relief_amount: Any = None,
    relief_by: Organization | None = None,
    relief_on: dt.date | None = None,
    note: str = "",
) -> DuesBasis:
    """The member's dues from ``valid_from``'s month on (第十条: a new base applies from the month
    the new salary is first paid). The months already in the ledger keep what they owed."""
    _recorder(actor, "核定党费基数")
    scope.require_in_scope(actor, member, to_write=True)
    errors = DomainError.collect()
    month = rules.first_of(valid_from)
    if month < rules.first_of(member.joined_date):
        errors.add("valid_from", f"起始月份不能早于入党的月份（{_month_label(rules.first_of(member.joined_date))}）")
    last = DuesMonth.objects.filter(member=member).order_by("-month").values_list("month", flat=True).first()
    if last is not None and month <= last:
        errors.add(
            "valid_from",
            f"{_month_label(last)}及以前的党费已记账，新的基数只能从{_month_label(rules.add_months(last, 1))}起适用",
        )
    if DuesBasis.objects.filter(member=member, valid_from__gt=month).exists():
        errors.add("valid_from", "已有更晚起始月份的基数，请从其后的月份起核定")
    try:
        kind = rules.Category(category)
    except ValueError:
        errors.add("category", "请选择党费类别")
        kind = None
    amount_base = _decimal(base, "base", "交纳基数", errors)
    if kind is not None and kind.has_base and amount_base is None and "base" not in errors.errors:
        errors.add("base", f"{kind.label}按月收入的比例交纳，请填写交纳基数")
    if kind is not None and not kind.has_base and amount_base is not None:
        errors.add("base", f"{kind.label}按固定金额交纳，不填交纳基数")
    reduced = _relief_problems(member, relief, relief_amount, relief_by, relief_on, errors)
    if len(note) > 200:
        errors.add("note", "说明不能超过200个字")
    standard = standards.in_force(month)
    if standard is None:
        errors.add("valid_from", f"{_month_label(month)}没有适用的党费交纳标准")
    errors.raise_if_any()
    assert kind is not None and standard is not None
    DuesBasis.objects.filter(member=member, valid_to__isnull=True).update(valid_to=rules.add_months(month, -1))
    basis = DuesBasis(
        member=member,
        valid_from=month,
        category=kind.value,
        base=amount_base,
        relief=relief,
        relief_amount=reduced,
        relief_by=relief_by if relief else None,
        relief_on=relief_on if relief else None,
        standard=standard,
        note=note,
        recorded_by=actor,
    )
    basis.amount = _amount(basis)
    existing = DuesBasis.objects.filter(member=member, valid_from=month).first()
    if existing is not None:  # the same month again: the earlier entry was a mistake
        basis.pk = existing.pk
        basis.recorded_at = existing.recorded_at
    basis.save()
    # The months from the basis's first to this one are owed now: written at once (the daily job
    # writes only the current month), with those of the branch's other members still missing.
    this_month = rules.first_of(timezone.localdate())
    for owed_month in rules.months_between(month, this_month) if month <= this_month else []:
        generate_month(owed_month, path=member.org_path)
    return basis


def _relief_problems(
    member: Member,
    relief: str,
    relief_amount: Any,
    relief_by: Organization | None,
    relief_on: dt.date | None,
    errors: ErrorCollector,
) -> Decimal | None:
    if relief not in Relief.values:
        errors.add("relief", "困难减免应为少交或免交")
        return None
    if not relief:
        if relief_amount not in (None, "") or relief_by is not None or relief_on is not None:
            errors.add("relief", "未选择困难减免时，不填减免金额、批准党委和日期")
        return None
    if relief_by is None:
        errors.add("relief_by", f"困难减免须经上级党委批准（{ART_7}），请选择批准的党委")
    elif not (relief_by.kind == "committee" and member.org_path.startswith(relief_by.path)):
        errors.add("relief_by", "批准减免的应是该党员所在支部的上级党委")
    if relief_on is None:
        errors.add("relief_on", "请填写批准日期")
    elif relief_on > timezone.localdate():
        errors.add("relief_on", "批准日期不能晚于今天")
    reduced = _decimal(relief_amount, "relief_amount", "减免后每月金额", errors)
    if relief == Relief.REDUCED and reduced is None and "relief_amount" not in errors.errors:
        errors.add("relief_amount", "少交的，请填写减免后每月交纳的金额")
    if relief == Relief.EXEMPT and reduced is not None:
        errors.add("relief_amount", "免交的，不填减免后金额")
    return reduced


def _amount(basis: DuesBasis) -> int:
    return rules.owed(
        basis.standard.as_rules(),
        rules.Category(basis.category),
        basis.base,
        relief=basis.relief,
        relief_amount=basis.relief_amount,
    )


# --- The month's ledger -------------------------------------------------------------------------

# A month already written (the daily job's every run after the first, months paid ahead) is left
# by the unique constraint on (member, month), checked row by row as each is inserted. Not by
# NOT EXISTS: PostgreSQL plans that as an anti-join, and with statistics that have not seen the
# month yet (10^6 new rows are under autovacuum's 10% of a year's table) it expects none there
# and joins each member against all the month's rows: the next day's run of a 10^6-member county
# did not finish in two minutes (bench/dues.py). PostgreSQL draws an id for each row skipped.
GENERATE = """
INSERT INTO dues_duesmonth (member_id, month, organization_id, org_path, basis_id, owed, paid)
SELECT m.id, %s, m.organization_id, m.org_path, b.id, b.amount, 0
FROM members_member m
JOIN dues_duesbasis b ON b.member_id = m.id AND b.valid_from <= %s AND (b.valid_to IS NULL OR b.valid_to >= %s)
WHERE m.deleted_at IS NULL AND m.status IN ({statuses}) AND m.joined_date <= %s AND m.org_path LIKE %s
ON CONFLICT (member_id, month) DO NOTHING
"""


def generate_month(month: dt.date, *, path: str = "") -> int:
    """The month's ledger rows for every member on the roll with a basis (under ``path``), at the
    branch holding each one's relation now; months already written are left as they are. A
    basis made under an earlier standard is first restated under the month's (``restate``). Run
    by the daily job on each month's first days and by ``manage.py dues_month``."""
    from dangjian.members.services import ON_ROLL

    month = rules.first_of(month)
    last_day = rules.add_months(month, 1) - dt.timedelta(days=1)
    with transaction.atomic():
        restate(month, path=path)
        statuses = ", ".join(["%s"] * len(ON_ROLL))
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(
                GENERATE.format(statuses=statuses),
                [month, month, month, *[status.value for status in ON_ROLL], last_day, f"{path}%"],
            )
            return cursor.rowcount


def restate(month: dt.date, *, path: str = "") -> int:
    """A new standard in force from ``month``: every open basis made under another standard gets a
    successor from that month with the amount the new standard gives (第十条's rule for a new
    base, applied to a new standard). Past months keep what they owed."""
    standard = standards.in_force(month)
    if standard is None:
        return 0
    stale = (
        DuesBasis.objects.filter(valid_to__isnull=True, valid_from__lt=month, member__org_path__startswith=path)
        .exclude(standard=standard)
        .select_related("standard")
    )
    successors = []
    for basis in stale:
        successor = DuesBasis(
            member_id=basis.member_id,
            valid_from=month,
            category=basis.category,
            base=basis.base,
            relief=basis.relief,
            relief_amount=basis.relief_amount,
            relief_by_id=basis.relief_by_id,
            relief_on=basis.relief_on,
            standard=standard,
            note=f"按{standard.name}重新计算",
        )
        successor.amount = _amount(successor)
        successors.append(successor)
    if successors:
        DuesBasis.objects.filter(pk__in=[basis.pk for basis in stale]).update(valid_to=rules.add_months(month, -1))
        DuesBasis.objects.bulk_create(successors, batch_size=1000)
    return len(successors)


# --- Payments --------------------------------------------------------------------------------


@service
def record_payment(
    *,
    actor: Any,
    member: Member,
    amount: Any,
    paid_on: dt.date,
    method: str = Method.CASH,
    receipt: str = "",
    payer: str = "",
    ahead: int = 0,
    extra: bool = False,
    reason: str = "",
    for_month: dt.date | None = None,
) -> DuesPayment:
    """Money received from (or for) a member: shared among the months still owed, the oldest
    first; ``ahead`` more months may be paid in advance (第十二条: 经支部同意 by quarter or
    ahead); what is beyond every month owed is a voluntary extra (第十一条) only when ``extra``.
    ``for_month``: the month the branch is entering, which the member must owe."""
    acting = _recorder(actor, "登记党费")
    _require_collector(actor, acting, member)
    today = timezone.localdate()
    errors = DomainError.collect()
    value = _decimal(amount, "amount", "交纳金额", errors)
    if value is not None and value <= 0:
        errors.add("amount", "交纳金额应大于0")
    if paid_on > today:
        errors.add("paid_on", "交纳日期不能晚于今天")
    elif paid_on < member.joined_date:
        errors.add("paid_on", "交纳日期不能早于入党日期")
    if method not in Method.values:
        errors.add("method", "请选择交纳方式")
    receipt = receipt.strip()
    if len(receipt) > 64:
        errors.add("receipt", "收据或交易单号不能超过64个字符")
    elif receipt and DuesPayment.objects.filter(receipt=receipt).exists():
        errors.add("receipt", f"收据或交易单号“{receipt}”已经登记过，不能重复登记")
    if len(payer) > 50 or len(reason) > 200:
        errors.add("payer" if len(payer) > 50 else "reason", "代交人不能超过50个字，说明不能超过200个字")
    if not 0 <= ahead <= AHEAD_LIMIT:
        errors.add("ahead", f"预交月数应在0至{AHEAD_LIMIT}之间")
    if for_month is not None and not DuesMonth.objects.filter(member=member, month=rules.first_of(for_month)).exists():
        errors.add(None, _not_owed_problem(member, rules.first_of(for_month)))
    errors.raise_if_any()
    assert value is not None
    months = list(
        DuesMonth.objects.select_for_update().filter(member=member, month__lte=rules.first_of(today)).order_by("month")
    )
    if ahead:
        months += _months_ahead(member, ahead, errors)
        errors.raise_if_any()
    share = rules.allocate(rules.fen(value), [(month.month, month.owed - month.paid) for month in months])
    if share.extra and not extra:
        owed_now = sum(max(month.owed - month.paid, 0) for month in months)
        errors.add(
            "amount",
            f"交纳金额超过应交金额{rules.yuan(owed_now)}元。预交以后月份的，请填写预交月数；"
            "自愿多交的，请勾选“自愿多交党费”",
        )
    old = [month for month, _ in share.parts if rules.too_old(month, paid_on)]
    if old and not reason.strip():
        errors.add(
            "reason",
            f"补交{_month_label(old[0])}的党费已超过6个月（{ART_12}：补交党费的时间一般不超过6个月），请说明原因",
        )
    errors.raise_if_any()
    payment = DuesPayment(
        member=member,
        kind=PaymentKind.DUES if share.parts else PaymentKind.EXTRA,
        amount=rules.fen(value),
        paid_on=paid_on,
        method=method,
        receipt=receipt,
        payer=payer.strip(),
        reason=reason.strip(),
        collected_by=acting.organization,
        org_path=member.org_path,
        remit_to_centre=share.extra >= rules.EXTRA_REMITTED,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError as error:  # the same receipt entered at the same moment elsewhere
        raise DomainError({"receipt": f"收据或交易单号“{receipt}”已经登记过，不能重复登记"}) from error
    by_month = {month.month: month for month in months}
    entries = [DuesEntry(payment=payment, month=by_month[month], amount=fen) for month, fen in share.parts]
    if share.extra:
        entries.append(DuesEntry(payment=payment, month=None, amount=share.extra))
    DuesEntry.objects.bulk_create(entries)
    for month, fen in share.parts:
        DuesMonth.objects.filter(pk=by_month[month].pk).update(paid=F("paid") + fen)
    _changed(member)
    return payment


@service
def record_payments(*, actor: Any, payments: Sequence[Mapping[str, Any]]) -> list[DuesPayment | DomainError]:
    """Several payments at once (a branch's month, an imported list), all or none: each through
    ``record_payment``, in one transaction rolled back when any of them is refused. The outcome of
    each, in order: its payment, or the refusal. The inbox is refreshed once, not per payment."""
    from dangjian.core import inbox

    outcomes: list[DuesPayment | DomainError] = []
    with inbox.paused():
        for fields in payments:
            try:
                outcomes.append(record_payment(actor=actor, **fields))
            except DomainError as error:
                outcomes.append(error)
    if any(isinstance(outcome, DomainError) for outcome in outcomes):
        transaction.set_rollback(True)
    else:
        for path in {outcome.org_path for outcome in outcomes if isinstance(outcome, DuesPayment)}:
            _changed_under(path)
    return outcomes


def _require_collector(actor: Any, acting: scope.Acting, member: Member) -> None:
    """The member's own side records their dues; so may the organization a mobile member holding
    a 流动党员活动证 flows into (第九条), the payment still credited to the home branch."""
    from dangjian.transfers.models import MobileMember

    if scope.is_in_scope(actor, member, to_write=True):
        return
    away = MobileMember.objects.filter(
        member=member, returned_date__isnull=True, inflow_org__path__startswith=acting.organization.path
    ).exclude(certificate_number="")
    if not away.exists():
        scope.require_in_scope(actor, member, to_write=True)  # 404, as for a member that does not exist


def _not_owed_problem(member: Member, month: dt.date) -> str:
    if month < rules.first_of(member.joined_date):
        return f"{member.name}于{member.joined_date:%Y年%m月%d日}入党，{_month_label(month)}不应交纳党费"
    return f"{member.name}{_month_label(month)}不在本支部的党费账上（未核定基数、已转出或出党），不能登记该月党费"


def _months_ahead(member: Member, count: int, errors: ErrorCollector) -> list[DuesMonth]:
    """The ``count`` months after the last one in the ledger, written now from the member's basis
    so that they can be paid in advance; the monthly generation leaves them as they are."""
    from dangjian.members.services import ON_ROLL

    if member.status not in ON_ROLL:
        errors.add("ahead", "该党员已不在党员名册，不能预交")
        return []
    basis = DuesBasis.objects.filter(member=member, valid_to__isnull=True).first()
    if basis is None:
        errors.add("ahead", "该党员尚未核定党费基数，不能预交")
        return []
    last = DuesMonth.objects.filter(member=member).order_by("-month").values_list("month", flat=True).first()
    start = rules.add_months(last, 1) if last else max(basis.valid_from, rules.first_of(timezone.localdate()))
    ahead = [
        DuesMonth(
            member=member,
            month=rules.add_months(start, step),
            organization_id=member.organization_id,
            org_path=member.org_path,
            basis=basis,
            owed=basis.amount,
        )
        for step in range(count)
    ]
    DuesMonth.objects.bulk_create(ahead)
    return list(DuesMonth.objects.filter(member=member, month__gte=start).order_by("month"))


@service
def reverse_payment(*, actor: Any, payment: DuesPayment, reason: str) -> DuesPayment:
    """Put a wrong entry right (冲正): a payment of the opposite amount, with its reason, taking
    back from each month what the first one gave it."""
    acting = _recorder(actor, "冲正党费记录")
    scope.require_in_scope(actor, payment.member, to_write=True)
    errors = DomainError.collect()
    if payment.kind == PaymentKind.REVERSAL:
        errors.add(None, "冲正记录不能再冲正；如冲正有误，请重新登记交纳")
    elif DuesPayment.objects.filter(reverses=payment).exists():
        errors.add(None, "这笔记录已经冲正过")
    if not reason.strip():
        errors.add("reason", "请说明冲正的原因")
    elif len(reason) > 200:
        errors.add("reason", "原因不能超过200个字")
    errors.raise_if_any()
    reversal = DuesPayment.objects.create(
        member=payment.member,
        kind=PaymentKind.REVERSAL,
        amount=-payment.amount,
        paid_on=timezone.localdate(),
        method=payment.method,
        reason=reason.strip(),
        collected_by=acting.organization,
        org_path=payment.org_path,
        reverses=payment,
        recorded_by=actor,
    )
    entries = list(payment.entries.all())
    DuesEntry.objects.bulk_create(
        [DuesEntry(payment=reversal, month_id=entry.month_id, amount=-entry.amount) for entry in entries]
    )
    for entry in entries:
        if entry.month_id is not None:
            DuesMonth.objects.filter(pk=entry.month_id).update(paid=F("paid") - entry.amount)
    _changed(payment.member)
    return reversal


@service
def record_reason(*, actor: Any, member: Member, from_month: dt.date, to_month: dt.date, reason: str) -> ArrearsReason:
    """A valid reason for months not paid: they no longer count towards 第十三条's six."""
    _recorder(actor, "登记未交党费的正当理由")
    scope.require_in_scope(actor, member, to_write=True)
    errors = DomainError.collect()
    if to_month < from_month:
        errors.add("to_month", "截止月份不能早于起始月份")
    elif rules.first_of(to_month) > rules.first_of(timezone.localdate()):
        errors.add("to_month", "截止月份不能晚于本月：以后月份的情况到时再登记")
    if not reason.strip():
        errors.add("reason", "请填写正当理由")
    elif len(reason) > 200:
        errors.add("reason", "正当理由不能超过200个字")
    errors.raise_if_any()
    found = ArrearsReason.objects.create(
        member=member,
        from_month=rules.first_of(from_month),
        to_month=rules.first_of(to_month),
        reason=reason.strip(),
        recorded_by=actor,
    )
    _changed(member)
    return found


def _changed(member: Member) -> None:
    """The member's ledger changed: the inbox's arrears items follow once it commits."""
    _changed_under(member.org_path)


def _changed_under(path: str) -> None:
    from dangjian.core.inbox import refresh_soon

    from .inbox import SOURCE

    refresh_soon([SOURCE], path)
