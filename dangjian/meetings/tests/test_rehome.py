"""A branch moved under another town takes its meetings' scope with it: the new town reads and
counts them, the old one no longer sees them."""

from typing import Any

from django.urls import reverse

from dangjian.core import scope
from dangjian.meetings import compliance
from dangjian.meetings.models import Meeting
from dangjian.orgs import restructure

from .conftest import D, record


def test_a_moved_branch_takes_its_meetings_to_the_new_town(world: Any) -> None:
    meeting = record(world, world.village, D(2026, 3, 10), "theme_day")
    restructure.move_organization(
        actor=world.county_admin, organization=world.village, new_parent=world.other_town, date=D(2026, 4, 1)
    )
    world.village.refresh_from_db()
    meeting.refresh_from_db()
    assert meeting.org_path == world.village.path

    def sees(user: Any) -> bool:
        return scope.scoped(user, Meeting.objects.filter(pk=meeting.pk)).exists()

    assert sees(world.other_admin) and not sees(world.town_admin)
    assert world.client(world.town_admin).get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    rows = compliance.year_of(world.other_admin, world.other_town, 2026, D(2026, 11, 30))  # from the meetings
    village = next(row for row in rows if row.organization.pk == world.village.pk)
    assert village.last_meeting == D(2026, 3, 10)
