"""Every change to a transfer (组织关系转接). Each takes the acting user, locks the transfer
(``select_for_update``: of two people acting at once, the second waits, then finds the new state
and is refused with a message saying what happened), applies the rules, writes the state, the
approval-log step and, on acceptance only, the member's move, in one transaction."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from dangjian.approvals.models import Decision
from dangjian.approvals.services import record_step
from dangjian.core import scope
from dangjian.core.dates import add_months
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.core.models import Role
from dangjian.dues import ledger as dues_ledger
from dangjian.members import moves
from dangjian.members.models import Member, Status
from dangjian.members.services import create_member, readmit_member, transferred_out_record
from dangjian.orgs.models import Organization

from . import rules
from .inbox import transfer_changed
from .models import OPEN_STATES, Transfer, TransferKind, TransferState

WORKFLOW = "transfer"


def max_valid_days() -> int:
    """The longest validity a letter may get: RULES.md says generally ≤ 3 months; a province that
    allows 6 months across provinces sets ``TRANSFER_LETTER_MAX_DAYS``."""
    return int(getattr(settings, "TRANSFER_LETTER_MAX_DAYS", rules.MAX_VALID_DAYS))


def default_valid_days() -> int:
    return int(getattr(settings, "TRANSFER_LETTER_DAYS", rules.DEFAULT_VALID_DAYS))


def committee_of(organization: Organization) -> Organization:
    """The 基层党委 that sends or receives for ``organization`` (itself, or the nearest above)."""
    step = Organization.steplen
    prefixes = [organization.path[:end] for end in range(step, len(organization.path) + 1, step)]
    lineage = list(Organization.objects.filter(path__in=prefixes).order_by("depth"))
    pk = rules.approving_committee([(org.pk, org.kind) for org in lineage])
    return next((org for org in lineage if org.pk == pk), lineage[0])


def _lock(actor: Any, transfer: Transfer) -> Transfer:
    # of=("self",): the scope joins both organizations, one of them through a nullable key.
    queryset = Transfer.objects.select_for_update(of=("self",))
    return scope.get_scoped_or_404(actor, queryset, pk=transfer.pk)


def _require_side(actor: Any, committee: Organization | None, organization: Organization | None, what: str) -> None:
    """Only the side's 基层党委 (or an organization above it) does ``what``."""
    scope.require_role(actor, lambda role: role.writes_members, what)
    deciding = committee or organization
    if deciding is None or not scope.is_in_scope(actor, deciding, to_write=True):
        name = deciding.name if deciding is not None else "对方"
        raise PermissionDenied(f"只有{name}或其上级党组织可以{what}")


def _refuse_state(transfer: Transfer, *expected: TransferState) -> None:
    """The transfer is not (or no longer) where the action starts: say what happened to it."""
    if transfer.state in expected:
        return
    state = transfer.state_enum
    if state == TransferState.ACCEPTED:
        raise DomainError(f"该转接已于{transfer.accepted_date:%Y-%m-%d}接收办结，不能再次办理")
    if not state.is_open:
        raise DomainError(f"该转接{state.label}，不能再办理")  # 已退回, 未获批准, 已撤销
    raise DomainError(f"该转接当前状态为“{state.label}”，不能办理此环节（可能已由他人办理，请刷新页面）")


def _step(actor: Any, transfer: Transfer, step: str, decision: Decision, at: Organization, reason: str = "") -> None:
    record_step(
        actor=actor, target=transfer, workflow=WORKFLOW, step=step, decision=decision, organization=at, reason=reason
    )


UNKNOWN_DESTINATION = "所选转入党组织不存在或不能接收党员：转入组织应为未撤销的党支部（或直接管理党员的党组织）"


@service
def request_transfer(
    *, actor: Any, member: Member, to_org: Organization | None = None, to_outside: str = "", reason: str
) -> Transfer:
    """Start a transfer (发起转接): by the member's branch or above, or by the member for their own
    record. To an organization of the tree (``to_org``, anywhere in it: nationwide transfer goes
    directly between 基层党委) or to one outside it (``to_outside``, its name)."""
    # The branch and above for any member of their subtree; a member (党员 role) for their own record.
    if not scope.role_allows(actor, lambda role: role.writes_members or role == Role.MEMBER):
        raise PermissionDenied("您当前的角色无权发起组织关系转接")
    member = scope.get_scoped_or_404(actor, Member.objects.select_for_update(), pk=member.pk)
    if not scope.role_allows(actor, lambda role: role.writes_members) and member.user_id != actor.pk:
        raise PermissionDenied("党员只能为本人申请组织关系转接")
    errors = ErrorCollector()
    reason, to_outside = reason.strip(), to_outside.strip()
    if not reason:
        errors.add("reason", "请填写转接原因（如工作单位或居住地变动）")
    elif len(reason) > 200:
        errors.add("reason", "转接原因不能超过200个字")
    if to_org is None and not to_outside:
        errors.add("to_org", "请选择转入的党组织，或填写系统外转入组织的名称")
    if to_org is not None and to_outside:
        errors.add("to_outside", "转入组织在本系统内时不填写系统外组织名称")
    if len(to_outside) > 100:
        errors.add("to_outside", "系统外组织名称不能超过100个字")
    if to_org is not None:
        to_org = Organization.objects.filter(pk=to_org.pk, deleted_at__isnull=True).first()
        if to_org is None:
            errors.add("to_org", UNKNOWN_DESTINATION)
        elif to_org.pk == member.organization_id:
            errors.add("to_org", f"转入组织与{member.name}现所在组织相同，无需转接")
        elif problem := moves.move_problem(member, to_org, timezone.localdate()):
            # Outside the caller's scope the refusal names nothing: the same answer as an id of none.
            errors.add("to_org", problem if scope.is_in_scope(actor, to_org) else UNKNOWN_DESTINATION)
    if member.status == Status.TRANSFERRED_OUT:
        errors.add(None, f"{member.name}的组织关系已于{member.status_date:%Y-%m-%d}转出本系统，不能再转接")
    elif not Status(member.status).is_on_roll:
        errors.add(None, f"{member.name}的党籍状态为{member.get_status_display()}，不能转接组织关系")
    if open_one := Transfer.objects.filter(member=member, state__in=OPEN_STATES).first():
        errors.add(None, f"{member.name}已有一项未办结的组织关系转接（{open_one.get_state_display()}），请先办结或撤销")
    errors.raise_if_any()
    sending = committee_of(member.organization)
    transfer = Transfer(
        kind=TransferKind.INSIDE if to_org is not None else TransferKind.TO_OUTSIDE,
        member=member,
        member_name=member.name,
        from_org=member.organization,
        to_org=to_org,
        to_outside=to_outside,
        sending_committee=sending,
        receiving_committee=committee_of(to_org) if to_org is not None else None,
        reason=reason,
        requested_by=actor,
    )
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError:  # another request for the same member committed first
        raise DomainError(f"{member.name}已有一项未办结的组织关系转接，请先办结或撤销") from None
    _step(actor, transfer, "申请转接", Decision.RECORD, member.organization, reason)
    transfer_changed(transfer)
    return transfer


@service
def approve_transfer(*, actor: Any, transfer: Transfer, approve: bool = True, reason: str = "") -> Transfer:
    """The sending 基层党委 approves (审批通过) or refuses with a reason (不同意, the transfer ends)."""
    transfer = _lock(actor, transfer)
    _require_side(actor, transfer.sending_committee, transfer.from_org, "审批组织关系转出")
    _refuse_state(transfer, TransferState.REQUESTED)
    if not approve and not reason.strip():
        raise DomainError({"reason": "不同意时请写明理由"})
    assert transfer.sending_committee is not None
    if approve:
        transfer.state = TransferState.APPROVED
    else:
        transfer.state, transfer.return_reason, transfer.closed_at = (
            TransferState.REJECTED,
            reason.strip(),
            timezone.now(),
        )
    transfer.save()
    _step(actor, transfer, "审批", Decision.PASS if approve else Decision.REJECT, transfer.sending_committee, reason)
    transfer_changed(transfer)
    return transfer


def _letter_values(
    transfer: Transfer, valid_days: int | None, dues_paid_through: dt.date | None, issued: dt.date
) -> dict[str, Any]:
    """The letter's number-free values. 党费交至 is the dues ledger's month when the member's dues
    are kept here (``dangjian.dues.ledger.paid_through``): the month typed is then not used, so that
    the letter says what the ledger says, even a month paid ahead. It is typed, from the paper
    ledger, only for a member with no ledger here."""
    errors = ErrorCollector()
    if problem := rules.valid_days_problem(valid_days, max_valid_days()):
        errors.add("valid_days", problem)
    from_ledger = ledger_dues_month(transfer)
    if from_ledger is not None:
        dues_paid_through = from_ledger
    elif dues_paid_through is None:
        errors.add("dues_paid_through", "请填写党费交至的月份")
    elif dues_paid_through.replace(day=1) > issued.replace(day=1):
        errors.add("dues_paid_through", "党费交至月份不能晚于开具介绍信的月份")
    if issued > timezone.localdate():
        errors.add("date", "开具日期不能晚于今天")
    errors.raise_if_any()
    assert valid_days is not None and dues_paid_through is not None
    return {
        "issued_date": issued,
        "valid_days": valid_days,
        "valid_until": rules.letter_valid_until(issued, valid_days),
        "dues_paid_through": dues_paid_through.replace(day=1),
    }


def ledger_dues_month(transfer: Transfer) -> dt.date | None:
    """The month the member's dues are paid through by the dues ledger (党费交至); None when the
    member has no ledger here (dues kept outside dangjian: the letter's month is typed)."""
    return dues_ledger.paid_through(transfer.member)


def _number(transfer: Transfer, issued: dt.date, reissue: int = 0) -> str:
    committee = transfer.sending_committee
    prefix = (committee.code if committee is not None else "") or "DJ"
    suffix = f"-B{reissue}" if reissue else ""
    return f"{prefix}-{issued.year}-{transfer.pk:06d}{suffix}"


@service
def issue_letter(
    *,
    actor: Any,
    transfer: Transfer,
    valid_days: int | None = None,
    dues_paid_through: dt.date | None = None,
    date: dt.date | None = None,
) -> Transfer:
    """开具介绍信: a number, the dues-paid-through month (from the dues ledger when the member has
    one: ``_letter_values``) and the validity. The member does not move (the sending side keeps
    responsibility until the member is received)."""
    transfer = _lock(actor, transfer)
    _require_side(actor, transfer.sending_committee, transfer.from_org, "开具组织关系介绍信")
    _refuse_state(transfer, TransferState.APPROVED)
    issued = date or timezone.localdate()
    values = _letter_values(
        transfer, default_valid_days() if valid_days is None else valid_days, dues_paid_through, issued
    )
    for field, value in values.items():
        setattr(transfer, field, value)
    transfer.letter_number = _number(transfer, issued)
    transfer.state = TransferState.ISSUED
    transfer.save()
    assert transfer.sending_committee is not None
    note = f"第{transfer.letter_number}号，有效期{transfer.valid_days}天"
    _step(actor, transfer, "开具介绍信", Decision.RECORD, transfer.sending_committee, note)
    transfer_changed(transfer)
    return transfer


@service
def reissue_letter(
    *, actor: Any, transfer: Transfer, valid_days: int | None, dues_paid_through: dt.date | None, reason: str
) -> Transfer:
    """补转: a letter expired or lost is voided and a new one issued (RULES.md §3.1), after the
    sending side has looked into why."""
    transfer = _lock(actor, transfer)
    _require_side(actor, transfer.sending_committee, transfer.from_org, "重新开具介绍信")
    _refuse_state(transfer, TransferState.ISSUED)
    if not reason.strip():
        raise DomainError({"reason": "请写明重新开具的原因（介绍信过期或遗失的情况）"})
    issued = timezone.localdate()
    values = _letter_values(transfer, valid_days, dues_paid_through, issued)
    voided = [n for n in transfer.voided_letters.split("，") if n] + [transfer.letter_number]
    for field, value in values.items():
        setattr(transfer, field, value)
    transfer.letter_number = _number(transfer, issued, reissue=len(voided))
    transfer.voided_letters = "，".join(voided)[:200]
    transfer.save()
    assert transfer.sending_committee is not None
    note = f"原第{voided[-1]}号作废，重开第{transfer.letter_number}号：{reason.strip()}"
    _step(actor, transfer, "补开介绍信", Decision.RECORD, transfer.sending_committee, note)
    transfer_changed(transfer)
    return transfer


@service
def accept_transfer(*, actor: Any, transfer: Transfer, date: dt.date | None = None) -> Transfer:
    """The receiving 基层党委 accepts the member (接收): only now does the member move, the
    membership period at the old organization ending on ``date`` and the new one starting on it."""
    transfer = _lock(actor, transfer)
    _require_side(actor, transfer.receiving_committee, transfer.to_org, "接收组织关系")
    if transfer.kind != TransferKind.INSIDE:
        raise DomainError("转往系统外的介绍信由转出方凭回执登记，不在本系统内接收")
    _refuse_state(transfer, TransferState.ISSUED)
    date = date or timezone.localdate()
    assert transfer.issued_date is not None and transfer.valid_until is not None
    facts = rules.AcceptFacts(transfer.issued_date, transfer.valid_until, date, timezone.localdate())
    if problems := rules.accept_problems(facts):
        raise DomainError(problems)
    assert transfer.to_org is not None and transfer.receiving_committee is not None
    try:
        moves.move_member(transfer.member, transfer.to_org, date, "组织关系转入")
    except moves.MoveRefused as refused:
        raise DomainError({"date": str(refused)}) from None
    transfer.state, transfer.accepted_date, transfer.closed_at = TransferState.ACCEPTED, date, timezone.now()
    transfer.save()
    _step(actor, transfer, "接收", Decision.PASS, transfer.receiving_committee)
    transfer_changed(transfer)
    return transfer


@service
def return_transfer(*, actor: Any, transfer: Transfer, reason: str) -> Transfer:
    """The receiving side returns the letter (退回) with its reason; the member stays where they
    are and the sending side may start again."""
    transfer = _lock(actor, transfer)
    _require_side(actor, transfer.receiving_committee, transfer.to_org, "退回组织关系介绍信")
    _refuse_state(transfer, TransferState.ISSUED)
    if not reason.strip():
        raise DomainError({"reason": "退回时请写明理由，转出方会看到"})
    transfer.state, transfer.return_reason, transfer.closed_at = TransferState.RETURNED, reason.strip(), timezone.now()
    transfer.save()
    assert transfer.receiving_committee is not None
    _step(actor, transfer, "接收", Decision.RETURN, transfer.receiving_committee, reason)
    transfer_changed(transfer)
    return transfer


@service
def cancel_transfer(*, actor: Any, transfer: Transfer, reason: str) -> Transfer:
    """The sending side withdraws an open transfer (撤销); an issued letter is void."""
    transfer = _lock(actor, transfer)
    _require_side(actor, transfer.sending_committee, transfer.from_org, "撤销组织关系转接")
    _refuse_state(transfer, *OPEN_STATES)
    if not reason.strip():
        raise DomainError({"reason": "请写明撤销的原因"})
    transfer.state, transfer.return_reason, transfer.closed_at = TransferState.CANCELLED, reason.strip(), timezone.now()
    transfer.save()
    assert transfer.from_org is not None
    _step(actor, transfer, "撤销", Decision.RECORD, transfer.sending_committee or transfer.from_org, reason)
    transfer_changed(transfer)
    return transfer


@service
def record_receipt(*, actor: Any, transfer: Transfer, date: dt.date | None = None) -> Transfer:
    """登记回执. Inside the tree: the 回执联 of an accepted transfer, by either side. To outside:
    the receipt that came back by post is the proof the member was received there (on ``date``),
    so the member leaves the roll now, and not before: the record stays, 已转出 from that date."""
    transfer = _lock(actor, transfer)
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise DomainError({"date": "回执日期不能晚于今天"})
    if transfer.receipt_date is not None:
        raise DomainError(f"该转接的回执已于{transfer.receipt_date:%Y-%m-%d}登记，不能重复登记")
    if transfer.kind == TransferKind.TO_OUTSIDE:
        _require_side(actor, transfer.sending_committee, transfer.from_org, "登记回执")
        _refuse_state(transfer, TransferState.ISSUED)
        assert transfer.issued_date is not None
        if date < transfer.issued_date:
            raise DomainError({"date": f"接收日期不能早于介绍信开具日期{transfer.issued_date:%Y-%m-%d}"})
        try:
            moves.move_out_of_tree(transfer.member, date, transfer.to_outside)
        except moves.MoveRefused as refused:
            raise DomainError({"date": str(refused)}) from None
        transfer.state, transfer.accepted_date, transfer.closed_at = TransferState.ACCEPTED, date, timezone.now()
    else:
        _refuse_state(transfer, TransferState.ACCEPTED)
        scope.require_role(actor, lambda role: role.writes_members, "登记回执")
        sides = [o for o in (transfer.sending_committee, transfer.receiving_committee) if o is not None]
        if not any(scope.is_in_scope(actor, side, to_write=True) for side in sides):
            raise PermissionDenied("只有转出或转入的基层党委可以登记回执")
        assert transfer.accepted_date is not None
        if date < transfer.accepted_date:
            raise DomainError({"date": f"回执日期不能早于接收日期{transfer.accepted_date:%Y-%m-%d}"})
    transfer.receipt_date = date
    transfer.save()
    at = transfer.sending_committee or transfer.receiving_committee or transfer.to_org or transfer.from_org
    assert at is not None
    _step(actor, transfer, "登记回执", Decision.RECORD, at, f"回执日期{date:%Y-%m-%d}")
    transfer_changed(transfer)
    return transfer


@service
def record_receipt_by_number(*, actor: Any, letter_number: str, date: dt.date | None = None) -> Transfer:
    """A receipt came back by post: found by its letter's number among the caller's transfers."""
    scope.require_role(actor, lambda role: role.writes_members, "登记回执")
    number = letter_number.strip()
    if not number:
        raise DomainError({"letter_number": "请填写回执上的介绍信编号"})
    found = scope.scoped(actor, Transfer.objects.filter(letter_number=number)).first()
    if found is None:
        voided = scope.scoped(actor, Transfer.objects.filter(voided_letters__contains=number)).first()
        if voided is not None:
            raise DomainError({"letter_number": f"第{number}号介绍信已作废，现为第{voided.letter_number}号"})
        raise DomainError({"letter_number": f"未找到编号为“{number}”的介绍信（或不在您的管理范围内），请核对回执"})
    return record_receipt(actor=actor, transfer=found, date=date)


@service
def register_incoming(
    *,
    actor: Any,
    to_org: Organization,
    from_outside: str,
    letter_number: str,
    issued_date: dt.date,
    valid_days: int,
    dues_paid_through: dt.date | None,
    date: dt.date | None = None,
    **member_fields: Any,
) -> Transfer:
    """登记转入: a letter from an organization outside the tree is registered with its number and
    the member is received into ``to_org`` on ``date`` (entered from the letter). A person whose
    relation went outside earlier (已转出) is received into the same record, reopened; anyone
    else gets a new one. The receiving 基层党委 then owes the sender the 回执 within a month
    (``record_receipt``)."""
    scope.require_role(actor, lambda role: role.writes_members, "登记系统外转入的组织关系")
    date = date or timezone.localdate()
    errors = ErrorCollector()
    from_outside, number = from_outside.strip(), letter_number.strip()
    if not from_outside:
        errors.add("from_outside", "请填写介绍信的开具组织")
    if not number:
        errors.add("letter_number", "请填写介绍信编号")
    elif Transfer.objects.filter(letter_number=number).exists():
        errors.add("letter_number", f"第{number}号介绍信已登记，不能重复接收")
    if problem := rules.valid_days_problem(valid_days, 366):
        errors.add("valid_days", problem)
    else:
        valid_until = rules.letter_valid_until(issued_date, valid_days)
        facts = rules.AcceptFacts(issued_date, valid_until, date, timezone.localdate())
        for field, message in rules.accept_problems(facts).items():
            errors.add(field, message)
    errors.raise_if_any()
    if (returning := transferred_out_record(member_fields.get("id_number"))) is not None:
        # The person left the tree earlier and comes back: the same record, one story.
        member = readmit_member(actor=actor, member=returning, organization=to_org, since=date, **member_fields)
    else:
        member = create_member(actor=actor, organization=to_org, since=date, **member_fields)
        member.periods.filter(end__isnull=True).update(reason=moves.BACK_REASON)
    transfer = Transfer(
        kind=TransferKind.FROM_OUTSIDE,
        state=TransferState.ACCEPTED,
        member=member,
        member_name=member.name,
        from_outside=from_outside,
        to_org=member.organization,
        receiving_committee=committee_of(member.organization),
        reason="系统外转入",
        requested_by=actor,
        letter_number=number,
        issued_date=issued_date,
        valid_days=valid_days,
        valid_until=valid_until,
        dues_paid_through=dues_paid_through.replace(day=1) if dues_paid_through else None,
        accepted_date=date,
        closed_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError:
        raise DomainError({"letter_number": f"第{number}号介绍信已登记，不能重复接收"}) from None
    assert transfer.receiving_committee is not None
    _step(actor, transfer, "接收", Decision.PASS, transfer.receiving_committee, f"凭{from_outside}第{number}号介绍信")
    transfer_changed(transfer)
    return transfer


# The inboxes (待办) of the acting organization.

BOXES = {
    "approvals": "待审批、待开介绍信",
    "incoming": "待接收的介绍信",
    "outgoing": "已开出、对方未接收",
    "overdue": "逾期（介绍信过期、回执超过1个月未回）",
    "pocket": "口袋党员（介绍信过期仍未接收）",
}


def box(user: Any, name: str, today: dt.date | None = None) -> QuerySet[Transfer]:
    """One inbox of the user's acting organization, among the transfers the user may see."""
    today = today or timezone.localdate()
    acting = scope.acting(user)
    rows = scope.scoped(user, Transfer.objects.all())
    if acting is None or name not in BOXES or not acting.allows(lambda role: role.reads_members):
        return rows.none()  # the inboxes are the organizations' work, not a member's
    path = acting.organization.path
    expired = Q(state=TransferState.ISSUED, valid_until__lt=today)
    late_receipt = Q(state=TransferState.ACCEPTED, receipt_date__isnull=True, accepted_date__lt=add_months(today, -1))
    mine = Q(from_org__path__startswith=path) | Q(to_org__path__startswith=path)
    wanted = {
        "approvals": Q(state__in=[TransferState.REQUESTED, TransferState.APPROVED])
        & (Q(sending_committee__path__startswith=path) | Q(from_org__path__startswith=path)),
        "incoming": Q(state=TransferState.ISSUED, kind=TransferKind.INSIDE, to_org__path__startswith=path),
        "outgoing": Q(state=TransferState.ISSUED, from_org__path__startswith=path),
        "overdue": (expired | late_receipt) & mine,
        "pocket": expired & Q(from_org__path__startswith=path),
    }[name]
    return rows.filter(wanted)


def inbox_counts(user: Any, today: dt.date | None = None) -> dict[str, int]:
    return {name: box(user, name, today).count() for name in BOXES}


def get_transfer(user: Any, pk: int) -> Transfer:
    return scope.get_scoped_or_404(
        user, Transfer.objects.select_related("member", "from_org", "to_org", "sending_committee"), pk=pk
    )
