"""Party dues (党费) on a county of 10^6 members: the month's ledger and the arrears list, each
against the same work written as plain SQL and measured in the same run.

- ``services.generate_month``: one month's ledger rows for every member on the roll with a basis
  (``restate`` first, then one ``INSERT … SELECT`` that leaves the months already written),
  against the plain ``INSERT … SELECT`` of the same rows, without that check. Both run in a
  transaction of their own, committed (the deferred foreign-key checks are part of the work),
  alternately on two new months; the months are then deleted and the table vacuumed, and the
  whole is repeated. Target: within 1.5× of the plain statement. Then the daily job's next run on
  the month written, which has nothing to write, beside reading the month's rows alone.
- ``ledger.arrears``: who is behind in one town of 2·10^4 members with a year of months (5% of the
  members behind one to three months, 1% six to eight), against the raw aggregate of the same
  (the months owed, the amount and the last payment of each member behind). Target: under 100 ms.
  The county's arrears (what the inbox's daily job reads) are timed beside, without a target.

The county is built into a database of its own (by default the bench database's name plus
``_dues``; dropped and built again, in a few minutes, when its size, seed or any app's migrations
change) in plain SQL: towns of 2·10^4 members in branches of 50, the members and their bases by
``INSERT … SELECT`` over ``generate_series`` (bases drawn by category: 65% in service on 2,500 to
12,000 yuan, 17% retired on 1,800 to 7,000, 15% farmers, a few students and 低保; 5% of those in
service with a raise from July), the year's 12 months for everyone, and the measured town's
payments and entries, one per month paid. Amounts follow the national standard's brackets,
checked against ``rules.owed`` on a sample.

Run alone: ``python -m bench --only dues`` (``--members 100000`` for a quick look).
"""

import argparse
import datetime as dt
import functools
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.own_database import default_url, schema_fingerprint, set_up

YEAR = 2026
AS_OF = dt.date(2026, 12, 20)  # December is owed: those behind owe it with the months before
NEW_MONTHS = (dt.date(YEAR + 1, 1, 1), dt.date(YEAR + 1, 2, 1))  # the months generate_month writes
TOWN_MEMBERS = 20_000
PER_BRANCH = 50
GENERATE_RATIO, ARREARS_MS = 1.5, 100.0
MARKER = "dangjian bench dues"

Measure = Callable[[Callable[[], Any], int], float]


def marker(members: int, seed: int) -> str:
    """What the database holds, noted on it: the size, the seed and a fingerprint of the migrations."""
    return f"{MARKER}: members={members} seed={seed} year={YEAR} v1 schema={schema_fingerprint()}"


# The county ---------------------------------------------------------------------------------------

# One row of draws per member (setseed makes them the same for a seed).
DRAWS = """
    CREATE TEMP TABLE draw AS
    SELECT g AS id, random() AS a, random() AS b, random() AS c, random() AS e, random() AS f, random() AS h,
           random() AS r
    FROM generate_series(1, %s) g
"""

MEMBERS = """
    INSERT INTO members_member (
        id, name, name_pinyin, name_initials, gender, ethnicity, birth_date, education, category, joined_date,
        regularized_date, status, org_path, created_at, updated_at, organization_id, address, degree, id_hash,
        id_tail, is_central_household, job, left_reason, native_place, occupation, phone_tail, status_reason,
        id_number
    )
    SELECT d.id, '党员' || d.id, 'dangyuan' || lpad(d.id::text, 7, '0'), 'dy',
        CASE WHEN d.a < 0.3 THEN '2' ELSE '1' END, '01', p.birth, 'high_school',
        CASE WHEN p.joined > %(probation)s THEN 'probationary' ELSE 'full' END, p.joined,
        CASE WHEN p.joined > %(probation)s THEN NULL ELSE p.joined + 365 END,
        CASE WHEN d.c < 0.004 THEN 'deceased' WHEN d.c < 0.02 THEN 'mobile' ELSE 'normal' END,
        b.path, now(), now(), b.id, '', '', md5('bench-dues-' || d.id)::uuid, lpad((d.id %% 10000)::text, 4, '0'),
        false, '', '', '', '', '', '', '\\x00'::bytea
    FROM draw d
    JOIN branch b ON b.k = (d.id - 1) / %(per_branch)s
    CROSS JOIN LATERAL (SELECT date '1940-01-01' + floor(d.a * 23000)::int AS birth) born
    CROSS JOIN LATERAL (
        SELECT CASE WHEN d.b < 0.02 THEN date %(year)s + floor(d.b * 50 * 320)::int
                    ELSE least(date %(last_joined)s, born.birth + 6570 + floor(d.b * 12000)::int) END AS joined,
               born.birth
    ) p
"""

# The national standard's brackets (migration 0002), as rules.owed applies them: the whole base at
# the bracket's rate, to the fen half up.
AMOUNT = """
    CASE category
        WHEN 'in_service' THEN round(base * CASE WHEN base <= 3000 THEN 0.005 WHEN base <= 5000 THEN 0.01
                                                 WHEN base <= 10000 THEN 0.015 ELSE 0.02 END * 100)
        WHEN 'retired' THEN round(base * CASE WHEN base <= 5000 THEN 0.005 ELSE 0.01 END * 100)
        ELSE 20
    END
"""

BASES = f"""
    INSERT INTO dues_duesbasis (
        member_id, valid_from, valid_to, category, base, relief, amount, note, recorded_at, standard_id
    )
    SELECT id, valid_from, CASE WHEN raised THEN date %(june)s END, category, base, '', {AMOUNT}, '', now(),
        %(standard)s
    FROM (
        SELECT m.id, greatest(date %(year)s, date_trunc('month', m.joined_date)::date) AS valid_from,
            CASE WHEN d.e < 0.65 THEN 'in_service' WHEN d.e < 0.82 THEN 'retired' WHEN d.e < 0.97 THEN 'farmer'
                 WHEN d.e < 0.99 THEN 'student' ELSE 'subsistence' END AS category,
            CASE WHEN d.e < 0.65 THEN 2500 + floor(d.f * 9500) WHEN d.e < 0.82 THEN 1800 + floor(d.f * 5200)
                 END::numeric(10, 2) AS base,
            d.e < 0.65 AND d.r < 0.05 AND m.joined_date < date %(june)s AS raised
        FROM members_member m JOIN draw d ON d.id = m.id
        WHERE m.status <> 'deceased'
    ) chosen
"""

RAISES = f"""
    INSERT INTO dues_duesbasis (
        member_id, valid_from, valid_to, category, base, relief, amount, note, recorded_at, standard_id
    )
    SELECT member_id, date %(july)s, NULL, category, base, '', {AMOUNT}, '调资', now(), %(standard)s
    FROM (SELECT member_id, category, round(base * 1.08, 0)::numeric(10, 2) AS base
          FROM dues_duesbasis WHERE valid_to IS NOT NULL) raised
"""

# The year's months, paid except the last ``lag`` ones of the members behind.
MONTHS = """
    INSERT INTO dues_duesmonth (member_id, month, organization_id, org_path, basis_id, owed, paid)
    SELECT m.id, mo.month, m.organization_id, m.org_path, b.id, b.amount,
        CASE WHEN mo.month > date %(december)s - make_interval(months => lag.months::int) THEN 0 ELSE b.amount END
    FROM members_member m
    JOIN draw d ON d.id = m.id
    JOIN dues_duesbasis b ON b.member_id = m.id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN d.h < 0.01 THEN 6 + (m.id %% 3) WHEN d.h < 0.06 THEN 1 + (m.id %% 3) ELSE 0 END AS months
    ) lag
    JOIN (SELECT month::date FROM generate_series(date %(year)s, date %(december)s, interval '1 month') month) mo
        ON b.valid_from <= mo.month AND (b.valid_to IS NULL OR b.valid_to >= mo.month)
    WHERE m.status <> 'deceased' AND m.joined_date < mo.month + interval '1 month'
"""

# The measured town's payments: one per month paid, its entry beside it (ids those of the months).
PAYMENTS = """
    INSERT INTO dues_duespayment (
        id, member_id, kind, amount, paid_on, method, receipt, payer, reason, collected_by_id, org_path,
        remit_to_centre, recorded_at
    )
    SELECT id, member_id, 'dues', paid, month + 9, CASE WHEN id %% 5 < 2 THEN 'wechat' ELSE 'cash' END, '', '', '',
        organization_id, org_path, false, now()
    FROM dues_duesmonth WHERE org_path LIKE %s AND paid > 0
"""
ENTRIES = """
    INSERT INTO dues_duesentry (id, payment_id, month_id, amount)
    SELECT id, id, id, paid FROM dues_duesmonth WHERE org_path LIKE %s AND paid > 0
"""


def build(members: int, seed: int) -> dict[str, int]:
    """Write the county into the (empty, migrated) database; returns what was written."""
    from django.db import DatabaseError, connection, transaction

    from dangjian.core.bulk import RowWriter
    from dangjian.dues import standards
    from dangjian.dues.models import DuesBasis, DuesEntry, DuesMonth, DuesPayment
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization, OrgKind, UnitCategory

    towns = max(1, -(-members // TOWN_MEMBERS))
    branches = -(-members // PER_BRANCH)
    per_town = TOWN_MEMBERS // PER_BRANCH
    written: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if Member.objects.exists() or Organization.objects.exists():
            raise SystemExit("the dues bench's county is built into an empty database")
        root = Organization._get_path(None, 1, 1)
        organizations = [
            Organization(
                path=root,
                depth=1,
                numchild=towns,
                name="党费县委",
                code="DF000000",
                kind=OrgKind.COMMITTEE,
                unit_category=UnitCategory.ORGAN,
            )
        ]
        for t in range(towns):
            town = Organization._get_path(root, 2, t + 1)
            children = range(t * per_town, min(branches, (t + 1) * per_town))
            organizations.append(
                Organization(
                    path=town,
                    depth=2,
                    numchild=len(children),
                    name=f"中共第{t + 1}镇委员会",
                    code=f"DF{t + 1:02d}0000",
                    kind=OrgKind.COMMITTEE,
                    unit_category=UnitCategory.TOWNSHIP,
                )
            )
            organizations += [
                Organization(
                    path=Organization._get_path(town, 3, k - t * per_town + 1),
                    depth=3,
                    numchild=0,
                    name=f"第{t + 1}镇第{k - t * per_town + 1}党支部",
                    code=f"DF{t + 1:02d}{k - t * per_town + 1:04d}",
                    kind=OrgKind.BRANCH,
                    unit_category=UnitCategory.VILLAGE,
                )
                for k in children
            ]
        Organization.objects.bulk_create(organizations, batch_size=5000)
        written["organizations"] = len(organizations)
        cursor.execute("CREATE TEMP TABLE branch (k int PRIMARY KEY, id bigint, path varchar(255)) ON COMMIT DROP")
        cursor.execute(
            "INSERT INTO branch SELECT row_number() OVER (ORDER BY path) - 1, id, path "
            "FROM orgs_organization WHERE depth = 3"
        )
        cursor.execute("SELECT setseed(%s)", [((seed * 7919) % 10_000) / 10_000])
        cursor.execute(DRAWS, [members])
        cursor.execute("ANALYZE draw")
        year = dt.date(YEAR, 1, 1)
        cursor.execute(
            MEMBERS,
            {
                "per_branch": PER_BRANCH,
                "year": year,
                "probation": dt.date(YEAR - 1, 12, 20),
                "last_joined": dt.date(YEAR, 11, 30),
            },
        )
        written["members"] = cursor.rowcount
        standard = standards.in_force(year)
        assert standard is not None
        dates: dict[str, dt.date | int] = {
            "year": year,
            "june": dt.date(YEAR, 6, 1),
            "july": dt.date(YEAR, 7, 1),
            "standard": standard.pk,
        }
        cursor.execute(BASES, dates)
        cursor.execute(RAISES, dates)
        cursor.execute("ANALYZE members_member; ANALYZE dues_duesbasis")
        # The year's rows go in without their secondary indexes (made again after, in one pass each),
        # and without the foreign keys' triggers where the server lets us (a superuser): the rows
        # refer to what was just written.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dues_duesmonth' "
            "AND indexname NOT IN ('dues_duesmonth_pkey', 'dues_month_one_per_member')"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:  # not a superuser: the checks run, slower
            pass
        cursor.execute(MONTHS, {"year": year, "december": dt.date(YEAR, 12, 1)})
        written["ledger months"] = cursor.rowcount
        town = organizations[1].path + "%"
        cursor.execute(PAYMENTS, [town])
        written["payments (one town)"] = cursor.rowcount
        cursor.execute(ENTRIES, [town])
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        RowWriter().reset_sequences(Member, DuesBasis, DuesMonth, DuesPayment, DuesEntry)
        written["bases"] = DuesBasis.objects.count()
    _check_amounts()
    return written


def _check_amounts() -> None:
    """The amounts written in SQL are those of rules.owed (a sample of every category)."""
    from dangjian.dues import rules
    from dangjian.dues.models import DuesBasis

    top = DuesBasis.objects.order_by("-id").values_list("id", flat=True).first() or 0
    sample = DuesBasis.objects.filter(pk__in=range(1, top + 1, max(1, top // 2000))).select_related("standard")
    for basis in sample:
        expected = rules.owed(basis.standard.as_rules(), rules.Category(basis.category), basis.base)
        if basis.amount != expected:
            raise SystemExit(f"basis {basis.pk}: {basis.amount} fen written, rules.owed gives {expected}")


# The measurements ---------------------------------------------------------------------------------

# The plain statement: the same rows as services.GENERATE, without the check for months already written.
RAW_ROWS = """
    SELECT m.id, %s::date, m.organization_id, m.org_path, b.id, b.amount, 0
    FROM members_member m
    JOIN dues_duesbasis b ON b.member_id = m.id AND b.valid_from <= %s AND (b.valid_to IS NULL OR b.valid_to >= %s)
    WHERE m.deleted_at IS NULL AND m.status IN ({statuses}) AND m.joined_date <= %s
"""
RAW_GENERATE = "INSERT INTO dues_duesmonth (member_id, month, organization_id, org_path, basis_id, owed, paid) " + (
    RAW_ROWS
)
RERUN_TIMEOUT_S = 120  # the daily job's next run on a month written: given up after this

RAW_ARREARS = """
    SELECT d.member_id, m.name, d.organization_id, o.name, max(d.org_path),
        array_agg(d.month ORDER BY d.month), sum(d.owed - d.paid),
        (SELECT max(p.paid_on) FROM dues_duespayment p WHERE p.member_id = d.member_id AND p.amount > 0)
    FROM dues_duesmonth d
    JOIN members_member m ON m.id = d.member_id
    JOIN orgs_organization o ON o.id = d.organization_id
    WHERE d.org_path LIKE %s AND d.month <= %s AND d.paid < d.owed
    GROUP BY d.member_id, m.name, d.organization_id, o.name
"""


def _raw(sql: str, params: list[Any]) -> Callable[[], Any]:
    from django.db import connection

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _timed(operation: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = operation()
    return (time.perf_counter() - started) * 1000, result


def _explain(sql: str, params: list[Any] | None, *, analyze: bool = True) -> list[str]:
    """EXPLAIN ANALYZE of a statement, in a transaction rolled back (an INSERT writes nothing)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return plan


def _clear_new_months() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dues_duesmonth WHERE month >= %s", [NEW_MONTHS[0]])
        cursor.execute("VACUUM ANALYZE dues_duesmonth")


def run(
    repeat: int, generate_repeat: int, measure: Measure, built: dict[str, int] | None, seconds: float | None
) -> None:
    from django.db import OperationalError, connection, transaction
    from django.test.utils import CaptureQueriesContext

    from dangjian.dues import ledger, services
    from dangjian.dues.models import DuesBasis, DuesMonth, DuesPayment
    from dangjian.members.models import Member
    from dangjian.members.services import ON_ROLL
    from dangjian.orgs.models import Organization

    root = Organization.objects.get(depth=1)
    town = Organization.objects.filter(depth=2).order_by("path").first()
    assert town is not None
    members = Member.objects.count()
    town_members = Member.objects.filter(org_path__startswith=town.path).count()
    statuses = [status.value for status in ON_ROLL]
    marks = ", ".join(["%s"] * len(statuses))
    raw_sql = RAW_GENERATE.format(statuses=marks)

    def params(month: dt.date) -> list[Any]:
        last_day = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return [month, month, month, *statuses, last_day]

    def raw_generate(month: dt.date) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(raw_sql, params(month))
            return cursor.rowcount

    load_before = os.getloadavg()[0]
    _clear_new_months()
    # generate_month and the plain statement alternate on the two new months; each pair is then
    # deleted and the table vacuumed, so that every run writes into the same table.
    ours: list[float] = []
    theirs: list[float] = []
    written = set()
    for attempt in range(generate_repeat):
        first, second = NEW_MONTHS if attempt % 2 == 0 else NEW_MONTHS[::-1]
        mine, count = _timed(functools.partial(services.generate_month, first))
        plain, raw_count = _timed(functools.partial(raw_generate, second))
        ours.append(mine)
        theirs.append(plain)
        written |= {count, raw_count}
        _clear_new_months()
    if len(written) != 1:
        raise SystemExit(f"generate_month and the plain statement wrote different numbers of rows: {written}")
    rows_written = written.pop()
    restate_ms = measure(lambda: services.restate(NEW_MONTHS[0]), max(3, repeat // 3))
    ours_sql = services.GENERATE.format(statuses=marks)
    ours_params = [*params(NEW_MONTHS[0]), "%"]  # as generate_month passes them, for the whole county
    generate_plan = _explain(ours_sql, ours_params)
    # The daily job's next run: the month is there, nothing is to be written. Against reading the rows.
    services.generate_month(NEW_MONTHS[0])
    rerun_plan = _explain(ours_sql, ours_params, analyze=False)
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = '{RERUN_TIMEOUT_S}s'")
    try:
        rerun_ms: float | None = measure(lambda: services.generate_month(NEW_MONTHS[0]), 3)
    except OperationalError:
        rerun_ms = None
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    read_ms = measure(_raw(f"SELECT count(*) FROM ({RAW_ROWS.format(statuses=marks)}) rows", params(NEW_MONTHS[0])), 3)
    _clear_new_months()

    town_months = DuesMonth.objects.filter(org_path__startswith=town.path)
    behind = ledger.arrears(town_months, AS_OF)
    town_raw = _raw(RAW_ARREARS, [town.path + "%", AS_OF])
    if {row.member_id for row in behind} != {row[0] for row in town_raw()}:
        raise SystemExit("the raw aggregate does not find the members ledger.arrears finds")
    town_ms = measure(lambda: ledger.arrears(town_months, AS_OF), repeat)
    county_months = DuesMonth.objects.filter(org_path__startswith=root.path)
    county_repeat = max(3, repeat // 5)
    county_behind = ledger.arrears(county_months, AS_OF)
    rows = [
        (
            f"generate_month: {rows_written:,} members' month",
            statistics.median(ours),
            statistics.median(theirs),
        ),
        (
            f"ledger.arrears: one town, {town_members:,} members",
            town_ms,
            measure(town_raw, repeat),
        ),
        (
            f"ledger.arrears: the county, {members:,} members",
            measure(lambda: ledger.arrears(county_months, AS_OF), county_repeat),
            measure(_raw(RAW_ARREARS, [root.path + "%", AS_OF]), county_repeat),
        ),
    ]
    rerun = f"{rerun_ms:,.0f} ms" if rerun_ms is not None else f"not finished in {RERUN_TIMEOUT_S} s (cancelled)"
    load = f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"

    print()
    version = getattr(connection, "pg_version", 0)
    print(
        f"dues bench · PostgreSQL {version // 10000}.{version % 10000} · {members:,} members, "
        f"{DuesBasis.objects.count():,} bases, {DuesMonth.objects.count():,} ledger months of {YEAR}, "
        f"{DuesPayment.objects.count():,} payments (one town) · as of {AS_OF} · {load}"
    )
    if built is not None and seconds is not None:
        print(f"county built in {seconds:.0f} s: " + ", ".join(f"{n:,} {what}" for what, n in built.items()))
    flagged = sum(1 for row in behind if row.flagged)
    print(
        f"the town's arrears: {len(behind):,} members behind, {flagged:,} of them six months or more; "
        f"the county's: {len(county_behind):,}"
    )
    runs = ", ".join(f"{v / 1000:.1f}" for v in ours)
    plains = ", ".join(f"{v / 1000:.1f}" for v in theirs)
    print(
        f"generate_month: median of {generate_repeat} runs, each committed (runs {runs} s; plain {plains} s); "
        f"of which restate {restate_ms:,.0f} ms; arrears: median of {repeat} runs (the county's of {county_repeat})"
    )
    print()
    print(f"| {'operation':<48} | {'dangjian ms':>11} | {'raw SQL ms':>10} | {'ratio':>6} |")
    print(f"|{'-' * 50}|{'-' * 13}|{'-' * 12}|{'-' * 8}|")
    for label, mine, baseline in rows:
        print(f"| {label:<48} | {mine:>11,.1f} | {baseline:>10,.1f} | {mine / baseline:>6.2f} |")
    print()
    ratio = rows[0][1] / rows[0][2]
    print(
        f"targets: generate_month within {GENERATE_RATIO}× the plain INSERT … SELECT: {ratio:.2f}× → "
        + ("met" if ratio <= GENERATE_RATIO else "NOT met")
        + f"; the town's arrears under {ARREARS_MS:.0f} ms: {town_ms:,.1f} ms → "
        + ("met" if town_ms < ARREARS_MS else "NOT met")
    )
    print()
    print(
        f"the daily job's next run on the month written (nothing to write): {rerun}; "
        f"reading the month's rows alone: {read_ms:,.0f} ms"
    )
    print()
    print("EXPLAIN (ANALYZE, BUFFERS) of generate_month's INSERT … SELECT on a new month (rolled back):")
    for line in generate_plan:
        print("    " + line)
    print()
    print("EXPLAIN of the same on the month once written (the daily job's next run):")
    for line in rerun_plan:
        print("    " + line)
    print()
    with CaptureQueriesContext(connection) as captured:
        ledger.arrears(town_months, AS_OF)
    statements = [query["sql"] for query in captured.captured_queries]
    print(
        "EXPLAIN (ANALYZE, BUFFERS) of ledger.arrears' read of the town's months "
        f"(the first of its {len(statements)} statements):"
    )
    print("    " + statements[0])
    for line in _explain(statements[0], None):
        print("    " + line)
    print()


def run_here(members: int, seed: int, repeat: int, generate_repeat: int, url: str, rebuild: bool) -> None:
    """Build the county if needed and measure, in this process (Django not yet set up)."""
    built, seconds = set_up(
        url,
        marker(members, seed),
        rebuild,
        MARKER,
        "dues",
        f"the dues bench's county: {members:,} members (seed {seed})",
        lambda: build(members, seed),
    )
    from bench.__main__ import median_ms

    run(repeat, generate_repeat, median_ms, built, seconds)


def main() -> None:
    from bench.__main__ import DEFAULT_URL

    county_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    parser = argparse.ArgumentParser(prog="python -m bench.dues", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of the arrears (median reported)")
    parser.add_argument("--generate-repeat", type=int, default=3, help="timed runs of the month's generation")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DUES_DATABASE_URL", default_url(county_url, "_dues"))
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the county even if it matches")
    args = parser.parse_args()
    run_here(args.members, args.seed, args.repeat, args.generate_repeat, args.database_url, args.rebuild)


if __name__ == "__main__":
    main()
