"""Model fields shared by the apps."""

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class PathField(models.CharField):
    """A materialized tree path, compared byte-wise.

    On PostgreSQL the column gets the "C" collation, whatever the database's own locale (a county's
    server is often zh_CN.UTF-8). Then ``LIKE 'prefix%'`` (the subtree filter) and ``ORDER BY path``
    use one plain btree index: a range scan, no ``text_pattern_ops`` twin needed, and ordering by
    path is tree order. SQLite compares bytes already (BINARY).
    """

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
