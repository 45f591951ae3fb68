"""What committees and terms put in the inbox (elections/inbox.py): a term ending within the
warning months, or past its end, is its organization's item until a new term starts or it ends."""

import pytest
from django.utils import timezone

from dangjian.core import inbox
from dangjian.core.dates import add_months, add_years
from dangjian.core.models import InboxItem, InboxState
from dangjian.elections.services import end_term, start_term

TODAY = timezone.localdate


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def open_items():
    return {(i.kind, i.organization_id) for i in InboxItem.objects.filter(source="elections", state=InboxState.OPEN)}


def test_a_term_ending_soon_is_due_until_the_new_term_starts(world, committed):
    # A village branch's term is five years: this one ends in two months.
    with committed():
        term = start_term(
            actor=world.town_admin, organization=world.village, start=add_months(add_years(TODAY(), -5), 2)
        )
    assert open_items() == {("即将届满", world.village.pk)}
    item = InboxItem.objects.get(source="elections")
    assert item.due == term.expected_end and item.subject == term
    assert "第1届任期将于" in item.title and item.link == f"/elections/terms/{world.village.pk}/"
    assert [i.key for i in inbox.items_for(world.town_admin, source="elections")] == [f"term:{term.pk}"]
    assert not inbox.items_for(world.other_admin, source="elections").exists()
    with committed():
        start_term(actor=world.town_admin, organization=world.village, start=TODAY())
    assert open_items() == set()
    assert InboxItem.objects.get(pk=item.pk).state == InboxState.DONE


def test_a_term_past_its_end_is_overdue_until_it_ends(world, committed):
    with committed():
        term = start_term(actor=world.other_admin, organization=world.enterprise, start=add_years(TODAY(), -4))
    assert open_items() == {("到期未换届", world.enterprise.pk)}  # a 3-year term, a year overdue
    assert inbox.overdue_first(world.other_admin, 5)[0].key == f"term:{term.pk}"
    with committed():
        end_term(actor=world.other_admin, term=term, date=TODAY())
    assert open_items() == set()


def test_refreshing_again_changes_nothing(world):
    start_term(actor=world.town_admin, organization=world.village, start=add_years(TODAY(), -6))
    assert [(o.opened, o.updated, o.closed) for o in inbox.refresh(sources=["elections"])] == [(1, 0, 0)]
    assert [(o.opened, o.updated, o.closed) for o in inbox.refresh(sources=["elections"])] == [(0, 0, 0)]
