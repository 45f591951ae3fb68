"""The sanctions' invariants, checked by ``manage.py check_integrity`` with the registry's own:

- a 开除党籍 made the member 出党 (开除党籍) from its decision date (a status period says so);
- a 留党察看 ended by 开除党籍 names that 开除党籍, decided on the day it ended;
- nobody holds a party post during a 留党察看 (a sanction recorded before posts ended with it:
  the post is named, to be relieved).
"""

from django.db.models import Exists, F, OuterRef, Q

from dangjian.elections.models import Officer
from dangjian.members.integrity import per_record
from dangjian.members.models import LeftReason, Status, StatusPeriod

from .models import Ending, Sanction, SanctionKind


def _posts_under_probation(limit: int) -> list[str]:
    """Posts held on a day of a 留党察看, from its decision until its rights were restored or the
    member expelled (the officers of members who had one: few)."""
    rows = (
        Officer.objects.filter(member__sanctions__kind=SanctionKind.PROBATION)
        .select_related("term__organization")
        .annotate(
            sanction_id=F("member__sanctions__pk"),
            sanction_name=F("member__sanctions__member_name"),
            decided_on=F("member__sanctions__decided_on"),
            ended_on=F("member__sanctions__ended_on"),
        )
        .order_by("member__sanctions__pk", "pk")
    )
    found = []
    for officer in rows.iterator():
        until, ended = officer.until, officer.ended_on
        held = until is None or (until > officer.since and until > officer.decided_on)
        if held and (ended is None or officer.since < ended):
            found.append(
                f"党纪处分#{officer.sanction_id}（{officer.sanction_name}）"
                f"留党察看期间仍担任{officer.title}（{officer.since:%Y-%m-%d}起），应予免去"
            )
            if len(found) >= limit:
                break
    return found


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
    found = per_record(checks, "党纪处分", limit)
    return found + _posts_under_probation(limit - len(found)) if len(found) < limit else found
