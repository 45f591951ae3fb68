"""The sanctions' entries on a member's timeline (党员档案历程)."""

from collections.abc import Iterable

from dangjian.members.models import Member
from dangjian.members.timeline import Entry

from .models import Ending, Sanction, SanctionKind

KIND = "党纪处分"


def sanction_entries(member: Member) -> Iterable[Entry]:
    for sanction in Sanction.objects.filter(member=member).order_by("decided_on", "pk"):
        number = f"，{sanction.document_number}" if sanction.document_number else ""
        what = sanction.get_kind_display()
        if sanction.kind == SanctionKind.PROBATION and sanction.months:
            what = f"留党察看{sanction.months // 12}年"
        yield Entry(
            sanction.decided_on, KIND, f"受到{what}处分（{sanction.deciding_org_name}决定{number}）：{sanction.reason}"
        )
        if sanction.extended_on:
            yield Entry(sanction.extended_on, KIND, f"留党察看延长一年，至{sanction.effect_until:%Y-%m-%d}期满")
        if sanction.ending == Ending.RESTORED and sanction.ended_on:
            yield Entry(sanction.ended_on, KIND, "留党察看期满，恢复党员权利")
