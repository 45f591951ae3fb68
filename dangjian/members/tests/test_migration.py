"""The migration that encrypts ID numbers turns the plain numbers already stored into ciphertext,
hash and tail, and dates the statuses already recorded."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conftest import make_id_number
from dangjian.core import crypto

BEFORE = [("members", "0001_initial")]
AFTER = [("members", "0004_registry_constraints")]


@pytest.mark.django_db(transaction=True)
def test_plain_id_numbers_already_stored_are_encrypted_by_the_migration():
    call_command("flush", interactive=False, verbosity=0)  # the reverse migration does not keep numbers
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    organization = old.get_model("orgs", "Organization").objects.create(
        path="0001", depth=1, name="中共某支部委员会", code="M1", kind="branch", unit_category="village"
    )
    number = make_id_number("1960-02-29", male=False, sequence=5)
    old.get_model("members", "Member").objects.create(
        name="钱七",
        name_pinyin="qianqi",
        name_initials="qq",
        gender="2",
        birth_date=dt.date(1960, 2, 29),
        id_number=number,
        education="junior_high",
        category="full",
        joined_date=dt.date(1985, 7, 1),
        regularized_date=dt.date(1986, 7, 1),
        status="left",
        organization=organization,
        org_path="0001",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    member = new.get_model("members", "Member").objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM members_member")
        stored = bytes(cursor.fetchone()[0])
    assert number.encode() not in stored and crypto.decrypt(stored) == number
    assert (member.id_hash, member.id_tail) == (crypto.lookup_hash(number), number[-4:])
    assert member.left_reason == "removed"  # 出党 needs its manner now; the general case
    period = new.get_model("members", "StatusPeriod").objects.get()
    assert (period.status, period.start, period.end) == ("left", dt.date(1985, 7, 1), None)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
