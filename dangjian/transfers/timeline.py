"""The transfers' entries on a member's timeline (党员档案历程)."""

from collections.abc import Iterable

from django.utils import timezone

from dangjian.members.models import Member
from dangjian.members.timeline import Entry

from .models import Transfer, TransferState


def transfer_entries(member: Member) -> Iterable[Entry]:
    transfers = Transfer.objects.filter(member=member).select_related("from_org", "to_org")
    for transfer in transfers:
        route = f"{transfer.from_name} → {transfer.to_name}"
        yield Entry(timezone.localdate(transfer.requested_at), "组织关系转接", f"申请转接：{route}")
        if transfer.issued_date:
            yield Entry(transfer.issued_date, "组织关系转接", f"开具介绍信第{transfer.letter_number}号")
        if transfer.state == TransferState.ACCEPTED and transfer.accepted_date:
            yield Entry(transfer.accepted_date, "组织关系转接", f"{transfer.to_name}接收组织关系")
        elif transfer.closed_at:
            why = f"：{transfer.return_reason}" if transfer.return_reason else ""
            yield Entry(timezone.localdate(transfer.closed_at), "组织关系转接", f"{transfer.get_state_display()}{why}")
