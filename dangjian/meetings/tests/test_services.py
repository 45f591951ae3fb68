"""Recording meetings: the expected list from the roll of the day, the attendance, and every bad
input refused with its own Chinese message and nothing written."""

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.meetings import services
from dangjian.meetings.models import Attendance, LifeSettings, Meeting, Presence, Standing
from dangjian.members.models import PartyGroup
from dangjian.members.moves import move_member
from dangjian.transfers.services_mobile import register_outflow

from .conftest import D, kinds, record

TODAY = timezone.localdate()


def expected_names(meeting: Meeting) -> list[str]:
    return sorted(a.member.name for a in meeting.attendance.filter(expected=True).select_related("member"))


def test_attendance_is_computed_from_membership_on_the_meeting_date(world: Any) -> None:
    move = TODAY - dt.timedelta(days=20)
    move_member(world.lisi, world.community, move, "组织关系转接")
    move_member(world.wangfang, world.village, move, "组织关系转接")
    week_before = record(world, world.village, move - dt.timedelta(days=7), "theme_day")
    week_after = record(world, world.village, move + dt.timedelta(days=7), "theme_day")
    # Before the move 李四 was still in the village and 王芳 not yet; after it, the other way round.
    assert expected_names(week_before) == ["张三", "李四"]
    assert expected_names(week_after) == ["张三", "王芳"]
    community = record(world, world.community, move + dt.timedelta(days=7), "general_assembly")
    assert expected_names(community) == ["李四"]


def test_probationary_members_attend_without_a_vote_and_inflow_members_as_guests(world: Any) -> None:
    world.lisi.category, world.lisi.regularized_date = "probationary", None
    world.lisi.save()
    register_outflow(
        actor=world.county_admin,
        member=world.wangfang,
        destination="本县兴丰村",
        reason="务工",
        contact="13800000000",
        expected_months=12,
        left_date=D(2026, 1, 5),
    )
    from dangjian.transfers.models import MobileMember

    MobileMember.objects.filter(member=world.wangfang).update(inflow_org=world.village)
    meeting = record(world, world.village, D(2026, 3, 10), "general_assembly")
    rows = {a.member.name: a for a in meeting.attendance.select_related("member")}
    assert rows["张三"].standing == Standing.VOTING and rows["张三"].expected
    assert rows["李四"].standing == Standing.PROBATIONARY and rows["李四"].expected
    assert rows["王芳"].standing == Standing.INFLOW and not rows["王芳"].expected


def test_a_committee_meeting_below_quorum_is_recorded_flagged_and_not_counted(world: Any, committee: list[Any]) -> None:
    meeting = record(world, world.village, D(2026, 4, 8), "committee")
    assert expected_names(meeting) == ["刘七", "张三", "李四"]
    assert (meeting.quorum_met, meeting.counted) == (False, False)
    one = {world.zhangsan.pk: (Presence.PRESENT, ""), world.lisi.pk: (Presence.LEAVE, "外出办事")}
    services.mark_attendance(actor=world.county_admin, meeting=meeting, marks=one)
    meeting.refresh_from_db()
    assert (meeting.quorum_met, meeting.counted) == (False, False)  # 1 of 3 present
    two = {committee[2].pk: (Presence.PRESENT, "")}
    services.mark_attendance(actor=world.county_admin, meeting=meeting, marks=two)
    meeting.refresh_from_db()
    assert (meeting.quorum_met, meeting.counted) == (True, True)  # 2 of 3: more than half


def test_a_record_typed_in_after_the_setting_s_days_is_marked_backfilled(world: Any) -> None:
    late = record(world, world.village, TODAY - dt.timedelta(days=8), "theme_day")
    on_time = record(world, world.village, TODAY - dt.timedelta(days=7), "theme_day")
    assert (late.backfilled, late.entered_on, late.held_on) == (True, TODAY, TODAY - dt.timedelta(days=8))
    assert on_time.backfilled is False


def refused(world: Any, field: str, *codes: str, **values: Any) -> str:
    before = (Meeting.objects.count(), Attendance.objects.count())
    organization = values.pop("organization", world.village)
    held_on = values.pop("held_on", D(2026, 3, 10))
    with pytest.raises(DomainError) as caught:
        record(world, organization, held_on, *codes, **values)
    assert (Meeting.objects.count(), Attendance.objects.count()) == before  # nothing written
    assert field in caught.value.errors, caught.value.errors
    return caught.value.errors[field][0]


def test_bad_input_is_refused_field_by_field(world: Any, committee: list[Any]) -> None:
    assert "不能晚于今天" in refused(world, "held_on", "theme_day", held_on=TODAY + dt.timedelta(days=1))
    assert "成立日期" in refused(world, "held_on", "theme_day", held_on=D(1989, 12, 31))
    assert "不能合并" in refused(world, "kinds", "general_assembly", "committee")
    assert "请选择会议类型" in refused(world, "kinds")
    assert "请选择党小组" in refused(world, "party_group", "group")
    assert refused(world, "lecturer", "lecture") == "党课请填写授课人"
    assert "授课人职务" in refused(world, "lecturer_post", "lecture", lecturer="王书记")
    assert refused(world, "topic", "theme_day", topic="  ") == "请填写主题"
    assert refused(world, "place", "theme_day", place="x" * 101) == "地点不能超过100个字"
    assert "没有在任的支部委员会委员" in refused(world, "kinds", "committee", organization=world.community)
    assert refused(world, "participants", "talk") == "谈心谈话请选择谈话对象"


def test_a_group_of_another_branch_or_an_abolished_organization_is_refused(world: Any) -> None:
    other = PartyGroup.objects.create(organization=world.community, name="第一党小组")
    assert "不属于" in refused(world, "party_group", "group", party_group=other)
    type(world.village).objects.filter(pk=world.village.pk).update(abolished_date=D(2026, 3, 1))
    assert "已于2026-03-01撤销" in refused(world, "held_on", "theme_day", held_on=D(2026, 3, 10))


def test_backfilling_can_be_forbidden(world: Any) -> None:
    LifeSettings.objects.update_or_create(pk=LifeSettings.current().pk, defaults={"backfill_allowed": False})
    assert "不允许补录" in refused(world, "held_on", "theme_day", held_on=TODAY - dt.timedelta(days=30))
    assert record(world, world.village, TODAY - dt.timedelta(days=3), "theme_day").backfilled is False


def test_attendance_marks_are_checked(world: Any) -> None:
    meeting = record(world, world.village, D(2026, 3, 10), "theme_day")
    cases: list[tuple[dict[int, tuple[str, str]], str]] = [
        ({world.zhaoliu.pk: (Presence.PRESENT, "")}, "不在本次会议的应到或列席名单中"),
        ({world.lisi.pk: (Presence.LEAVE, " ")}, "李四请假，请填写请假事由"),
        ({world.lisi.pk: ("asleep", "")}, "李四的出席情况无效"),
    ]
    for marks, message in cases:
        with pytest.raises(DomainError) as caught:
            services.mark_attendance(actor=world.county_admin, meeting=meeting, marks=marks)
        assert message in str(caught.value)
    assert set(meeting.attendance.values_list("presence", flat=True)) == {Presence.UNMARKED}
    with pytest.raises(DomainError, match="请说明赵六列席的原因"):
        services.mark_attendance(actor=world.county_admin, meeting=meeting, marks={}, guests=[(world.zhaoliu, "")])
    services.mark_attendance(
        actor=world.county_admin, meeting=meeting, marks={}, guests=[(world.zhaoliu, "上级党委联系点")]
    )
    guest = meeting.attendance.get(member=world.zhaoliu)
    assert (guest.standing, guest.expected, guest.presence) == (Standing.GUEST, False, Presence.PRESENT)


def test_out_of_scope_answers_like_nonexistent(world: Any) -> None:
    with pytest.raises(Http404):
        record(world, world.village, D(2026, 3, 10), "theme_day", actor=world.other_admin)
    meeting = record(world, world.village, D(2026, 3, 10), "theme_day")
    with pytest.raises(Http404):
        services.mark_attendance(actor=world.other_admin, meeting=meeting, marks={})
    with pytest.raises(Http404):
        services.delete_meeting(actor=world.other_admin, meeting=meeting, reason="误录")


def test_a_record_made_by_mistake_is_deleted_with_the_reason(world: Any) -> None:
    meeting = record(world, world.village, D(2026, 3, 10), "theme_day")
    with pytest.raises(DomainError, match="请说明删除原因"):
        services.delete_meeting(actor=world.county_admin, meeting=meeting, reason="")
    services.delete_meeting(actor=world.county_admin, meeting=meeting, reason="重复录入")
    meeting.refresh_from_db()
    assert meeting.deleted_at is not None
    assert meeting.history.first().history_change_reason == "重复录入"


def test_the_lecturer_member_names_the_lecturer(world: Any) -> None:
    meeting = record(
        world, world.village, D(2026, 3, 10), "lecture", lecturer_member=world.zhangsan, lecturer_post="支部书记"
    )
    assert (meeting.lecturer, meeting.lecturer_post) == ("张三", "支部书记")
    assert {k.code for k in meeting.kinds.all()} == {"lecture"}
    assert kinds("lecture")[0].has_lecturer
