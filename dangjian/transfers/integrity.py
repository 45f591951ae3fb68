"""The transfers' invariants, checked by ``manage.py check_integrity`` with the registry's own:
no transfer is half-done.

- an open transfer's member is still where it started (the sending side keeps the member until
  received) and still on the registry;
- an accepted transfer inside the tree moved the member: a membership period at the sending
  organization ends on the accepted date and one at the receiving organization starts on it;
- an accepted transfer to outside the tree took the member off the roll: the period at the
  sending organization ended on the accepted date, and the member is 已转出 unless a letter from
  outside brought them back later;
- an accepted transfer from outside opened the member's period at the receiving organization;
- an issued letter has its number, validity and dues month.
"""

from django.db.models import Exists, F, OuterRef, Q

from dangjian.members.integrity import per_record
from dangjian.members.models import MembershipPeriod, Status

from .models import OPEN_STATES, Transfer, TransferKind, TransferState


def problems(limit: int = 50) -> list[str]:
    accepted = Transfer.objects.filter(state=TransferState.ACCEPTED)
    periods = MembershipPeriod.objects.filter(member_id=OuterRef("member_id"))
    returns = accepted.filter(kind=TransferKind.FROM_OUTSIDE, member_id=OuterRef("member_id"))
    checks = [
        (
            Transfer.objects.filter(
                state__in=OPEN_STATES, kind__in=[TransferKind.INSIDE, TransferKind.TO_OUTSIDE]
            ).filter(~Q(member__organization_id=F("from_org_id")) | Q(member__deleted_at__isnull=False)),
            "未办结，但党员已不在转出组织",
        ),
        (
            accepted.filter(kind=TransferKind.INSIDE).exclude(
                Exists(periods.filter(organization_id=OuterRef("from_org_id"), end=OuterRef("accepted_date")))
                & Exists(periods.filter(organization_id=OuterRef("to_org_id"), start=OuterRef("accepted_date")))
            ),
            "已接收，但党员的组织隶属期间没有在接收日期由转出组织转到转入组织",
        ),
        (
            accepted.filter(kind=TransferKind.TO_OUTSIDE).exclude(
                Exists(periods.filter(organization_id=OuterRef("from_org_id"), end=OuterRef("accepted_date")))
            ),
            "已转出到系统外，但党员在转出组织的隶属期间没有在接收日期结束",
        ),
        (
            accepted.filter(kind=TransferKind.TO_OUTSIDE)
            .exclude(member__status=Status.TRANSFERRED_OUT)
            .exclude(Exists(returns.filter(accepted_date__gte=OuterRef("accepted_date")))),
            "已转出到系统外，但党员的党籍状态不是“已转出”，也没有此后由系统外转回的记录",
        ),
        (
            accepted.filter(kind=TransferKind.FROM_OUTSIDE).exclude(
                Exists(periods.filter(organization_id=OuterRef("to_org_id"), start=OuterRef("accepted_date")))
            ),
            "已从系统外转入，但党员在转入组织没有自接收日期起的隶属期间",
        ),
        (
            Transfer.objects.filter(state=TransferState.ISSUED).filter(
                Q(valid_until__isnull=True) | Q(issued_date__isnull=True) | Q(dues_paid_through__isnull=True)
            ),
            "介绍信已开具，但缺少有效期或党费交至月份",
        ),
    ]
    return per_record(checks, "组织关系转接", limit)
