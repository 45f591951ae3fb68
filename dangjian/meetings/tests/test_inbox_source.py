"""Organizational life in the one inbox: an overdue duty and a silent branch open items of their
organization; recording the meeting (even back-filled) closes them."""

import datetime as dt
from typing import Any

from django.utils import timezone

from dangjian.core import inbox
from dangjian.core.models import InboxItem, InboxState
from dangjian.meetings.models import ComplianceRule, MeetingKind

from .conftest import record

TODAY = timezone.localdate()


def open_items(world: Any) -> dict[str, str]:
    items = InboxItem.objects.filter(source="meetings", state=InboxState.OPEN, organization=world.village)
    return {item.key: item.kind for item in items}


def test_an_overdue_month_opens_an_item_that_a_back_filled_meeting_closes(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ComplianceRule.objects.all().delete()
    ComplianceRule.objects.create(
        applies_to="branch",
        kind=MeetingKind.objects.get(code="theme_day"),
        period="month",
        valid_from=dt.date(2019, 1, 1),
        basis="《中国共产党党员教育管理工作条例》第十六条",
    )
    inbox.refresh(TODAY, sources=["meetings"])
    first = dt.date(TODAY.year, 1, 1)
    january = f"duty:{ComplianceRule.objects.get().pk}:{world.village.pk}:{first:%Y-%m-%d}"
    items = open_items(world)
    assert items[january] == ("组织生活逾期" if TODAY.month > 1 else "组织生活临期")
    assert items[f"silent:{world.village.pk}"] == "长期无组织生活"
    with django_capture_on_commit_callbacks(execute=True):  # the refresh after the service commits
        record(world, world.village, first + dt.timedelta(days=9), "theme_day")
    items = open_items(world)
    assert january not in items
    assert f"silent:{world.village.pk}" in items  # January's meeting is long ago
    with django_capture_on_commit_callbacks(execute=True):
        record(world, world.village, TODAY, "theme_day")
    assert f"silent:{world.village.pk}" not in open_items(world)
    closed = InboxItem.objects.get(key=january)
    assert closed.state == InboxState.DONE and closed.closed_at is not None
