"""Model fields shared by the apps."""

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class BytewiseCharField(models.CharField):
    """Text that is a key, not a word (ASCII codes, paths, pinyin), compared byte-wise.

    On PostgreSQL the column gets the "C" collation, whatever the database's own locale (a county's
    server is often zh_CN.UTF-8 or an ICU zh-Hans one): comparing two keys is then a memcmp, not a
    linguistic comparison, which every index insert and sort on the column pays for, and
    ``LIKE 'prefix%'`` uses the plain btree index. SQLite compares bytes already (BINARY).
    """

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class PathField(BytewiseCharField):
    """A materialized tree path: ``LIKE 'prefix%'`` (the subtree filter) and ``ORDER BY path`` use
    one plain btree index, a range scan with no ``text_pattern_ops`` twin, and ordering by path is
    tree order."""


class EncryptedTextField(models.BinaryField):
    """Text kept encrypted in the database (core.crypto) and plain in Python.

    The stored bytes differ each time the same text is written, so the column cannot be searched:
    every lookup but ``isnull`` is refused. Keep a ``lookup_hash`` column beside it for equality."""

    # What django-stubs reports for the attribute: the plain text.
    _pyi_private_set_type: str | None
    _pyi_private_get_type: str  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> str | None:
        from .crypto import decrypt

        return None if value is None else decrypt(value)

    def to_python(self, value: Any) -> Any:
        return value

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        from .crypto import encrypt

        if value is None or isinstance(value, bytes | memoryview):
            return super().get_db_prep_value(value, connection, prepared)
        return super().get_db_prep_value(encrypt(str(value)), connection, prepared)

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def value_to_string(self, obj: models.Model) -> str:
        return str(self.value_from_object(obj) or "")
