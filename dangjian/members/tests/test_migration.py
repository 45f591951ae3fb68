"""The migration that encrypts ID numbers turns the plain numbers already stored into ciphertext,
hash and tail, and dates the statuses already recorded."""

import datetime as dt
import hashlib
import hmac

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conftest import make_id_number
from dangjian.core import crypto
from dangjian.members.models import Member

BEFORE = [("members", "0001_initial")]
AFTER = [("members", "0004_registry_constraints")]
HEX = [("members", "0005_member_lookup_indexes")]


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
    full_hash = hmac.new(settings.LOOKUP_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()
    assert (member.id_hash, member.id_tail) == (full_hash, number[-4:])
    assert member.left_reason == "removed"  # 出党 needs its manner now; the general case
    period = new.get_model("members", "StatusPeriod").objects.get()
    assert (period.status, period.start, period.end) == ("left", dt.date(1985, 7, 1), None)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Member.objects.get().id_hash == crypto.lookup_hash(number)


@pytest.mark.django_db(transaction=True)
def test_lookup_hashes_are_cut_to_128_bits_and_recomputed_in_full_going_back(world):
    number, phone = world.zhangsan.id_number, "13912345678"
    Member.objects.filter(pk=world.zhangsan.pk).update(**Member.phone_columns(phone))
    executor = MigrationExecutor(connection)
    executor.migrate(HEX)
    old = executor.loader.project_state(HEX).apps.get_model("members", "Member")
    before = old.objects.get(pk=world.zhangsan.pk)
    full = [
        hmac.new(settings.LOOKUP_KEY.encode(), text.encode(), hashlib.sha256).hexdigest() for text in (number, phone)
    ]
    assert [before.id_hash, before.phone_hash] == full
    assert old.objects.exclude(phone_hash="").count() == 1  # no phone: an empty hash, as before
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    after = Member.objects.get(pk=world.zhangsan.pk)
    assert (after.id_hash, after.phone_hash) == (crypto.lookup_hash(number), crypto.lookup_hash(phone))
    assert after.id_hash.hex == full[0][:32]
    assert Member.objects.filter(phone_hash__isnull=False).count() == 1
