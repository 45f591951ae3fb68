"""The measured operations and their raw-SQL baselines (imported after django.setup())."""

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.db.models.functions import Substr
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.restructure import restructure_rows
from dangjian.core import scope
from dangjian.core.models import Role, User
from dangjian.core.services import grant_role
from dangjian.members.filters import search_members
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

Measure = Callable[[Callable[[], Any], int], float]
PAGE_SQL = """
    SELECT m.*, o.* FROM members_member m JOIN orgs_organization o ON o.id = m.organization_id
    WHERE m.org_path LIKE %s AND m.deleted_at IS NULL
    ORDER BY m.org_path, m.name_pinyin, m.id LIMIT 20
"""
COUNT_SQL = "SELECT count(*) FROM members_member WHERE org_path LIKE %s AND deleted_at IS NULL"


def build_if_needed(members: int, seed: int, as_of: str, rebuild: bool) -> float | None:
    call_command("migrate", verbosity=0)
    # What the database holds is noted on the database itself, so a rerun reuses it.
    marker = f"dangjian bench county: members={members} seed={seed} as_of={as_of}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        noted = cursor.fetchone()[0]
    if not rebuild and noted == marker and Member.objects.count() == members:
        # The restructuring runs of an earlier bench were rolled back, leaving dead row versions
        # behind (382,062 per subtree move): without this, each run measures a bloated table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return None
    print(f"building the county: {members:,} members (seed {seed}) …", flush=True)
    started = time.perf_counter()
    call_command("demo", members=members, seed=seed, as_of=dt.date.fromisoformat(as_of), reset=True, stdout=_Quiet())
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"COMMENT ON DATABASE {name} IS %s", [marker])
    return seconds


class _Quiet:
    def write(self, text: str) -> None:
        if "/" in text and text.startswith("党员"):
            done, total = text.split()[1].split("/")
            if int(done) % 100_000 == 0:
                print(f"  {int(done):,} / {int(total):,}", flush=True)

    def flush(self) -> None: ...


def bench_user(username: str, organization: Organization) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"home_organization": organization})
    grant_role(actor=None, user=user, role=Role.ORG_ADMIN, organization=organization)
    return User.objects.get(pk=user.pk)


def _raw(sql: str, params: list[Any]) -> Callable[[], Any]:
    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _get(client: Client, url: str) -> Callable[[], Any]:
    return lambda: client.get(url)


def _replay(client: Client, url: str) -> Callable[[], None]:
    """The SQL statements one request runs, executed again as plain SQL."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    statements = [query["sql"] for query in captured.captured_queries]

    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    return run


def _explain(sql: str, params: list[Any]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def run_all(members: int, repeat: int, write_repeat: int, build_seconds: float | None, measure: Measure) -> None:
    towns = Organization.objects.filter(depth=2)
    step = Organization.steplen
    sizes = dict(
        Member.objects.annotate(prefix=Substr("org_path", 1, 2 * step))
        .order_by()
        .values_list("prefix")
        .annotate(n=Count("id"))
    )
    town = max(towns, key=lambda org: sizes.get(org.path, 0))
    root = Organization.objects.get(depth=1)
    town_admin = bench_user("bench_town", town)
    county_admin = bench_user("bench_county", root)
    prefix = town.path + "%"
    scoped = scope.scoped(town_admin, Member.objects.all())
    web = Client()
    web.force_login(town_admin)
    county_web = Client()
    county_web.force_login(county_admin)

    rows: list[tuple[str, float, float]] = []

    def compare(label: str, ours: Callable[[], Any], baseline: Callable[[], Any]) -> None:
        rows.append((label, measure(ours, repeat), measure(baseline, repeat)))

    compare("count members under the town (scoped)", lambda: scoped.count(), _raw(COUNT_SQL, [prefix]))
    compare(
        "first page, roster order (scoped)",
        lambda: list(scoped.select_related("organization")[:20]),
        _raw(PAGE_SQL, [prefix]),
    )
    searched = search_members(scoped, "zs")
    search_sql = COUNT_SQL + " AND (name_initials LIKE 'zs%%' OR name_pinyin LIKE 'zs%%')"
    compare("search 'zs' in the town: count", lambda: searched.count(), _raw(search_sql, [prefix]))
    # Whole requests against the very SQL they ran, replayed raw: the ratio is everything dangjian
    # adds around the database (middleware, ORM, serializers, templates).
    for label, client, url in (
        ("GET /api/v1/members/ (town, JSON)", web, "/api/v1/members/"),
        ("GET /members/ (town roster, HTML)", web, "/members/"),
        ("GET /members/?q=zs (town search, HTML)", web, "/members/?q=zs"),
        ("GET / (town dashboard)", web, "/"),
        ("GET /orgs/ (county tree: counts over every member)", county_web, "/orgs/"),
    ):
        compare(label, _get(client, url), _replay(client, url))
    rows += [(row.label, row.ours, row.baseline) for row in restructure_rows(county_admin, write_repeat)]

    print()
    version = getattr(connection, "pg_version", 0)
    server = f"PostgreSQL {version // 10000}.{version % 10000}"
    print(
        f"dangjian bench · {members:,} members · {server} · town “{town.name}” with "
        f"{sizes.get(town.path, 0):,} members · median of {repeat} runs ({write_repeat} for restructuring)"
    )
    if build_seconds is not None:
        print(f"county built in {build_seconds:.0f} s ({members / build_seconds:,.0f} members/s)")
    print()
    print(f"| {'operation':<50} | {'dangjian ms':>11} | {'raw SQL ms':>10} | {'ratio':>6} |")
    print(f"|{'-' * 52}|{'-' * 13}|{'-' * 12}|{'-' * 8}|")
    for label, ours, baseline in rows:
        print(f"| {label:<50} | {ours:>11.2f} | {baseline:>10.2f} | {ours / baseline:>6.2f} |")
    print()
    count_sql, count_params = scoped.values("pk").query.sql_with_params()
    page_sql, page_params = scoped.select_related("organization")[:20].query.sql_with_params()
    for label, (sql, params) in (
        ("count", (f"SELECT count(*) FROM ({count_sql}) q", count_params)),
        ("first page", (page_sql, page_params)),
    ):
        plan = _explain(sql, list(params))
        range_scan = "member_roster_order" in plan and "Index Cond" in plan and "Seq Scan on members_member" not in plan
        verdict = "an index range scan of member_roster_order" if range_scan else "NOT an index range scan"
        print(f"EXPLAIN {label}: {verdict}, {'with a sort' if 'Sort' in plan else 'no sort'}")
        for line in plan.splitlines():
            if any(key in line for key in ("Scan", "Index Cond", "Sort", "Execution Time", "Limit", "Aggregate")):
                print("    " + line.strip())
