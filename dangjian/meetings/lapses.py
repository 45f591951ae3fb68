"""Members who took part in no organizational life for six consecutive months without a valid
reason (RULES.md §6.2: the first condition of 自行脱党), with the meetings they missed.

Read from the attendance the branches marked: present anywhere (at home, or as a mobile member at
the inflow organization) or on approved leave in the window clears a member; absent from at least
one meeting and present at none lists them. Attendance left unmarked says nothing either way, so a
branch that marks none lists nobody (its silence shows on the compliance map instead). Not listed:
members who joined within the window (not yet a member for the whole of it), and mobile members
whose destination is outside the system during the window (their life is kept where they went;
the mobile-member reviews follow them)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from dangjian.core import scope
from dangjian.members.models import Member, Status
from dangjian.orgs.models import Organization
from dangjian.transfers.models import MobileMember

from . import rules
from .models import Attendance, LifeSettings, Presence


@dataclass(frozen=True)
class Lapsed:
    member: Member
    missed: list[Attendance]


@dataclass(frozen=True)
class Found:
    window: rules.Span
    months: int
    rows: list[Lapsed]


def lapsed_members(user: Any, organization: Organization, as_of: dt.date) -> Found:
    months = LifeSettings.current().lapse_months
    window = rules.lapse_window(as_of, months)
    members = scope.scoped(user, Member.objects.filter(org_path__startswith=organization.path)).filter(
        status__in=[s for s in Status if s.is_on_roll], joined_date__lte=window.start
    )
    away = MobileMember.objects.filter(inflow_org__isnull=True, left_date__lte=window.end).filter(
        Q(returned_date__isnull=True) | Q(returned_date__gte=window.start)
    )
    in_window = Q(
        meeting__held_on__gte=window.start, meeting__held_on__lte=window.end, meeting__deleted_at__isnull=True
    )
    tallies = (
        Attendance.objects.filter(in_window, member__in=members.exclude(pk__in=away.values("member_id")))
        .values("member_id")
        .annotate(
            present=Count("id", filter=Q(presence=Presence.PRESENT)),
            leave=Count("id", filter=Q(presence=Presence.LEAVE)),
            missed=Count("id", filter=Q(presence=Presence.ABSENT, expected=True)),
        )
    )
    ids = [t["member_id"] for t in tallies if rules.lapsed(t["present"], t["leave"], t["missed"])]
    missed: dict[int, list[Attendance]] = {}
    for row in (
        Attendance.objects.filter(in_window, member_id__in=ids, presence=Presence.ABSENT, expected=True)
        .select_related("meeting")
        .order_by("meeting__held_on")
    ):
        missed.setdefault(row.member_id, []).append(row)
    people = Member.objects.filter(pk__in=ids).select_related("organization").order_by("org_path", "name_pinyin")
    return Found(window, months, [Lapsed(m, missed.get(m.pk, [])) for m in people])
