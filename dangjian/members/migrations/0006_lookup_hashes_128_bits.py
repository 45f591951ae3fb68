"""Lookup hashes cut to 128 bits and kept in uuid columns (core.crypto.lookup_hash): 16 bytes
compared as bytes instead of 64 hex characters compared by collation. An empty phone hash
becomes NULL. The stored hex's first 32 digits are the new value, so no number is decrypted.

On PostgreSQL each table changes in one ALTER (the indexes are rebuilt by it); elsewhere the
column is altered by the schema editor and the values cut after."""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

TABLES = ("members_member", "members_historicalmember")


def _fields(hash_type):
    if hash_type == "uuid":
        return (
            models.UUIDField(editable=False, verbose_name="公民身份号码索引"),
            models.UUIDField(null=True, blank=True, editable=False, verbose_name="联系电话索引"),
        )
    return (
        models.CharField(editable=False, max_length=64, verbose_name="公民身份号码索引"),
        models.CharField(blank=True, editable=False, max_length=64, verbose_name="联系电话索引"),
    )


def _alter(apps, schema_editor, frm, to):
    for name in ("Member", "HistoricalMember"):
        model = apps.get_model("members", name)
        for field_name, old, new in zip(("id_hash", "phone_hash"), _fields(frm), _fields(to), strict=True):
            for field in (old, new):
                field.set_attributes_from_name(field_name)
                field.model = model
            schema_editor.alter_field(model, old, new)


def to_uuid(apps, schema_editor):
    quote = schema_editor.quote_name
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ALTER COLUMN id_hash TYPE uuid USING left(id_hash, 32)::uuid, "
                "ALTER COLUMN phone_hash DROP NOT NULL, "
                "ALTER COLUMN phone_hash TYPE uuid USING nullif(left(phone_hash, 32), '')::uuid"
            )
        return
    # SQLite keeps a uuid as its 32 hex digits: the column is rebuilt, then the values are cut.
    _alter(apps, schema_editor, "hex", "uuid")
    for table in TABLES:
        schema_editor.execute(
            f"UPDATE {quote(table)} SET id_hash = substr(id_hash, 1, 32), phone_hash = nullif(substr(phone_hash, 1, 32), '')"
        )


def to_hex(apps, schema_editor):
    """Back to the full hash in hex: recomputed from the decrypted numbers (128 bits cannot grow back)."""
    from dangjian.core.crypto import decrypt

    quote = schema_editor.quote_name
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ALTER COLUMN id_hash TYPE varchar(64) USING id_hash::text, "
                "ALTER COLUMN phone_hash TYPE varchar(64) USING coalesce(phone_hash::text, ''), "
                "ALTER COLUMN phone_hash SET NOT NULL"
            )
    else:
        for table in TABLES:
            schema_editor.execute(f"UPDATE {quote(table)} SET phone_hash = coalesce(phone_hash, '')")
        _alter(apps, schema_editor, "uuid", "hex")

    def full(text):
        return hmac.new(settings.LOOKUP_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()

    for table in TABLES:
        pk = "history_id" if table == "members_historicalmember" else "id"
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, id_number, phone FROM {quote(table)}")
            rows = cursor.fetchall()
        updates = [
            (full(decrypt(bytes(number))), full(decrypt(bytes(phone))) if phone is not None else "", key)
            for key, number, phone in rows
        ]
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {quote(table)} SET id_hash = %s, phone_hash = %s WHERE {pk} = %s", updates)


class Migration(migrations.Migration):
    dependencies = [("members", "0005_member_lookup_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(to_uuid, to_hex)],
            state_operations=[
                migrations.AlterField(model_name=model, name=name, field=field)
                for model in ("member", "historicalmember")
                for name, field in zip(("id_hash", "phone_hash"), _fields("uuid"), strict=True)
            ],
        ),
    ]
