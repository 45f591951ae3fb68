"""The organizational-life heat map (组织生活热力图) of a county, against the aggregate it reads in raw SQL.

``compliance.year_of`` gives, for every organization of a subtree and each month of a year, the
status of every rule in force (三会一课 and the rest): the subtree's month tally of the year (one row
per organization, kept by the services: tally.py), a few small reads (rules, party groups,
committees, the secretaries' lectures), then the rules applied in Python. The baseline is the
aggregate the tally stands for, over the subtree's meetings of the year (organization × kind ×
month), in plain SQL and fetched: what year_of would otherwise read, without what it makes of it.
The issue's target: the whole county's year in under 300 ms and within 2× of that aggregate; the
inbox's daily job for the county under 30 s.

The county is built into a database of its own (by default the bench database's name plus
``_heat_map``; dropped and built again, in about a minute, when the size, the seed or any app's
migrations change): a county committee, 20 town committees and ``--branches`` branch-level
organizations under them, each with its committee (支部委员会) or its secretary alone, some with
party groups, and about 40 meetings a year
written by COPY (monthly 主题党日 and 支委会, quarterly 党员大会 and 党课, often held as one meeting,
党小组会 in the branches that have groups, the year's 组织生活会, 民主评议, 谈心谈话), with gaps: most
branches miss a meeting now and then, some often, a few stop meeting halfway through the year or
never meet, so that some cells are red. Attendance rows are not written: year_of does not read them.

Run alone: ``python -m bench --only heat_map --branches 500`` (``--profile``: where one run's time goes).
"""

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.own_database import default_url, schema_fingerprint, set_up

YEAR = 2026
AS_OF = dt.date(2026, 12, 20)  # December open and due within the reminder days; silence counts
TOWNS = 20
TARGET_MS, TARGET_RATIO = 300.0, 2.0
MARKER = "dangjian bench heat map"
BATCH = 50_000  # meetings per COPY

Measure = Callable[[Callable[[], Any], int], float]


def marker(branches: int, seed: int) -> str:
    """What the database holds, noted on it: the county's size and seed, and a fingerprint of the
    migrations it was made with (an app's migrations rewritten: the schema is built again)."""
    schema = schema_fingerprint()
    return f"{MARKER}: branches={branches} towns={TOWNS} seed={seed} year={YEAR} as_of={AS_OF} v3 schema={schema}"


# The county -------------------------------------------------------------------------------------

TOWN_NAMES = "城关 坪塘 古山 白沙 青山 金桥 石门 龙潭 花桥 新市 长乐 东湖 西林 南岭 北港 双江 杨柳 枫树 桃源 清溪"
PLACES = ("党员活动室", "村部会议室", "社区党群服务中心", "公司会议室", "支部书记办公室", "新时代文明实践站")
TOPICS = (
    "学习贯彻党的二十届四中全会精神",
    "学习《中国共产党纪律处分条例》",
    "开展党员志愿服务",
    "深入学习贯彻习近平新时代中国特色社会主义思想",
    "传承红色基因 争当时代先锋",
    "推进乡村振兴 党员带头干",
    "党风廉政建设专题学习",
    "安全生产与防汛工作部署",
)
CONTENT = (
    "传达学习上级有关会议和文件精神，结合本支部实际进行讨论，党员逐一发言谈体会、找差距、明方向。",
    "集中学习规定篇目，观看专题教育片，开展交流研讨，部署下一阶段重点工作并明确责任人和时限。",
    "通报近期支部工作开展情况，听取党员意见建议，研究解决群众反映的困难问题，推进为民办实事项目。",
)
DECISIONS = ("一、按期完成党费收缴；二、组织党员参加志愿服务。", "同意将两名入党积极分子列为发展对象。", "")
MINUTES = (
    "主持人宣布会议开始，通报应到、实到人数。会议首先传达学习了上级文件精神，随后与会党员围绕主题"
    "逐一发言。大家一致认为，要把学习成果转化为推动工作的实际行动。会议最后对下一阶段工作作出安排。",
    "会议由支部书记主持。与会人员认真学习了有关文件，结合思想和工作实际交流了学习体会，查找了自身"
    "存在的不足，提出了整改措施。会议研究了近期重点工作，明确了分工和完成时限。",
)
BRANCH_UNITS = (
    ("village", 40),
    ("community", 15),
    ("non_public_enterprise", 18),
    ("organ", 10),
    ("school", 8),
    ("hospital", 4),
    ("social_organization", 3),
    ("state_enterprise", 2),
)
# How a branch keeps to its duties: the share of branches, the chance it misses any one meeting, and
# (stopping) whether it stops meeting in the second half of the year.
HABITS = {"steady": (89.5, 0.003), "patchy": (8.0, 0.15), "stopping": (2.0, 0.02), "dormant": (0.5, 1.0)}


@dataclass
class Org:
    pk: int
    path: str
    kind: str
    unit: str
    founded: dt.date
    abolished: dt.date | None = None
    officers: list[tuple[int, str]] = field(default_factory=list)  # (member id, name), the secretary first
    groups: list[int] = field(default_factory=list)


def _dates(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


def _month_end(month: int) -> dt.date:
    return (dt.date(YEAR, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def build(branches: int, seed: int) -> dict[str, Any]:
    """Write the county into the (empty, migrated) database; returns what was written."""
    from django.db import transaction

    from bench.scenarios import bench_user
    from dangjian.core.bulk import RowWriter
    from dangjian.core.dates import add_years
    from dangjian.demo.county import PROFILE_OF_UNIT
    from dangjian.demo.generator import MEMBER_COLUMNS, _member_row
    from dangjian.demo.people import PersonFactory
    from dangjian.elections.models import Officer, Position, Term
    from dangjian.meetings import tally
    from dangjian.meetings.models import Meeting, MeetingKind
    from dangjian.members.models import Category, Member, PartyGroup, Status
    from dangjian.orgs.models import Organization, OrgKind, UnitCategory

    rng = random.Random(seed)
    towns = min(TOWNS, branches)
    written: dict[str, Any] = {}
    with transaction.atomic():
        if Meeting.objects.exists() or Member.objects.exists() or Organization.objects.exists():
            raise SystemExit("the heat map's county is built into an empty database")
        root_path = Organization._get_path(None, 1, 1)
        organizations = [
            Organization(
                path=root_path,
                depth=1,
                numchild=towns,
                name="清河县委",
                code="HM000000",
                kind=OrgKind.COMMITTEE,
                unit_category=UnitCategory.ORGAN,
                founded_date=dt.date(1949, 10, 1),
            )
        ]
        per_town = [branches // towns + (1 if t < branches % towns else 0) for t in range(towns)]
        names = TOWN_NAMES.split()
        for t in range(towns):
            town_path = Organization._get_path(root_path, 2, t + 1)
            town = names[t % len(names)] + ("" if t < len(names) else str(t // len(names) + 1))
            organizations.append(
                Organization(
                    path=town_path,
                    depth=2,
                    numchild=per_town[t],
                    name=f"中共{town}镇委员会",
                    short_name=f"{town}镇党委",
                    code=f"HM{t + 1:02d}0000",
                    kind=OrgKind.COMMITTEE,
                    unit_category=UnitCategory.TOWNSHIP,
                    founded_date=dt.date(1950, 1, 1),
                )
            )
            for b in range(per_town[t]):
                unit = rng.choices([u for u, _ in BRANCH_UNITS], weights=[w for _, w in BRANCH_UNITS])[0]
                draw = rng.random()
                kind = OrgKind.BRANCH if draw < 0.9 else OrgKind.JOINT_BRANCH
                kind = OrgKind.TEMPORARY_BRANCH if draw >= 0.98 else kind
                founded = _dates(rng, dt.date(1978, 1, 1), dt.date(2024, 12, 31))
                abolished = None
                draw = rng.random()
                if draw < 0.02:  # founded this year: owes only the periods it existed all of
                    founded = _dates(rng, dt.date(YEAR, 1, 2), AS_OF - dt.timedelta(days=30))
                elif draw < 0.03:  # merged away this year
                    abolished = _dates(rng, dt.date(YEAR, 2, 1), AS_OF - dt.timedelta(days=15))
                elif draw < 0.04:  # abolished before: not on this year's map
                    abolished = _dates(rng, dt.date(2025, 1, 1), dt.date(YEAR - 1, 12, 31))
                organizations.append(
                    Organization(
                        path=Organization._get_path(town_path, 3, b + 1),
                        depth=3,
                        numchild=0,
                        name=f"{town}镇第{b + 1}党支部",
                        code=f"HM{t + 1:02d}{b + 1:04d}",
                        kind=kind,
                        unit_category=unit,
                        founded_date=founded,
                        abolished_date=abolished,
                    )
                )
        Organization.objects.bulk_create(organizations, batch_size=5000)
        orgs = [
            Org(o.pk, o.path, o.kind, o.unit_category, o.founded_date or dt.date(1949, 10, 1), o.abolished_date)
            for o in organizations
        ]
        written["organizations"] = len(orgs)
        user = bench_user("bench_heat_map", organizations[0])

        # Committees: 7 for the county and the towns; 3 or 5 for two thirds of the branches, a
        # secretary alone for the rest; a few branches lost a committee member this year (two left).
        writer = RowWriter()
        factory = PersonFactory(rng, AS_OF)
        now = dt.datetime.now(dt.UTC)
        member_rows: list[tuple[Any, ...]] = []
        group_rows: list[tuple[Any, ...]] = []
        term_rows: list[tuple[Any, ...]] = []
        officer_rows: list[tuple[Any, ...]] = []
        positions = [Position.SECRETARY, Position.ORGANIZATION, Position.PROPAGANDA, Position.DISCIPLINE]
        positions += [Position.YOUTH, Position.DEPUTY_SECRETARY, Position.MEMBER]
        for org in orgs:
            if org.abolished and org.abolished < dt.date(YEAR, 1, 1):
                continue
            size = 7 if org.kind == OrgKind.COMMITTEE else rng.choices((1, 3, 5), weights=(35, 45, 20))[0]
            start = max(org.founded, _dates(rng, dt.date(2022, 1, 1), dt.date(2025, 6, 30)))
            term_id = len(term_rows) + 1
            term_rows.append((term_id, org.pk, 1, start, add_years(start, 5), None, ""))
            left = size == 3 and rng.random() < 0.05
            for k in range(size):
                while True:
                    person = factory.person(PROFILE_OF_UNIT.get(UnitCategory(org.unit), "organ"))
                    if person[8] == Category.FULL and person[11] == Status.NORMAL:
                        break
                columns, _ = _member_row(person, AS_OF)
                member_id = len(member_rows) + 1
                member_rows.append((member_id, *columns, org.pk, org.path, None, None, now, now, None))
                until = dt.date(YEAR, 6, 30) if left and k == size - 1 else None
                officer_rows.append((len(officer_rows) + 1, term_id, positions[k], member_id, start, until, ""))
                org.officers.append((member_id, person[0]))
            if org.kind != OrgKind.COMMITTEE and size > 1 and rng.random() < 0.55:
                for g in range(rng.choice((2, 3, 3, 4))):
                    group_id = len(group_rows) + 1
                    group_rows.append((group_id, org.pk, f"第{'一二三四'[g]}党小组", None, None, now))
                    org.groups.append(group_id)
        writer.write(Member, MEMBER_COLUMNS, member_rows)
        writer.write(PartyGroup, ("id", "organization", "name", "leader", "dissolved_date", "created_at"), group_rows)
        writer.write(Term, ("id", "organization", "number", "start", "expected_end", "actual_end", "note"), term_rows)
        officer_columns = ("id", "term", "position", "member", "since", "until", "removal")
        writer.write(Officer, officer_columns, officer_rows)
        written |= {"members": len(member_rows), "party groups": len(group_rows), "officers": len(officer_rows)}

        kinds = dict(MeetingKind.objects.values_list("code", "pk"))
        through = Meeting.kinds.through
        meetings = _Meetings(writer, kinds, user.pk, now)
        for org in orgs[1 + towns :]:
            _branch_year(rng, org, meetings)
        # The secretaries of the county and the towns each give a 党课 in a branch of their subtree.
        for org in orgs[: 1 + towns]:
            if not org.officers:
                continue
            subtree = [o for o in orgs[1 + towns :] if o.path.startswith(org.path) and not o.abolished]
            for _ in range(12):  # the committee's own meetings (党委会), under 其他组织生活
                meetings.add(rng, org, _dates(rng, dt.date(YEAR, 1, 1), AS_OF), ("other",))
            if subtree and rng.random() < 0.85:
                secretary, name = org.officers[0]
                where = rng.choice(subtree)
                meetings.add(
                    rng, where, _dates(rng, dt.date(YEAR, 3, 1), AS_OF), ("lecture",), lecturer=(secretary, name)
                )
        meetings.flush()
        writer.reset_sequences(Member, PartyGroup, Term, Officer, Meeting, through)
        written |= {"meetings": meetings.count, "kind rows": meetings.kind_count, "tally rows": tally.rebuild()}
    return written


class _Meetings:
    """Meeting rows and their kinds, written by COPY in batches."""

    COLUMNS = (
        "id",
        "organization",
        "org_path",
        "party_group",
        "held_on",
        "starts_at",
        "ends_at",
        "place",
        "topic",
        "host",
        "recorder",
        "lecturer",
        "lecturer_member",
        "lecturer_post",
        "content",
        "decisions",
        "minutes",
        "entered_on",
        "backfilled",
        "quorum_met",
        "counted",
        "created_by",
        "created_at",
        "deleted_at",
    )

    def __init__(self, writer: Any, kinds: dict[str, int], user: int, now: dt.datetime) -> None:
        self.writer, self.kinds, self.user, self.now = writer, kinds, user, now
        self.rows: list[tuple[Any, ...]] = []
        self.kind_rows: list[tuple[int, int, int]] = []
        self.count = self.kind_count = 0

    def add(
        self,
        rng: random.Random,
        org: Org,
        held_on: dt.date,
        codes: tuple[str, ...],
        group: int | None = None,
        lecturer: tuple[int, str] | None = None,
    ) -> None:
        self.count += 1
        starts = rng.choice((dt.time(9), dt.time(14, 30), dt.time(15), dt.time(19, 30)))
        ends = (dt.datetime.combine(held_on, starts) + dt.timedelta(minutes=rng.choice((60, 90, 120)))).time()
        lag = rng.randint(0, 3) if rng.random() < 0.93 else rng.randint(8, 40)
        entered = held_on + dt.timedelta(days=lag)
        quorum = "committee" in codes
        met = rng.random() < 0.97 if quorum else None  # a 支委会 below its quorum is kept, not counted
        host = org.officers[0][0] if org.officers else None
        recorder = org.officers[1][0] if len(org.officers) > 1 else None
        if "lecture" in codes and lecturer is None and org.officers and rng.random() < 0.6:
            lecturer = org.officers[0]
        lecturer_name = lecturer[1] if lecturer else ("县委党校讲师" if "lecture" in codes else "")
        own = org.officers[0] if org.officers else None
        post = "党委书记" if lecturer is not None and lecturer != own else ""  # a town's secretary, visiting
        topic = f"{held_on.month}月{rng.choice(TOPICS)}"
        deleted = self.now if rng.random() < 0.003 else None
        self.rows.append(
            (
                self.count,
                org.pk,
                org.path,
                group,
                held_on,
                starts,
                ends,
                rng.choice(PLACES),
                topic,
                host,
                recorder,
                lecturer_name,
                lecturer[0] if lecturer else None,
                post,
                rng.choice(CONTENT),
                rng.choice(DECISIONS),
                rng.choice(MINUTES),
                entered,
                lag > 7,
                met,
                met is not False,
                self.user,
                self.now,
                deleted,
            )
        )
        for code in codes:
            self.kind_count += 1
            self.kind_rows.append((self.kind_count, self.count, self.kinds[code]))
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        from dangjian.meetings.models import Meeting

        self.writer.write(Meeting, self.COLUMNS, self.rows)
        self.writer.write(Meeting.kinds.through, ("id", "meeting", "meetingkind"), self.kind_rows)
        self.rows.clear()
        self.kind_rows.clear()


def _branch_year(rng: random.Random, org: Org, meetings: _Meetings) -> None:
    """A branch's organizational life of the year, with the gaps of its habit."""
    first = max(dt.date(YEAR, 1, 1), org.founded)
    last = min(AS_OF, org.abolished - dt.timedelta(days=1)) if org.abolished else AS_OF
    habit = rng.choices(list(HABITS), weights=[share for share, _ in HABITS.values()])[0]
    miss = HABITS[habit][1]
    if habit == "stopping":
        last = min(last, dt.date(YEAR, rng.randint(6, 11), 1))
    if last < first:
        return
    theme_day = rng.randint(3, 25)  # 每月相对固定1天
    held: list[tuple[dt.date, list[str], int | None]] = []

    def on(month: int, day: int) -> dt.date | None:
        date = dt.date(YEAR, month, max(1, min(day, _month_end(month).day)))
        return date if first <= date <= last else None

    def some_day(months: range) -> dt.date | None:
        month = rng.choice(months)
        return on(month, rng.randint(1, _month_end(month).day))

    themes: dict[int, list[str]] = {}
    for month in range(1, 13):
        if rng.random() >= miss and (date := on(month, theme_day + rng.randint(-2, 2))):
            themes[month] = ["theme_day"]
            held.append((date, themes[month], None))
        if len(org.officers) >= 3 and rng.random() >= miss and (date := some_day(range(month, month + 1))):
            held.append((date, ["committee"], None))
        for group in org.groups:
            if rng.random() >= miss and (date := some_day(range(month, month + 1))):
                held.append((date, ["group"], group))
    for quarter in range(1, 5):
        months = range(3 * quarter - 2, 3 * quarter + 1)
        lecture = False
        if rng.random() >= miss:
            joined = [m for m in months if m in themes]
            if joined and rng.random() < 0.5:  # the 主题党日 held as a 党员大会, often with a 党课
                codes = themes[rng.choice(joined)]
                codes.append("general_assembly")
                if rng.random() < 0.5:
                    codes.append("lecture")
                    lecture = True
            elif date := some_day(months):
                lecture = rng.random() < 0.3
                held.append((date, ["general_assembly", *(["lecture"] if lecture else [])], None))
        if not lecture and rng.random() >= miss and (date := some_day(months)):
            held.append((date, ["lecture"], None))
    if rng.random() >= miss and (date := some_day(range(11, 13))):
        combined = rng.random() < 0.7
        held.append((date, ["life_meeting", *(["review"] if combined else [])], None))
        if not combined and rng.random() >= miss and (date := some_day(range(11, 13))):
            held.append((date, ["review"], None))
    for _ in range(rng.randint(2, 4)):
        if rng.random() >= miss and (date := some_day(range(1, 13))):
            held.append((date, ["talk"], None))
    for _ in range(rng.randint(1, 3)):
        if rng.random() >= miss and (date := some_day(range(1, 13))):
            held.append((date, ["other"], None))
    for when, codes, party_group in sorted(held, key=lambda item: item[0]):
        meetings.add(rng, org, when, tuple(codes), party_group)


# The measurements --------------------------------------------------------------------------------

RAW_TALLY = """
    SELECT t.organization_id, t.year, t.months, t.last_held
    FROM meetings_monthtally t JOIN orgs_organization o ON o.id = t.organization_id
    WHERE o.path LIKE %s AND t.year IN (%s, %s)
"""

RAW_COUNTS = """
    SELECT m.organization_id, k.meetingkind_id, EXTRACT(MONTH FROM m.held_on) AS month, count(*)
    FROM meetings_meeting_kinds k JOIN meetings_meeting m ON m.id = k.meeting_id
    WHERE m.org_path LIKE %s AND m.deleted_at IS NULL AND m.counted AND m.held_on BETWEEN %s AND %s
    GROUP BY 1, 2, 3
"""


def _raw(sql: str, params: list[Any]) -> Callable[[], Any]:
    from django.db import connection

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _without_collector(operation: Callable[[], Any]) -> Any:
    """As year_of runs its reads: with the cyclic collector paused (bulk.heavy_row_work)."""
    from dangjian.core.bulk import heavy_row_work

    with heavy_row_work():
        return operation()


def _replay(statements: list[str]) -> Callable[[], None]:
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    return run


def _captured(operation: Callable[[], Any]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        operation()
    return [query["sql"] for query in captured.captured_queries]


def _is_tally_read(sql: str) -> bool:
    """year_of's counts: the subtree's month tally of the year."""
    return ' FROM "meetings_monthtally" ' in sql and "SELECT" in sql


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _profile(operation: Callable[[], Any], lines: int = 22) -> Iterator[str]:
    """One run of ``operation`` under cProfile: the functions by own time, then by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    operation()
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(lines)
        text = out.getvalue()
        yield f"cProfile of one year_of run, by {order}:"
        started = False
        for line in text.splitlines():
            started = started or line.lstrip().startswith("ncalls")
            if started and line.strip():
                yield "    " + line.rstrip()
            elif "function calls" in line:
                yield "    " + line.strip()


def run(repeat: int, measure: Measure, profile: bool, built: dict[str, Any] | None, seconds: float | None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.scenarios import bench_user
    from dangjian.core import inbox
    from dangjian.meetings import compliance, tally
    from dangjian.meetings.models import Meeting
    from dangjian.meetings.rules import Colour
    from dangjian.orgs.models import Organization

    root = Organization.objects.get(depth=1)
    user = bench_user("bench_heat_map", root)
    towns = list(Organization.objects.filter(depth=2).order_by("path"))
    town = max(towns, key=lambda org: org.numchild)
    start, end = dt.date(YEAR, 1, 1), min(AS_OF, dt.date(YEAR, 12, 31))
    meetings = Meeting.objects.filter(held_on__year=YEAR).count()
    kind_rows = Meeting.kinds.through.objects.filter(meeting__held_on__year=YEAR).count()

    def county() -> list[Any]:
        return compliance.year_of(user, root, YEAR, AS_OF)

    def one_town() -> list[Any]:
        return compliance.year_of(user, town, YEAR, AS_OF)

    county_raw = _raw(RAW_COUNTS, [root.path + "%", start, end])
    town_raw = _raw(RAW_COUNTS, [town.path + "%", start, end])
    # The baseline reads what year_of reads: the same counts, cell for cell.
    theirs: dict[int, dict[str, list[int]]] = {}
    for org, kind, month, n in county_raw():
        theirs.setdefault(org, {}).setdefault(str(kind), [0] * 12)[int(month) - 1] = n

    def counted(by_kind: dict[int, dict[str, str]]) -> dict[int, dict[str, list[int]]]:
        found = {org: {k: tally.months(v) for k, v in kinds.items()} for org, kinds in by_kind.items()}
        return {org: {k: v for k, v in kinds.items() if any(v)} for org, kinds in found.items()}

    if counted(compliance._counts(root.path, YEAR, AS_OF)) != theirs:
        raise SystemExit("the raw aggregate does not count what compliance._counts counts")
    if counted(tally.read(root.path, YEAR).counts) != theirs:
        raise SystemExit("the month tally does not count what the raw aggregate counts")

    county()  # the first run creates the LifeSettings row and warms the caches
    with CaptureQueriesContext(connection) as captured:
        result = county()
    statements = [query["sql"] for query in captured.captured_queries]
    in_database = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    main = [sql for sql in statements if _is_tally_read(sql)]
    if len(main) != 1:
        raise SystemExit(f"year_of's read of the month tally not found among its {len(statements)} statements")
    tally_raw = _raw(RAW_TALLY, [root.path + "%", YEAR - 1, YEAR])

    load_before = os.getloadavg()[0]
    county_ms = measure(county, repeat)
    rows = [
        (f"year_of: the county, {len(result):,} orgs × 12 months", county_ms, measure(county_raw, repeat)),
        (
            "tally.read: the month tally, as year_of reads it",
            measure(lambda: _without_collector(lambda: tally.read(root.path, YEAR)), repeat),
            measure(tally_raw, repeat),
        ),
        (
            "compliance._counts: the counts from the meetings (ORM)",
            measure(lambda: compliance._counts(root.path, YEAR, AS_OF), repeat),
            measure(county_raw, repeat),
        ),
        (
            f"year_of against its {len(statements)} statements replayed raw",
            county_ms,
            measure(_replay(statements), repeat),
        ),
        (f"year_of: one town, {town.numchild + 1:,} orgs", measure(one_town, repeat), measure(town_raw, repeat)),
    ]
    load = f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    cells = Counter(cell.colour for row in result for cell in row.cells)
    overdue = sum(1 for row in result if row.overdue)
    duties = sum(len(row.duties) for row in result)

    print()
    version = getattr(connection, "pg_version", 0)
    branches = sum(org.numchild for org in towns)
    print(
        f"heat map bench · PostgreSQL {version // 10000}.{version % 10000} · {branches:,} branch-level organizations "
        f"under {len(towns)} towns · {meetings:,} meetings in {YEAR} ({kind_rows:,} kind rows) · as of {AS_OF} · "
        f"median of {repeat} runs · {load}"
    )
    if built is not None and seconds is not None:
        print(f"county built in {seconds:.0f} s: " + ", ".join(f"{n:,} {what}" for what, n in built.items()))
    print(
        f"year_of's answer: {duties:,} duty rows; cells (org × month) red {cells[Colour.RED]:,}, yellow "
        f"{cells[Colour.YELLOW]:,}, green {cells[Colour.GREEN]:,}, blank {cells[Colour.BLANK]:,}; "
        f"{overdue:,} organizations with something overdue"
    )
    print()
    print(f"| {'operation':<52} | {'dangjian ms':>11} | {'raw SQL ms':>10} | {'ratio':>6} |")
    print(f"|{'-' * 54}|{'-' * 13}|{'-' * 12}|{'-' * 8}|")
    for label, mine, baseline in rows:
        print(f"| {label:<52} | {mine:>11.2f} | {baseline:>10.2f} | {mine / baseline:>6.2f} |")
    print()
    ratio = county_ms / rows[0][2]
    over = [what for what, bad in (("time", county_ms > TARGET_MS), ("ratio", ratio > TARGET_RATIO)) if bad]
    print(
        f"target (the issue): year_of for the county ≤ {TARGET_MS:.0f} ms and ≤ {TARGET_RATIO:.0f}× the raw aggregate "
        "over the meetings: "
        f"{county_ms:,.0f} ms, {ratio:.1f}× → " + (f"NOT met ({' and '.join(over)} over)" if over else "met")
    )
    print(
        f"one captured run: {len(statements)} statements, {in_database:,.0f} ms of them in the database "
        "(as Django times them, fetching included); the rest of year_of is Python"
    )
    print()
    town_sql = next(sql for sql in _captured(one_town) if _is_tally_read(sql))
    for label, sql in (("the county", main[0]), (f"one town ({town.name})", town_sql)):
        plan = _explain(sql)
        lines = [line.strip().removeprefix("->  ") for line in plan.splitlines()]
        scans = sorted({line.split("  (")[0] for line in lines if "Scan" in line.split("  (")[0]})
        print(f"EXPLAIN (ANALYZE, BUFFERS) of year_of's read of the month tally, {label}: {'; '.join(scans)}")
        if label == "the county":
            print("    " + sql)
        for line in plan.splitlines():
            print("    " + line)
        print()
    # The inbox's daily job for the county (the meetings' source), twice: on a fresh county the first
    # run opens every item and the second finds them all as they were.
    for day in ("a", "the same day's second"):
        started = time.perf_counter()
        (outcome,) = inbox.refresh(AS_OF, sources=["meetings"])
        seconds = time.perf_counter() - started
        print(
            f"the inbox's daily job, source meetings, the county, {day} run: {seconds:.1f} s "
            f"(opened {outcome.opened:,}, updated {outcome.updated:,}, closed {outcome.closed:,}; target ≤ 30 s)"
        )
    print()
    if profile:
        for line in _profile(county):
            print(line)
        print()


def run_here(branches: int, seed: int, repeat: int, url: str, rebuild: bool, profile: bool) -> None:
    """Build the county if needed and measure, in this process (Django not yet set up)."""
    built, seconds = set_up(
        url,
        marker(branches, seed),
        rebuild,
        MARKER,
        "heat-map",
        f"the heat map's county: {branches:,} branches (seed {seed})",
        lambda: build(branches, seed),
    )
    from bench.__main__ import median_ms

    run(repeat, median_ms, profile, built, seconds)


def main() -> None:
    from bench.__main__ import DEFAULT_URL

    county_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    parser = argparse.ArgumentParser(prog="python -m bench.heat_map", description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per operation (median reported)")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_HEAT_MAP_DATABASE_URL", default_url(county_url, "_heat_map"))
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the county even if it matches")
    parser.add_argument("--profile", action="store_true", help="then cProfile one year_of run")
    args = parser.parse_args()
    run_here(args.branches, args.seed, args.repeat, args.database_url, args.rebuild, args.profile)


if __name__ == "__main__":
    main()
