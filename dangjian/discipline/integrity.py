"""The sanctions' invariants, checked by ``manage.py check_integrity`` with the registry's own:

- a 开除党籍 made the member 出党 (开除党籍) from its decision date (a status period says so);
- a 留党察看 ended by 开除党籍 names that 开除党籍, decided on the day it ended.
"""

from django.db.models import Exists, F, OuterRef, Q

from dangjian.members.integrity import per_record
from dangjian.members.models import LeftReason, Status, StatusPeriod

from .models import Ending, Sanction, SanctionKind


def problems(limit: int = 50) -> list[str]:
    expelled = StatusPeriod.objects.filter(
        member_id=OuterRef("member_id"),
        status=Status.LEFT,
        left_reason=LeftReason.EXPELLED,
        start=OuterRef("decided_on"),
    )
    checks = [
        (
            Sanction.objects.filter(kind=SanctionKind.EXPULSION).exclude(Exists(expelled)),
            "开除党籍，但党员的党籍状态没有自决定日期起变为出党（开除党籍）",
        ),
        (
            Sanction.objects.filter(ending=Ending.EXPELLED).filter(
                Q(expulsion__isnull=True) | ~Q(expulsion__decided_on=F("ended_on"))
            ),
            "留党察看以开除党籍结束，但没有同日的开除党籍决定",
        ),
    ]
    return per_record(checks, "党纪处分", limit)
