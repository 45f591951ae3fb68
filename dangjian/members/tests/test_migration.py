"""The migrations of ID numbers and phone numbers: the plain numbers already stored turned into
ciphertext, hash and tail, the statuses already recorded dated, and the lookup hashes cut to 128
bits (and recomputed in full going back)."""

import datetime as dt
import hashlib
import hmac
from typing import Any

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


def full_hex(text: str) -> str:
    """The lookup hash as migrations 0003 to 0005 stored it: HMAC-SHA256 in 64 hex characters."""
    return hmac.new(settings.LOOKUP_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def migrate(target: list[tuple[str, str]] | None = None) -> Any:
    """Migrates the test database to ``target`` (the latest migrations if none) and gives the
    models as they stand there."""
    executor = MigrationExecutor(connection)
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


# On PostgreSQL only, where deployments keep their data: SQLite rebuilds a table for each column
# change, so the round trip through every app's migrations costs 20 s there, and SQLite's forward
# migrations are run by every test database anyway.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_id_number_migrations_there_and_back(world):
    """One trip through the migrations, as each step costs seconds: back to the cut of the lookup
    hashes (0006), which recomputes them in full, back to the plain numbers (0001), and forward
    again, where 0003 and 0004 encrypt a plain number already stored and 0006 cuts the hashes to
    128 bits."""
    number, phone = world.zhangsan.id_number, "13912345678"
    Member.objects.filter(pk=world.zhangsan.pk).update(**Member.phone_columns(phone))

    # Back to 0005: the hashes recomputed in full (64 hex characters), an empty one where no phone.
    old = migrate(HEX).get_model("members", "Member")
    before = old.objects.get(pk=world.zhangsan.pk)
    assert [before.id_hash, before.phone_hash] == [full_hex(number), full_hex(phone)]
    assert old.objects.exclude(phone_hash="").count() == 1

    # Back to 0001 on an empty registry (the reverse migrations do not keep the numbers), and a
    # plain number stored as an earlier version did.
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    old = migrate(BEFORE)
    organization = old.get_model("orgs", "Organization").objects.create(
        path="0001", depth=1, name="中共某支部委员会", code="M1", kind="branch", unit_category="village"
    )
    plain = make_id_number("1960-02-29", male=False, sequence=5)
    old.get_model("members", "Member").objects.create(
        name="钱七",
        name_pinyin="qianqi",
        name_initials="qq",
        gender="2",
        birth_date=dt.date(1960, 2, 29),
        id_number=plain,
        education="junior_high",
        category="full",
        joined_date=dt.date(1985, 7, 1),
        regularized_date=dt.date(1986, 7, 1),
        status="left",
        organization=organization,
        org_path="0001",
    )

    # Forward to 0004: encrypted, hashed in full, its status dated.
    new = migrate(AFTER)
    member = new.get_model("members", "Member").objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM members_member")
        stored = bytes(cursor.fetchone()[0])
    assert plain.encode() not in stored and crypto.decrypt(stored) == plain
    assert (member.id_hash, member.id_tail) == (full_hex(plain), plain[-4:])
    assert member.left_reason == "removed"  # 出党 needs its manner now; the general case
    period = new.get_model("members", "StatusPeriod").objects.get()
    assert (period.status, period.start, period.end) == ("left", dt.date(1985, 7, 1), None)

    # A phone stored at 0005 as that version did (a full hash), then forward to the latest: both
    # hashes cut to their first 128 bits, no hash where no phone.
    new = migrate(HEX)
    new.get_model("members", "Member").objects.update(
        phone=crypto.encrypt(phone),
        phone_tail=phone[-4:],
        phone_hash=full_hex(phone),
    )
    migrate()
    after = Member.objects.get()
    assert (after.id_hash, after.phone_hash) == (crypto.lookup_hash(plain), crypto.lookup_hash(phone))
    assert after.id_hash.hex == full_hex(plain)[:32]
    assert Member.objects.filter(phone_hash__isnull=False).count() == 1
