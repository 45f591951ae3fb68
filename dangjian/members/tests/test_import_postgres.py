"""The member import's PostgreSQL path: COPY in binary format with ids from the sequence, and the
writer thread that inserts one batch while the next is checked (only outside a transaction, so
the last tests here commit, and flush the database after them)."""

import pytest
from django.core.exceptions import ObjectDoesNotExist

from conftest import build_world, load_world, make_id_number
from dangjian.core import bulk
from dangjian.members import imports
from dangjian.members.models import Member, MembershipPeriod, StatusPeriod
from dangjian.members.services import create_member
from dangjian.members.tests.test_import import line, person, xlsx

pytestmark = pytest.mark.postgres


def test_the_copy_path_writes_members_with_periods_and_ids_from_the_sequence(world):
    report = imports.import_members(actor=world.branch_admin, file=xlsx(line(phone="13812345678"), person(1)))
    assert report.ok, report.problems
    member = Member.objects.get(name="刘洋")
    assert member.id_number == make_id_number("1985-04-12", male=True, sequence=40)
    assert (member.phone, member.name_pinyin) == ("13812345678", "liuyang")
    assert member.periods.get().reason == "登记入册（导入）"
    assert member.status_periods.get().status == "normal"
    # The sequence moved past the imported ids: the next registration gets a fresh one.
    later = create_member(
        actor=world.branch_admin,
        organization=world.village,
        name="后来者",
        id_number=make_id_number("1990-01-01", male=True, sequence=90),
        education="bachelor",
        category="full",
        joined_date=member.joined_date,
        regularized_date=member.regularized_date,
    )
    assert later.pk > member.pk


@pytest.fixture
def live_world(_world_keys, transactional_db):
    try:
        return load_world(_world_keys)
    except ObjectDoesNotExist:
        return build_world()  # committed: the test's flush removes it again


@pytest.fixture
def concurrent(monkeypatch):
    """Batches of two rows, so that a small file goes through the writer thread; counts its batches."""
    monkeypatch.setattr(imports.base, "CHUNK", 2)
    written: list[int] = []
    original = bulk.ConcurrentBatches.__init__

    def init(self, write, finish):
        def counted(batch):
            written.append(batch.rows)  # encoded for COPY: its rows counted
            return write(batch)

        original(self, counted, finish)

    monkeypatch.setattr(bulk.ConcurrentBatches, "__init__", init)
    return written


def test_batches_are_written_while_the_file_is_checked(live_world, concurrent):
    report = imports.import_members(actor=live_world.branch_admin, file=xlsx(*(person(n) for n in range(5))))
    assert report.ok, report.problems
    assert (report.created, concurrent) == (5, [2, 2, 1])
    imported = Member.objects.filter(name__startswith="测试")
    assert imported.count() == 5
    assert MembershipPeriod.objects.filter(member__in=imported).count() == 5
    assert StatusPeriod.objects.filter(member__in=imported).count() == 5


def test_a_problem_late_in_the_file_rolls_back_the_batches_already_sent(live_world, concurrent):
    before = Member.objects.count()
    rows = [*(person(n) for n in range(4)), person(9, joined_date="不详")]
    report = imports.import_members(actor=live_world.branch_admin, file=xlsx(*rows))
    assert [(p.row, p.column) for p in report.problems] == [(6, "入党日期")]
    assert concurrent == [2, 2]  # sent, then rolled back
    assert Member.objects.count() == before


def test_a_number_already_registered_is_reported_while_the_batches_go_in(live_world, concurrent):
    """The registry is asked on a connection of its own while the chunk's batch is made and sent:
    the answer still names the place, and the import writes nothing."""
    before = Member.objects.count()
    rows = [person(1), person(2), person(3), line(id_number=live_world.wangfang.id_number), person(4)]
    report = imports.import_members(actor=live_world.town_admin, file=xlsx(*rows))
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (5, "公民身份号码", f"该公民身份号码已登记为“{live_world.community.name}”的党员王芳")
    ]
    assert report.created == 0
    assert Member.objects.count() == before


def test_a_registration_made_meanwhile_fails_the_commit_and_writes_nothing(live_world, concurrent, monkeypatch):
    monkeypatch.setattr(imports.checking, "_registered", lambda hashes: [])  # as if 王芳 came in after the check
    before = Member.objects.count()
    rows = [person(1), person(2), line(id_number=live_world.wangfang.id_number)]
    report = imports.import_members(actor=live_world.town_admin, file=xlsx(*rows))
    assert (report.created, report.message) == (0, imports.RACE)
    assert Member.objects.count() == before


def test_a_failure_after_the_last_batch_reaches_the_caller_and_writes_nothing(live_world, concurrent, monkeypatch):
    """The audit entry goes in last, after the writer has been told to commit: its failure must
    come back to the import (it used to leave the writer waiting for a word it had already had)."""

    def refuse(*args, **kwargs):
        raise RuntimeError("the trail refused the entry")

    monkeypatch.setattr(imports.audit, "record", refuse)
    before = Member.objects.count()
    with pytest.raises(RuntimeError, match="the trail refused"):
        imports.import_members(actor=live_world.branch_admin, file=xlsx(*(person(n) for n in range(3))))
    assert concurrent == [2, 1]
    assert Member.objects.count() == before
