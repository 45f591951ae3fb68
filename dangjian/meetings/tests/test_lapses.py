"""Six consecutive months without organizational life (RULES.md §6.2): listed with the meetings
missed; never someone on approved leave, mobile and attending elsewhere, or not yet a member."""

from typing import Any

from dangjian.meetings import lapses, services
from dangjian.meetings.models import Presence
from dangjian.transfers.models import MobileMember
from dangjian.transfers.services_mobile import register_outflow

from .conftest import D, record

AS_OF = D(2026, 11, 30)


def mark(world: Any, meeting: Any, **presence: tuple[str, str]) -> None:
    members = {"zhangsan": world.zhangsan, "lisi": world.lisi, "wangfang": world.wangfang}
    marks = {members[name].pk: value for name, value in presence.items()}
    services.mark_attendance(actor=world.county_admin, meeting=meeting, marks=marks)


def listed(world: Any) -> dict[str, list[str]]:
    found = lapses.lapsed_members(world.county_admin, world.county, AS_OF)
    return {row.member.name: [f"{a.meeting.held_on:%m-%d}" for a in row.missed] for row in found.rows}


def test_a_member_absent_from_every_meeting_for_six_months_is_listed_with_them(world: Any) -> None:
    for day in (D(2026, 6, 10), D(2026, 8, 10), D(2026, 10, 10)):
        meeting = record(world, world.village, day, "theme_day")
        mark(world, meeting, zhangsan=(Presence.PRESENT, ""), lisi=(Presence.ABSENT, ""))
    assert listed(world) == {"李四": ["06-10", "08-10", "10-10"]}


def test_one_meeting_attended_or_one_approved_leave_clears_the_member(world: Any) -> None:
    first = record(world, world.village, D(2026, 7, 10), "theme_day")
    second = record(world, world.village, D(2026, 9, 10), "theme_day")
    mark(world, first, zhangsan=(Presence.ABSENT, ""), lisi=(Presence.LEAVE, "住院治疗"))
    mark(world, second, zhangsan=(Presence.PRESENT, ""), lisi=(Presence.ABSENT, ""))
    assert listed(world) == {}


def test_absences_before_the_window_do_not_count(world: Any) -> None:
    old = record(world, world.village, D(2026, 5, 31), "theme_day")  # the window starts on 1 June
    mark(world, old, lisi=(Presence.ABSENT, ""))
    assert listed(world) == {}


def test_a_mobile_member_attending_at_the_inflow_organization_is_not_listed(world: Any) -> None:
    register_outflow(
        actor=world.county_admin,
        member=world.lisi,
        destination="新街社区",
        reason="务工",
        contact="13800000000",
        expected_months=12,
        left_date=D(2026, 1, 5),
    )
    MobileMember.objects.filter(member=world.lisi).update(inflow_org=world.community)
    home = record(world, world.village, D(2026, 8, 10), "theme_day")
    mark(world, home, lisi=(Presence.ABSENT, ""))
    assert listed(world) == {"李四": ["08-10"]}
    there = record(world, world.community, D(2026, 9, 10), "theme_day")
    services.mark_attendance(actor=world.county_admin, meeting=there, marks={world.lisi.pk: (Presence.PRESENT, "")})
    assert listed(world) == {}


def test_a_mobile_member_away_outside_the_system_is_not_listed(world: Any) -> None:
    register_outflow(
        actor=world.county_admin,
        member=world.lisi,
        destination="广东省深圳市",
        reason="务工",
        contact="13800000000",
        expected_months=12,
        left_date=D(2026, 3, 1),
    )
    meeting = record(world, world.village, D(2026, 8, 10), "theme_day")
    mark(world, meeting, lisi=(Presence.ABSENT, ""))
    assert listed(world) == {}


def test_a_member_who_joined_within_the_window_is_not_listed(world: Any) -> None:
    type(world.lisi).objects.filter(pk=world.lisi.pk).update(
        joined_date=D(2026, 7, 1), category="probationary", regularized_date=None
    )
    meeting = record(world, world.village, D(2026, 8, 10), "theme_day")
    mark(world, meeting, lisi=(Presence.ABSENT, ""))
    assert listed(world) == {}
    assert lapses.lapsed_members(world.other_admin, world.county, AS_OF).rows == []
