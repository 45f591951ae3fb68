"""/api/v1/meetings/: recorded through the same service as the page, refused with the same Chinese
messages, and nothing of another subtree in lists, details, nested people or the compliance."""

import datetime as dt
from typing import Any

from dangjian.meetings.models import Meeting, Presence

from .conftest import D, record


def test_a_meeting_is_recorded_and_marked_through_the_api(world: Any) -> None:
    client = world.client(world.branch_admin)
    body = {
        "organization": world.village.pk,
        "kinds": ["theme_day", "general_assembly"],
        "held_on": "2026-03-10",
        "starts_at": "09:00",
        "place": "党员活动室",
        "topic": "主题党日：学习党章",
    }
    response = client.post("/api/v1/meetings/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert sorted(created["kinds"]) == ["general_assembly", "theme_day"]
    assert {row["member_name"] for row in created["attendance"]} == {"张三", "李四"}
    marks = {"marks": [{"member": world.lisi.pk, "presence": "leave", "reason": ""}]}
    refused = client.post(f"/api/v1/meetings/{created['id']}/attendance/", marks, content_type="application/json")
    assert refused.status_code == 400 and "李四请假，请填写请假事由" in str(refused.json())
    marks["marks"][0]["reason"] = "外出务工"
    done = client.post(f"/api/v1/meetings/{created['id']}/attendance/", marks, content_type="application/json")
    rows = {row["member_name"]: row["presence"] for row in done.json()["attendance"]}
    assert rows == {"张三": Presence.UNMARKED, "李四": Presence.LEAVE}


def test_bad_input_gets_a_field_message_and_writes_nothing(world: Any) -> None:
    client = world.client(world.branch_admin)
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    body = {"organization": world.village.pk, "kinds": ["general_assembly", "committee"], "held_on": "2026-03-10"}
    body |= {"starts_at": "09:00", "place": "活动室", "topic": "会议"}
    response = client.post("/api/v1/meetings/", body, content_type="application/json")
    assert response.status_code == 400 and "不能合并" in str(response.json()["kinds"])
    response = client.post("/api/v1/meetings/", body | {"kinds": ["nonsense"]}, content_type="application/json")
    assert response.status_code == 400 and "kinds" in response.json()
    response = client.post(
        "/api/v1/meetings/", body | {"kinds": ["other"], "held_on": tomorrow}, content_type="application/json"
    )
    assert response.status_code == 400 and "held_on" in response.json()
    outside = body | {"kinds": ["other"], "organization": world.enterprise.pk}
    response = client.post("/api/v1/meetings/", outside, content_type="application/json")
    assert response.status_code == 400 and "不存在或不在您的管理范围内" in str(response.json()["organization"])
    assert not Meeting.objects.exists()


def test_lists_details_and_compliance_stay_in_the_subtree(world: Any) -> None:
    mine = record(world, world.village, D(2026, 3, 10), "theme_day")
    theirs = record(world, world.enterprise, D(2026, 3, 10), "theme_day")
    client = world.client(world.town_admin)
    ids = [row["id"] for row in client.get("/api/v1/meetings/").json()["results"]]
    assert ids == [mine.pk]
    assert client.get(f"/api/v1/meetings/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/meetings/?organization={world.enterprise.pk}").status_code == 400
    rows = client.get("/api/v1/meetings/compliance/?year=2026").json()
    assert {row["organization"] for row in rows} == {world.town.pk, world.village.pk, world.community.pk}
    assert all(len(row["months"]) == 12 for row in rows)
    assert client.get("/api/v1/meetings/compliance/?year=abc").status_code == 400


def test_a_guest_from_outside_the_readers_scope_shows_without_a_name(world: Any) -> None:
    from dangjian.meetings import services

    meeting = record(world, world.village, D(2026, 3, 10), "theme_day")
    services.mark_attendance(actor=world.county_admin, meeting=meeting, marks={}, guests=[(world.zhaoliu, "联系点")])
    rows = world.client(world.branch_admin).get(f"/api/v1/meetings/{meeting.pk}/").json()["attendance"]
    guest = next(row for row in rows if row["standing"] == "guest")
    assert (guest["member"], guest["member_name"]) == (None, None)
    county = world.client(world.county_admin).get(f"/api/v1/meetings/{meeting.pk}/").json()["attendance"]
    assert "赵六" in {row["member_name"] for row in county}
