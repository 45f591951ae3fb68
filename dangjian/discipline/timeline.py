"""The sanctions' entries on a member's timeline (党员档案历程)."""

from collections.abc import Iterable

from dangjian.members.models import Member
from dangjian.members.timeline import Entry

from .models import Ending, Sanction, SanctionKind

KIND = "党纪处分"
POSTS_TEXT = {
    SanctionKind.REMOVAL_FROM_POST: "；撤销{}职务",
    SanctionKind.PROBATION: "；党内职务（{}）自然撤销",
    SanctionKind.EXPULSION: "；党内职务（{}）随之撤销",
}


def sanction_entries(member: Member) -> Iterable[Entry]:
    rows = Sanction.objects.filter(member=member).prefetch_related("removed_posts__term__organization")
    for sanction in rows.order_by("decided_on", "pk"):
        number = f"，{sanction.document_number}" if sanction.document_number else ""
        what = sanction.get_kind_display()
        if sanction.kind == SanctionKind.PROBATION and sanction.months:
            what = f"留党察看{sanction.months // 12}年"
        text = f"受到{what}处分（{sanction.deciding_org_name}决定{number}）：{sanction.reason}"
        if titles := "、".join(officer.title for officer in sanction.removed_posts.all()):
            text += POSTS_TEXT[SanctionKind(sanction.kind)].format(titles)
        yield Entry(sanction.decided_on, KIND, text)
        if sanction.extended_on:
            yield Entry(sanction.extended_on, KIND, f"留党察看延长一年，至{sanction.effect_until:%Y-%m-%d}期满")
        if sanction.ending == Ending.RESTORED and sanction.ended_on:
            yield Entry(sanction.ended_on, KIND, "留党察看期满，恢复党员权利")
