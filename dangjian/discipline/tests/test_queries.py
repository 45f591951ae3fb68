"""The reader member development calls: who is under 留党察看 on a date, at its boundaries."""

import datetime as dt

import pytest

from dangjian.discipline import services
from dangjian.discipline.queries import probation_discipline_q, under_probation_discipline
from dangjian.members.models import Member

D = dt.date


@pytest.mark.parametrize(
    ("on", "under"),
    [
        (D(2023, 1, 14), False),  # the day before the decision
        (D(2023, 1, 15), True),  # the day it is decided
        (D(2024, 1, 14), True),  # its last day
        (D(2024, 1, 15), False),  # the end date: over (the period is half-open)
    ],
)
def test_a_one_year_probation(world, make_probation, on, under):
    make_probation(world)
    ids = [world.zhangsan.pk, world.lisi.pk]
    assert under_probation_discipline(ids, on) == ({world.zhangsan.pk} if under else set())


def test_an_extension_moves_the_end(world, make_probation):
    sanction = make_probation(world)
    services.extend_probation_discipline(
        actor=world.town_admin, sanction=sanction, date=D(2024, 1, 20), reason="未达条件"
    )
    ids = [world.zhangsan.pk]
    # Extended on 2024-01-20: from then on it reads to 2025-01-15 for every date, the days before too.
    assert under_probation_discipline(ids, D(2024, 1, 15)) == {world.zhangsan.pk}
    assert under_probation_discipline(ids, D(2025, 1, 14)) == {world.zhangsan.pk}
    assert under_probation_discipline(ids, D(2025, 1, 15)) == set()


def test_restoration_on_the_end_date(world, make_probation):
    sanction = make_probation(world)
    services.restore_rights(actor=world.town_admin, sanction=sanction, date=D(2024, 1, 15))
    ids = [world.zhangsan.pk]
    assert under_probation_discipline(ids, D(2024, 1, 14)) == {world.zhangsan.pk}  # history stays
    assert under_probation_discipline(ids, D(2024, 1, 15)) == set()


def test_restoring_early_is_refused_so_the_reader_never_sees_it(world, make_probation):
    from dangjian.core.errors import DomainError

    sanction = make_probation(world)
    with pytest.raises(DomainError):
        services.restore_rights(actor=world.town_admin, sanction=sanction, date=D(2023, 12, 1))
    assert under_probation_discipline([world.zhangsan.pk], D(2023, 12, 1)) == {world.zhangsan.pk}


def test_expulsion_ends_it_from_its_date(world, make_probation):
    sanction = make_probation(world)
    services.expel(actor=world.town_admin, sanction=sanction, date=D(2023, 6, 1), reason="又犯")
    ids = [world.zhangsan.pk]
    assert under_probation_discipline(ids, D(2023, 5, 31)) == {world.zhangsan.pk}
    assert under_probation_discipline(ids, D(2023, 6, 1)) == set()


def test_other_sanctions_do_not_count(world):
    services.record_sanction(
        actor=world.town_admin,
        member=world.lisi,
        kind="serious_warning",
        decided_on=D(2024, 1, 1),
        deciding_org=world.town,
        reason="违纪",
    )
    assert under_probation_discipline([world.lisi.pk], D(2024, 6, 1)) == set()


def test_only_the_ids_asked_and_in_one_query(world, make_probation, django_assert_num_queries):
    make_probation(world)
    make_probation(world, world.wangfang, months=24)
    with django_assert_num_queries(1):
        assert under_probation_discipline(iter([world.wangfang.pk, world.lisi.pk]), D(2024, 6, 1)) == {
            world.wangfang.pk
        }
    with django_assert_num_queries(0):
        assert under_probation_discipline([], D(2024, 6, 1)) == set()


def test_the_member_q_for_querysets(world, make_probation):
    make_probation(world)
    on = D(2023, 6, 1)
    assert list(Member.objects.filter(probation_discipline_q(on))) == [world.zhangsan]
    assert world.zhangsan not in Member.objects.exclude(probation_discipline_q(on))
