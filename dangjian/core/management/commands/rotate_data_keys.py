from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from dangjian.core import crypto
from dangjian.core.fields import EncryptedTextField

BATCH = 1000


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (ID and phone numbers, in the tables and their history) under "
        "the first key of DATA_KEYS; with --rehash also recompute the lookup hashes under LOOKUP_KEY. "
        "Safe to stop and run again: values already under the current key are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rehash", action="store_true", help="LOOKUP_KEY changed: recompute every hash")

    def handle(self, *args: Any, rehash: bool, **options: Any) -> None:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedTextField):
                    hash_name = field.name.removesuffix("_number") + "_hash"
                    hash_field = next((f for f in model._meta.concrete_fields if f.name == hash_name), None)
                    count = rotate(model, field.column, hash_field if rehash else None)
                    self.stdout.write(f"{model._meta.label}.{field.name}：已重新加密{count}个值")


def rotate(model: Any, column: str, hash_field: Any | None) -> int:
    """Rewrite the column's values not under the current key (all of them, when rehashing), in
    batches of one transaction each, walking the primary key."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    done, last = 0, None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            after = "" if last is None else f"AND {pk} > %s"
            cursor.execute(
                f"SELECT {pk}, {quote(column)} FROM {table} WHERE {quote(column)} IS NOT NULL {after} "
                f"ORDER BY {pk} LIMIT {BATCH}",
                [] if last is None else [last],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            last = rows[-1][0]
            for key, blob in rows:
                if hash_field is None and crypto.is_current(bytes(blob)):
                    continue
                text = crypto.decrypt(bytes(blob))
                sets, values = [f"{quote(column)} = %s"], [crypto.encrypt(text)]
                if hash_field is not None:
                    sets.append(f"{quote(hash_field.column)} = %s")
                    values.append(hash_field.get_db_prep_value(crypto.lookup_hash(text), connection))
                cursor.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} = %s", [*values, key])
                done += 1
