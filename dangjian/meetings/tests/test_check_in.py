"""扫码签到: a member on the list, logged in, within the meeting's window, once; the code's image is
drawn by the server; a forged token, someone not expected, a second scan or a scan out of the
window each get their own message and change nothing."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.meetings import checkin, services
from dangjian.meetings.models import Attendance, Presence

from .conftest import record


def now_meeting(world: Any, **times: Any) -> Any:
    moment = timezone.localtime()
    start = (moment - dt.timedelta(minutes=10)).time().replace(second=0, microsecond=0)
    if moment.time() < dt.time(0, 15):
        pytest.skip("a meeting that started ten minutes ago would be dated yesterday")
    return record(world, world.village, moment.date(), "theme_day", starts_at=start, **times)


def test_a_member_on_the_list_checks_in_once_within_the_window(world: Any) -> None:
    meeting = now_meeting(world)
    client = world.client(world.member_user)  # 张三's login
    url = checkin.path(meeting.pk)
    page = client.get(url)
    assert page.status_code == 200 and "确认签到" in page.content.decode()
    done = client.post(url)
    assert "签到成功" in done.content.decode()
    row = Attendance.objects.get(meeting=meeting, member=world.zhangsan)
    assert row.presence == Presence.PRESENT and row.checked_in_at is not None
    again = client.post(url)
    assert again.status_code == 400 and "无需重复签到" in again.content.decode()


def test_a_forged_token_or_someone_not_expected_is_refused(world: Any) -> None:
    meeting = now_meeting(world)
    forged = world.client(world.member_user).post(f"/meetings/check-in/{meeting.pk}:forged/")
    assert "签到码无效" in forged.content.decode()
    with pytest.raises(DomainError, match="不在本次会议的应到人员名单中"):
        services.check_in(actor=world.town_admin, meeting_id=meeting.pk)  # no member record
    assert not Attendance.objects.filter(meeting=meeting, checked_in_at__isnull=False).exists()


def test_a_scan_outside_the_window_is_refused(world: Any) -> None:
    meeting = record(world, world.village, dt.date(2026, 3, 10), "theme_day", starts_at=dt.time(9), ends_at=dt.time(11))
    with pytest.raises(DomainError, match=r"签到时间为2026-03-10 08:30至11:30，当前不在签到时间内"):
        services.check_in(actor=world.member_user, meeting_id=meeting.pk)
    assert Attendance.objects.get(meeting=meeting, member=world.zhangsan).presence == Presence.UNMARKED


def test_the_code_is_an_svg_drawn_here_for_the_recorders_only(world: Any) -> None:
    meeting = record(world, world.village, dt.date(2026, 3, 10), "theme_day")
    image = world.client(world.branch_admin).get(f"/meetings/{meeting.pk}/qr.svg")
    assert image["Content-Type"] == "image/svg+xml" and image.content.startswith(b"<svg")
    assert image.content.count(b"h1v1h-1z") > 200  # the dark modules of a version-3 code or larger
    assert world.client(world.member_user).get(f"/meetings/{meeting.pk}/qr.svg").status_code in (403, 404)
    assert world.client(world.other_admin).get(f"/meetings/{meeting.pk}/qr/").status_code == 404
