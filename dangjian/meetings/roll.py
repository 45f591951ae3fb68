"""Who is expected at a meeting (应到人员), read from the records of the meeting date: the
membership periods (a member transferred out the week before is not expected, one transferred in
is), the status periods (nobody deceased or gone), the party group, the committee's officers in the
term in force; mobile members registered as flowing in attend as guests (列席, for their own
organizational life, without a vote)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from dangjian.elections.models import Officer
from dangjian.members.models import Category, Member, MembershipPeriod, PartyGroup, Status, StatusPeriod
from dangjian.orgs.models import Organization
from dangjian.transfers.models import MobileMember

from .models import Attendees, Standing

OFF_ROLL = [status for status in Status if not status.is_on_roll]
# The widest attendance a combined meeting takes: a 主题党日 held as a 党员大会 expects every member.
WIDTH = [Attendees.ROLL, Attendees.GROUP, Attendees.COMMITTEE, Attendees.CHOSEN]


@dataclass(frozen=True)
class Expected:
    member: Member
    standing: Standing
    expected: bool = True


def standing_on(member: Member, day: dt.date) -> Standing:
    """正式党员 vote; 预备党员 attend without a vote (党章第七条)."""
    if member.category == Category.FULL and (member.regularized_date is None or member.regularized_date <= day):
        return Standing.VOTING
    return Standing.PROBATIONARY


def widest(attendees: list[str]) -> Attendees:
    return min((Attendees(a) for a in attendees), key=WIDTH.index, default=Attendees.CHOSEN)


def on_roll(organization: Organization, day: dt.date) -> list[Member]:
    """The members of ``organization`` on ``day``: a membership period covering it, joined by then,
    and no status off the roll (已故, 出党, 已转出) in force that day."""
    periods = MembershipPeriod.objects.filter(organization=organization, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )
    gone = StatusPeriod.objects.filter(status__in=OFF_ROLL, start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))
    return list(
        Member.objects.filter(pk__in=periods.values("member_id"), joined_date__lte=day, deleted_at__isnull=True)
        .exclude(pk__in=gone.values("member_id"))
        .order_by("name_pinyin", "pk")
    )


def committee_on(organization: Organization, day: dt.date) -> list[Member]:
    """The officers of the committee in force on ``day`` (one person holding two posts counts once)."""
    officers = Officer.objects.filter(term__organization=organization, term__start__lte=day, since__lte=day).filter(
        Q(term__actual_end__isnull=True) | Q(term__actual_end__gt=day), Q(until__isnull=True) | Q(until__gt=day)
    )
    return list(Member.objects.filter(pk__in=officers.values("member_id")).order_by("name_pinyin", "pk"))


def inflow_on(organization: Organization, day: dt.date) -> list[Member]:
    """Mobile members registered as flowing in to ``organization`` and away from home on ``day``."""
    mobile = MobileMember.objects.filter(inflow_org=organization, left_date__lte=day).filter(
        Q(returned_date__isnull=True) | Q(returned_date__gt=day)
    )
    return list(
        Member.objects.filter(pk__in=mobile.values("member_id"), deleted_at__isnull=True).order_by("name_pinyin")
    )


def expected(
    organization: Organization, attendees: Attendees, day: dt.date, group: PartyGroup | None = None
) -> list[Expected]:
    """The expected list of a meeting of ``organization`` on ``day``, and its guests by right."""
    if attendees == Attendees.CHOSEN:
        return []
    if attendees == Attendees.COMMITTEE:
        people = committee_on(organization, day)
    else:
        people = on_roll(organization, day)
        if attendees == Attendees.GROUP:
            # Group membership has no history of its own: the group's members now who were on the
            # branch's roll that day.
            people = [m for m in people if group is not None and m.party_group_id == group.pk]
    rows = [Expected(m, standing_on(m, day)) for m in people]
    if attendees != Attendees.COMMITTEE:
        here = {m.pk for m in people}
        rows += [Expected(m, Standing.INFLOW, expected=False) for m in inflow_on(organization, day) if m.pk not in here]
    return rows
