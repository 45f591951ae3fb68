"""Two changes to one branch's meetings at the same moment (PostgreSQL: row locks are real there):
the second recount waits for the first to commit, so the month tally holds both."""

import threading
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction

from conftest import build_world, load_world
from dangjian.meetings import services, tally
from dangjian.meetings.models import MeetingKind

from .conftest import D, record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_world(_world_keys: Any, transactional_db: Any) -> Any:
    # An earlier transactional test's flush may have emptied the shipped kinds: put them back.
    import_module("dangjian.meetings.migrations.0002_kinds_rules_and_ratings").forward(apps, None)
    try:
        return load_world(_world_keys)
    except ObjectDoesNotExist:
        return build_world()  # committed: the test's flush removes it again


def test_a_meeting_deleted_while_another_is_recorded_leaves_the_tally_right(live_world: Any) -> None:
    world = live_world
    mistake = record(world, world.village, D(2026, 3, 1), "theme_day")
    first_counted = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():  # holds its recount uncommitted a while
                record(world, world.village, D(2026, 3, 5), "theme_day")
                first_counted.set()
                threading.Event().wait(0.5)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_counted.wait(5)
            services.delete_meeting(actor=world.county_admin, meeting=mistake, reason="误录")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(first), pool.submit(second)]:
            done.result()
    kind = str(MeetingKind.objects.get(code="theme_day").pk)
    assert tally.months(tally.read(world.county.path, 2026).counts[world.village.pk][kind])[2] == 1
