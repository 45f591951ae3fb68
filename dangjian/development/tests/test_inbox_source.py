"""What member development puts in the inbox (development/inbox.py): the due page's items, each
at the organization that must act, opened and closed through the real services and the refresh
they schedule."""

import pytest
from django.utils import timezone

from dangjian.core import inbox
from dangjian.core.models import InboxItem, InboxState
from dangjian.development import reports, services

from .conftest import ASSESSMENTS, D, walk


def open_items():
    return [
        (i.kind, i.due, i.organization_id)
        for i in InboxItem.objects.filter(source="development", state=InboxState.OPEN).order_by("due")
    ]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """The block's services as requests run them: each scheduled refresh runs at the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_inbox_holds_what_the_due_page_shows(world, applicant):
    walk(world, applicant, 6)
    inbox.refresh(sources=["development"])
    page = reports.due_items(world.town_admin, world.town, timezone.localdate())
    assert [(i.kind, i.due) for i in page] == [(kind, due) for kind, due, _ in open_items()]
    item = InboxItem.objects.get(source="development", state=InboxState.OPEN)
    assert item.subject == applicant and item.link == f"/development/{applicant.pk}/"
    assert "陈晓" in item.title and "培养考察" in item.title


def test_an_assessment_recorded_closes_its_half_year(world, applicant, committed):
    with committed():
        walk(world, applicant, 6)  # an activist since 2022-07-15, never assessed
    assert open_items()[0] == ("半年考察", D(2023, 1, 15), world.village.pk)
    first = InboxItem.objects.get(source="development", state=InboxState.OPEN)
    with committed():
        services.record_assessment(actor=world.branch_admin, applicant=applicant, date=ASSESSMENTS[0], note="表现良好")
    assert InboxItem.objects.get(pk=first.pk).state == InboxState.DONE
    assert open_items()[0][:2] == ("半年考察", D(2023, 7, 15))  # the next half year still lacks one


def test_an_approval_overdue_is_the_upper_committee_s_until_it_approves(world, applicant, committed):
    with committed():
        walk(world, applicant, 15)  # the branch voted on 2023-10-10; three months passed long ago
    assert ("审批超期", D(2024, 1, 10), world.town.pk) in open_items()
    assert inbox.items_for(world.town_admin, kind="审批超期").exists()
    assert not inbox.items_for(world.branch_admin, kind="审批超期").exists()  # not the branch's work
    with committed():
        walk(world, applicant, 17)  # approved
    assert all(kind != "审批超期" for kind, _, _ in open_items())
    assert InboxItem.objects.get(source="development", kind="审批超期").state == InboxState.DONE


def test_refreshing_again_changes_nothing(world, applicant):
    walk(world, applicant, 15)
    assert inbox.refresh(sources=["development"])[0].opened >= 1
    assert [(o.opened, o.updated, o.closed) for o in inbox.refresh(sources=["development"])] == [(0, 0, 0)]
