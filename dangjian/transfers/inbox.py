"""What transfers and mobile members put in the one inbox (``core.inbox``), each item at the
organization that must act (RULES.md §3):

- source "transfers" (组织关系转接): a request to approve and a letter to issue (the sending
  基层党委), a letter to accept while it is valid (the receiving 基层党委), a letter expired before
  anyone received the member (the sender looks into it and re-issues: 补转), the 回执 the receiving
  基层党委 owes within a month of receiving the member;
- source "mobile" (流动党员): at the organization holding the member's relation, the contact due
  every six months, the member out of contact for six months (停止党籍), suspended two years and
  still unreachable (除名), and the yearly review of the activity certificate (年审).

Work falling due within ``LEAD_DAYS`` is listed ahead of its deadline."""

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from dangjian.core import inbox
from dangjian.core.dates import add_months, add_years
from dangjian.members.models import Status
from dangjian.orgs.models import Organization

from . import rules
from .models import OPEN_STATES, MobileMember, Transfer, TransferKind, TransferState

TRANSFERS, MOBILE = "transfers", "mobile"
LEAD_DAYS = 30  # as the development due list: what falls due within a month is on it already


def handling_days() -> int:
    return int(getattr(settings, "TRANSFER_HANDLING_DAYS", rules.HANDLING_DAYS))


def _sides(transfer: Transfer) -> tuple[Organization | None, Organization | None]:
    """The organizations that act for the sending and the receiving side."""
    return transfer.sending_committee or transfer.from_org, transfer.receiving_committee or transfer.to_org


def _transfer_items(transfer: Transfer, today: dt.date) -> Iterator[tuple[str, Organization | None, str, str, dt.date]]:
    """(key suffix, organization, kind, title, due) of one transfer."""
    sender, receiver = _sides(transfer)
    name, letter = transfer.member_name, f"第{transfer.letter_number}号"
    state = transfer.state
    if state in (TransferState.REQUESTED, TransferState.APPROVED):
        due = transfer.requested_at.date() + dt.timedelta(days=handling_days())
        if state == TransferState.REQUESTED:
            yield "approve", sender, "待审批", f"{name}申请将组织关系转至{transfer.to_name}，待审批", due
        else:
            yield "issue", sender, "待开介绍信", f"{name}转至{transfer.to_name}已审批同意，待开具介绍信", due
    elif state == TransferState.ISSUED and transfer.valid_until is not None:
        if transfer.valid_until >= today and transfer.kind == TransferKind.INSIDE:
            until = f"{transfer.valid_until:%Y-%m-%d}"
            title = f"{transfer.from_name}开具的{name}组织关系介绍信（{letter}）待接收，有效期至{until}"
            yield "accept", receiver, "待接收", title, transfer.valid_until
        elif transfer.valid_until < today:
            after = "对方尚未接收" if transfer.kind == TransferKind.INSIDE else "尚未收到对方回执"
            title = (
                f"{name}转至{transfer.to_name}的介绍信（{letter}）已于{transfer.valid_until:%Y-%m-%d}过期，{after}，"
                "应查明原因，必要时重新开具"
            )
            yield "expired", sender, "介绍信过期", title, transfer.valid_until
    elif state == TransferState.ACCEPTED and transfer.receipt_date is None and transfer.accepted_date is not None:
        due = rules.receipt_due(transfer.accepted_date)
        title = (
            f"{name}的组织关系已于{transfer.accepted_date:%Y-%m-%d}接收，"
            f"应在{due:%Y-%m-%d}前将回执联寄回{transfer.from_name}并登记回执"
        )
        yield "receipt", receiver, "寄回回执", title, due


def compute_transfers(today: dt.date, path: str | None) -> Iterator[inbox.Due]:
    owed_receipt = Q(
        state=TransferState.ACCEPTED,
        receipt_date__isnull=True,
        kind__in=[TransferKind.INSIDE, TransferKind.FROM_OUTSIDE],
    )
    rows = Transfer.objects.filter(Q(state__in=OPEN_STATES) | owed_receipt, member__deleted_at__isnull=True)
    if path:
        sides = ("sending_committee", "receiving_committee", "from_org", "to_org")
        touching = Q()
        for side in sides:
            touching |= Q(**{f"{side}__path__startswith": path})
        rows = rows.filter(touching)
    rows = rows.select_related("from_org", "to_org", "sending_committee", "receiving_committee")
    for transfer in rows.order_by("pk"):
        link = reverse("transfers:detail", args=[transfer.pk])
        for suffix, organization, kind, title, due in _transfer_items(transfer, today):
            if organization is None:
                continue
            yield inbox.Due(
                key=f"transfer:{transfer.pk}:{suffix}",
                organization_id=organization.pk,
                org_path=organization.path,
                kind=kind,
                title=title,
                due=due,
                link=link,
                subject=transfer,
            )


def _mobile_items(mobile: MobileMember, today: dt.date) -> Iterator[tuple[str, str, str, dt.date]]:
    """(key suffix, kind, title, due) of one member away."""
    member = mobile.member
    who = f"{member.name}（外出{mobile.destination}）"
    horizon = today + dt.timedelta(days=LEAD_DAYS)
    suspended = member.status_date if member.status == Status.SUSPENDED else None
    alert = rules.contact_alert(mobile.last_contact_date, suspended, today)
    if alert == rules.ContactAlert.REMOVE:
        since = suspended or add_months(mobile.last_contact_date, rules.LOST_CONTACT_MONTHS)
        title = f"{who}停止党籍满2年仍无法取得联系，应按规定予以除名"
        yield "removal", "应予除名", title, add_years(since, rules.REMOVAL_YEARS)
        return
    if suspended is not None:
        return  # suspended, not yet two years: nothing due until the removal
    contact = add_months(mobile.last_contact_date, rules.CONTACT_MONTHS)
    period = f"{mobile.last_contact_date:%Y-%m-%d}"
    if alert == rules.ContactAlert.SUSPEND:
        title = f"{who}自{period}起失联已满6个月，应继续查找，仍无法取得联系的按规定停止党籍"
        yield f"contact:{period}", "失联满6个月", title, contact
    elif contact <= horizon:
        yield f"contact:{period}", "定期联系", f"应在{contact:%Y-%m-%d}前与{who}取得联系并登记", contact
    if mobile.certificate_number:
        review = rules.review_date(mobile.left_date, mobile.last_review_date)
        if review <= horizon:
            title = f"{who}的流动党员活动证（{mobile.certificate_number}）应在{review:%Y-%m-%d}前年审"
            yield f"review:{review:%Y-%m-%d}", "活动证年审", title, review


def compute_mobile(today: dt.date, path: str | None) -> Iterator[inbox.Due]:
    rows = MobileMember.objects.filter(returned_date__isnull=True, member__deleted_at__isnull=True)
    if path:
        rows = rows.filter(member__org_path__startswith=path)
    for mobile in rows.select_related("member").order_by("pk"):
        link = reverse("transfers:mobile_detail", args=[mobile.pk])
        for suffix, kind, title, due in _mobile_items(mobile, today):
            yield inbox.Due(
                key=f"mobile:{mobile.pk}:{suffix}",
                organization_id=mobile.member.organization_id,
                org_path=mobile.member.org_path,
                kind=kind,
                title=title,
                due=due,
                link=link,
                subject=mobile,
            )


def transfer_changed(transfer: Transfer) -> None:
    """A step of the transfer was done: both sides' items follow once the service commits."""
    paths = {side.path for side in _sides(transfer) if side is not None}
    for path in paths:
        inbox.refresh_soon(TRANSFERS, path)


def mobile_changed(mobile: MobileMember) -> None:
    """A contact, a review, a return: the outflow side's items follow once the service commits."""
    inbox.refresh_soon(MOBILE, mobile.member.org_path)
