"""A bench that keeps its county in a PostgreSQL database of its own (the heat map's, the dues'):
the database named after the bench database plus a suffix, noted with what it holds (size, seed,
a fingerprint of the migrations), built again only when that changes."""

import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def default_url(county_url: str, suffix: str) -> str:
    """The bench database's server, its name plus ``suffix``."""
    parts = urlsplit(county_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def schema_fingerprint() -> str:
    """Of every app's migrations: one rewritten, and the county is built again."""
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(ROOT.glob("dangjian/*/migrations/*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def prepare_database(url: str, wanted: str, rebuild: bool, marker: str, bench: str) -> bool:
    """Whether the county must be built: the database is missing, or holds another county (it is
    then dropped and made again). Only a database this bench made (noted ``marker…``) is dropped."""
    import dj_database_url

    from bench.__main__ import admin_connection, ensure_database

    name = dj_database_url.parse(url)["NAME"]
    with admin_connection(url) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if row is not None:
            noted = row[0] or ""
            if noted == wanted and not rebuild:
                return False
            if not noted.startswith(marker):
                sys.exit(f"database {name} was not made by the {bench} bench ({noted!r}): not dropping it")
            admin.execute(f'DROP DATABASE "{name}"')
    ensure_database(url)
    with admin_connection(url) as admin:
        admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker}: building'")
    return True


def set_up(
    url: str, wanted: str, rebuild: bool, marker: str, bench: str, what: str, build: Callable[[], T]
) -> tuple[T | None, float | None]:
    """Django set up on the bench's database, migrated, and the county built if it must be (then
    analysed and noted): what ``build`` returned and the seconds it took, or (None, None)."""
    must_build = prepare_database(url, wanted, rebuild, marker, bench)
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"  # no query log: it would be part of what is measured
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if not must_build:
        return None, None
    print(f"building {what} …", flush=True)
    started = time.perf_counter()
    built = build()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"COMMENT ON DATABASE {name} IS %s", [wanted])
    return built, time.perf_counter() - started
