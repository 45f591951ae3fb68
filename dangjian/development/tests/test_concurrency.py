"""Two people acting on one file at once (PostgreSQL: row locks are real there): exactly one wins,
the other is told what happened, and nothing is written twice."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection

from conftest import build_world, load_world
from dangjian.approvals.services import steps_for
from dangjian.core.errors import DomainError
from dangjian.core.models import User
from dangjian.development import services
from dangjian.development.models import Applicant, StepRecord
from dangjian.development.services import StepInput

from .conftest import ID_NUMBER, open_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _both(work: Any, users: list[int]) -> list[str]:
    """``work(user)`` in two threads at once, one per user; what each got."""
    barrier = threading.Barrier(2)

    def run(pk: int) -> str:
        user = User.objects.get(pk=pk)
        barrier.wait()
        try:
            work(user)
            return "won"
        except DomainError as error:
            return str(error)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, users))


@pytest.fixture
def live_world(_world_keys, transactional_db):
    try:
        return load_world(_world_keys)
    except ObjectDoesNotExist:
        return build_world()  # committed: the test's flush removes it again


def test_two_people_entering_the_same_step_at_once_one_wins(live_world):
    world = live_world
    applicant = open_file(world)
    zhangsan = world.zhangsan

    def talk(user: User) -> None:
        data = StepInput(talkers=[zhangsan])
        services.enter_step(actor=user, applicant=applicant, step=2, date=dt.date(2022, 1, 25), data=data)

    results = _both(talk, [world.branch_admin.pk, world.town_admin.pk])
    assert results.count("won") == 1, results
    assert "已办理" in next(r for r in results if r != "won")
    assert StepRecord.objects.filter(applicant=applicant, step=2).count() == 1
    assert steps_for(applicant).count() == 2


def test_two_people_opening_a_file_for_one_person_at_once_one_wins(live_world):
    world = live_world

    def apply(user: User) -> None:
        open_file(world, actor=user)

    results = _both(apply, [world.branch_admin.pk, world.town_admin.pk])
    assert results.count("won") == 1, results
    assert "一人一档" in next(r for r in results if r != "won")
    assert Applicant.objects.filter(id_tail=ID_NUMBER[-4:]).count() == 1
