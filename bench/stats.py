"""The annual Party statistics (党内统计年报) computed live on a county of 10^6 members, each figure
beside the raw SQL floor measured in the same run on the same rows.

- The whole county's report (``engine.compute`` then ``checks.run``) against the floor: for every
  population the report reads, one hand-written statement over the same joins and date conditions
  (membership periods at the subtree's organizations, the off-roll status periods, the member),
  grouped flat by the dimensions the form reads of it; ``COUNT(*)`` of the same joins beside, the
  scan alone. Target: under 1 s and within 2× of the floor.
- One town's report (a subtree of about 2·10^4 members) against the same floor on the town.
  Target: under 50 ms. A branch's (its largest) beside: does the cost follow the subtree?
- Each population's pass (its statement as the engine runs it, replayed) against its floor, for
  the county and the town: where the time goes.
- The dashboard's data (``dangjian.stats.dashboard``) for the county, with its snapshot kept,
  and for the town, counted live.
- What would change, on the same rows: ``jit`` off, ``work_mem``, the proposed indexes (created
  for the measurement, dropped after), each pass's grouping sets over its flat groups, the flows'
  candidate days restricted to the subtree, and all of them together.

Then EXPLAIN (ANALYZE, BUFFERS) of the main passes (the roll's grouping sets, the flows, the
developed and the left) for the county and the town, and of the town's as proposed.

The county is built into a database of its own (by default the bench database's name plus
``_stats``; dropped and built again, in a few minutes, when its size, seed or any app's migrations
change): 50 units of 2·10^4 members under the county (towns, 街道 and the county's 系统 committees),
each with its 党总支, 党委 and branches of every kind and unit category, a few branches abolished
before the year, merged away or split off in it. The organizations are written from Python, the
rest in SQL (``INSERT … SELECT`` over ``generate_series`` and ``random()`` after ``setseed``):
members drawn as the demo county's (``demo.people``: age, gender, education, occupation by the
kind of unit), and the history of the report year: transfers inside a town and between towns, out
of the system and back, from outside, deaths, 出党 with every reason, restorations, status
changes, members developed and regularized in the year (some after an extended probation, with
their development files), the year's 民主评议 of every branch, and the committees' terms (some
overdue, some organizations with none), the units the joint branches cover and the registers of
units without an organization. The report must pass its checks (审核公式) on this
county: the history is consistent.

Run alone: ``python -m bench --only stats`` (``--members 100000`` for a quick look).
"""

import argparse
import datetime as dt
import importlib
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.own_database import default_url, schema_fingerprint, set_up

YEAR = 2025
DAY = dt.date(YEAR, 12, 31)  # the annual report's date
SINCE = dt.date(YEAR - 1, 12, 31)
UNIT_MEMBERS = 20_000  # members of each unit under the county (a town, a 街道, a 系统)
COUNTY_MS, COUNTY_RATIO, TOWN_MS = 1000.0, 2.0, 50.0
MARKER = "dangjian bench stats"

Measure = Callable[[Callable[[], Any], int], float]


def marker(members: int, seed: int) -> str:
    """What the database holds, noted on it: the size, the seed and a fingerprint of the migrations."""
    return f"{MARKER}: members={members} seed={seed} year={YEAR} v2 schema={schema_fingerprint()}"


# The organizations ---------------------------------------------------------------------------------

# A layout: the organizations under a unit, as (how many, kind, unit category, relative size of each
# branch, branches under each when it is a 党委 or 党总支 (0: a branch itself)). The sizes make a
# village branch about 50 members.
Layout = tuple[tuple[int, str, str, float, int], ...]

TOWNSHIP: Layout = (
    (8, "branch", "township", 0.8, 0),  # the town's own 机关 branches
    (45, "general_branch", "village", 1.0, 3),
    (130, "branch", "village", 1.0, 0),
    (5, "general_branch", "community", 1.0, 3),
    (20, "branch", "community", 1.2, 0),
    (20, "branch", "school", 0.7, 0),
    (4, "branch", "hospital", 1.0, 0),
    (15, "branch", "public_institution", 0.5, 0),
    (2, "committee", "non_public_enterprise", 0.35, 20),  # 商会党委
    (50, "branch", "non_public_enterprise", 0.3, 0),
    (10, "joint_branch", "non_public_enterprise", 0.45, 0),
    (6, "branch", "state_enterprise", 0.8, 0),
    (6, "branch", "collective_enterprise", 0.5, 0),
    (8, "branch", "social_organization", 0.25, 0),
    (4, "branch", "other", 0.3, 0),
    (3, "temporary_branch", "other", 0.2, 0),
)
SUBDISTRICT: Layout = (
    (8, "branch", "subdistrict", 0.8, 0),
    (20, "general_branch", "community", 1.0, 3),
    (80, "branch", "community", 1.2, 0),
    (25, "branch", "school", 0.7, 0),
    (8, "branch", "hospital", 1.0, 0),
    (25, "branch", "public_institution", 0.5, 0),
    (10, "branch", "organ", 0.8, 0),
    (2, "committee", "non_public_enterprise", 0.35, 20),  # 楼宇党委
    (80, "branch", "non_public_enterprise", 0.3, 0),
    (20, "joint_branch", "non_public_enterprise", 0.45, 0),
    (15, "branch", "state_enterprise", 0.8, 0),
    (5, "branch", "collective_enterprise", 0.5, 0),
    (20, "branch", "social_organization", 0.25, 0),
    (5, "branch", "other", 0.3, 0),
    (3, "temporary_branch", "other", 0.2, 0),
)
SYSTEMS: tuple[tuple[str, str, str, Layout], ...] = (
    (
        "县直机关工作委员会",
        "working_committee",
        "organ",
        (
            (30, "committee", "organ", 0.8, 4),
            (100, "branch", "organ", 0.8, 0),
            (20, "branch", "public_institution", 0.6, 0),
        ),
    ),
    (
        "县教育局委员会",
        "committee",
        "school",
        ((40, "general_branch", "school", 0.7, 4), (100, "branch", "school", 0.7, 0)),
    ),
    (
        "县卫生健康局委员会",
        "committee",
        "hospital",
        (
            (10, "committee", "hospital", 1.0, 8),
            (60, "branch", "hospital", 1.0, 0),
            (20, "branch", "public_institution", 0.6, 0),
        ),
    ),
    (
        "县非公有制经济组织和社会组织工作委员会",
        "working_committee",
        "non_public_enterprise",
        (
            (20, "committee", "non_public_enterprise", 0.35, 8),
            (200, "branch", "non_public_enterprise", 0.35, 0),
            (40, "joint_branch", "non_public_enterprise", 0.45, 0),
            (30, "branch", "social_organization", 0.3, 0),
        ),
    ),
)
BRANCH_LEVEL = ("branch", "joint_branch", "temporary_branch")
TERM_YEARS = {"committee": 5, "working_committee": 5}  # 党总支 and branches: 3


@dataclass
class Spec:
    name: str
    kind: str
    unit: str
    path: str
    weight: float = 0.0
    founded: dt.date = dt.date(1949, 10, 1)
    abolished: dt.date | None = None
    event: str = ""  # "merged" (abolished in the year, into ``partner``), "split" (founded in it, from it)
    partner: int | None = None  # the branch (index in the plan) merged into or split from
    children: list["Spec"] = field(default_factory=list)


def _day_in(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def plan_county(members: int, seed: int) -> list[Spec]:
    """The organizations in tree order (each before its children): the county, its units, theirs."""
    from dangjian.orgs.models import Organization

    rng = random.Random(seed)
    units = max(1, -(-members // UNIT_MEMBERS))
    root = Spec("中共清河县委员会", "committee", "organ", Organization._get_path(None, 1, 1))
    for u in range(units):
        path = Organization._get_path(root.path, 2, u + 1)
        founded = _day_in(rng, dt.date(1950, 1, 1), dt.date(1956, 12, 31))
        if u % 10 < 7:
            unit = Spec(f"中共第{u + 1}镇委员会", "committee", "township", path, founded=founded)
            layout = TOWNSHIP
        elif u % 10 < 9:
            unit = Spec(f"中共第{u + 1}街道工作委员会", "working_committee", "subdistrict", path, founded=founded)
            layout = SUBDISTRICT
        else:
            name, kind, category, layout = SYSTEMS[(u // 10) % len(SYSTEMS)]
            unit = Spec(f"中共{name}（{u + 1}）", kind, category, path, founded=founded)
        root.children.append(unit)
        position = 0
        for count, kind, category, weight, below in layout:
            for _ in range(count):
                position += 1
                child_path = Organization._get_path(path, 3, position)
                founded = _day_in(rng, dt.date(1960, 1, 1), dt.date(2015, 12, 31))
                name = f"{unit.name[2:]}第{position}{'党支部' if not below else '委员会'}"
                child = Spec(name, kind, category, child_path, founded=founded)
                unit.children.append(child)
                if not below:
                    child.weight = weight
                    continue
                for b in range(below):
                    branch_kind = "joint_branch" if category == "non_public_enterprise" and b % 5 == 4 else "branch"
                    child.children.append(
                        Spec(
                            f"{name}第{b + 1}党支部",
                            branch_kind,
                            category,
                            Organization._get_path(child_path, 4, b + 1),
                            weight=weight,
                            founded=_day_in(rng, founded, dt.date(2015, 12, 31)),
                        )
                    )
    ordered = list(_walk(root))
    index_of = {id(spec): i for i, spec in enumerate(ordered)}
    for unit in root.children:
        branches = [spec for spec in _walk(unit) if spec.kind in BRANCH_LEVEL]
        live: Spec | None = None
        for spec in branches:
            spec.weight *= rng.uniform(0.6, 1.4)
            draw = rng.random()
            if draw < 0.015:  # abolished before the year: no one on its roll any more
                first = max(dt.date(2010, 1, 1), spec.founded + dt.timedelta(days=1))
                spec.abolished = _day_in(rng, first, dt.date(YEAR - 1, 11, 30))
                spec.weight = 0.0
            elif draw < 0.02 and live is not None:  # merged into the previous branch during the year
                spec.abolished, spec.event = _day_in(rng, dt.date(YEAR, 2, 1), dt.date(YEAR, 10, 31)), "merged"
            elif draw < 0.03 and live is not None:  # split off the previous branch during the year
                spec.founded, spec.event = _day_in(rng, dt.date(YEAR, 2, 1), dt.date(YEAR, 10, 31)), "split"
            if spec.event:
                assert live is not None
                spec.partner = index_of[id(live)]
            elif spec.abolished is None:
                live = spec
    return ordered


def _walk(spec: Spec) -> Iterator[Spec]:
    yield spec
    for child in spec.children:
        yield from _walk(child)


def _allocate(specs: list[Spec], total: int) -> list[int]:
    """Whole members per branch (largest remainder), each unit its UNIT_MEMBERS (the last the rest)."""
    counts = [0] * len(specs)
    units = [i for i, spec in enumerate(specs) if len(spec.path) == 8]
    for n, first in enumerate(units):
        last = units[n + 1] if n + 1 < len(units) else len(specs)
        wanted = min(UNIT_MEMBERS, total - UNIT_MEMBERS * n)
        weights = {i: specs[i].weight for i in range(first, last) if specs[i].weight > 0}
        scale = wanted / sum(weights.values())
        shares = {i: w * scale for i, w in weights.items()}
        for i, share in shares.items():
            counts[i] = int(share)
        rest = wanted - sum(counts[i] for i in weights)
        for i in sorted(shares, key=lambda i: shares[i] - int(shares[i]), reverse=True)[:rest]:
            counts[i] += 1
    return counts


# The members ----------------------------------------------------------------------------------------

PROFILE_OF_UNIT = {
    "village": "village",
    "township": "village",
    "community": "community",
    "subdistrict": "community",
    "school": "school",
    "hospital": "hospital",
    "non_public_enterprise": "enterprise",
    "social_organization": "enterprise",
    "state_enterprise": "enterprise",
    "collective_enterprise": "enterprise",
    "other": "enterprise",
}  # organ and public_institution: organ

# The stories of the year: (code, share of the members, what happens). Members of a branch merged
# away or split off in the year have the stories 20 and 21 instead.
STORIES = (
    (1, 0.012, "developed (joined) in the year: 预备党员"),
    (2, 0.012, "joined the year before: regularized in the year (4% after an extension, 1% cancelled)"),
    (3, 0.030, "moved to another branch of the town in the year"),
    (4, 0.010, "moved to a branch of another town in the year"),
    (5, 0.100, "moved between branches of the town before the year"),
    (6, 0.006, "died in the year (55 and older)"),
    (7, 0.030, "died before the year (65 and older)"),
    (8, 0.0015, "出党 in the year"),
    (9, 0.0015, "出党 before the year"),
    (10, 0.005, "relation transferred outside the system in the year (已转出)"),
    (11, 0.002, "transferred outside and back in the year"),
    (12, 0.002, "transferred outside before the year, back in it"),
    (13, 0.005, "transferred outside before the year, still out"),
    (14, 0.007, "transferred in from outside the system in the year"),
    (15, 0.00003, "恢复党籍 in the year (出党 before it)"),
    (16, 0.050, "on-roll status change in the year (流动, 失联, 出国(境), 停止党籍)"),
    (17, 0.030, "on-roll status change before the year"),
    (18, 0.002, "moved to another town and back in the year"),
    (19, 0.0005, "record deleted"),
)


def _story_case() -> str:
    whens, bound = [], 0.0
    for code, share, _ in STORIES:
        bound += share
        whens.append(f"WHEN d.s < {bound:.6f} THEN {code}")
    return "CASE " + " ".join(whens) + " ELSE 0 END"


def _cumulative(column: str, items: list[tuple[str, float]]) -> str:
    """CASE over a uniform draw picking an item by weight (the last one the rest)."""
    total = sum(w for _, w in items)
    whens, bound = [], 0.0
    for value, weight in items[:-1]:
        if weight <= 0:
            continue
        bound += weight / total
        whens.append(f"WHEN {column} < {bound:.6f} THEN {value}")
    return f"CASE {' '.join(whens)} ELSE {items[-1][0]} END" if whens else items[-1][0]


def _by_profile(choices: Callable[[str], str], column: str = "profile") -> str:
    from dangjian.demo.people import AGE_WEIGHTS

    whens = " ".join(f"WHEN '{p}' THEN {choices(p)}" for p in AGE_WEIGHTS)
    return f"CASE {column} {whens} END"


def _person_sql() -> str:
    """The temporary table ``person``: each member's attributes and up to three membership periods
    and three status periods, by story."""
    from dangjian.demo.people import AGE_WEIGHTS, EDUCATION_ORDER, EDUCATION_WEIGHTS, FEMALE_SHARE, OCCUPATIONS

    def age_low(p: str) -> str:
        return _cumulative("d.g", [(str(low), w) for low, _, w in AGE_WEIGHTS[p]])

    def age_span(p: str) -> str:
        return _cumulative("d.g", [(str(high - low + 1), w) for low, high, w in AGE_WEIGHTS[p]])

    def education(p: str, old: bool = False) -> str:
        weights = (0, 0, 2, 3, 20, 45, 30) if old else EDUCATION_WEIGHTS[p]
        return _cumulative("ed", [(f"'{e.value}'", w) for e, w in zip(EDUCATION_ORDER, weights, strict=True)])

    def occupation(p: str) -> str:
        values, weights = OCCUPATIONS[p]
        return _cumulative("oc", [(f"'{v.value}'", w) for v, w in zip(values, weights, strict=True)])

    female = _by_profile(lambda p: str(FEMALE_SHARE[p]), "b.profile")
    minorities = _cumulative("b / 0.05", [("'15'", 40), ("'06'", 25), ("'12'", 10), ("'13'", 10), ("'03'", 10)])
    education_old = education("village", True)
    left_reason = _cumulative("e", [("'lapsed'", 40), ("'removed'", 25), ("'expelled'", 20), ("'withdrew'", 15)])
    on_roll = _cumulative("e", [("'mobile'", 60), ("'lost_contact'", 15), ("'abroad'", 10), ("'suspended'", 15)])
    student_education = _cumulative("ed", [("'postgraduate'", 15), ("'bachelor'", 65), ("'junior_college'", 20)])
    return f"""
    CREATE TEMP TABLE person AS
    WITH drawn AS (
        SELECT d.*, s.k, b.profile, b.town, b.live_j, b.event, b.event_date, b.partner, b.founded,
            b.profile = 'school' AND d.x < 0.10 AS student,
            CASE b.event WHEN 'merged' THEN 20 WHEN 'split' THEN 21 ELSE {_story_case()} END AS drawn_story,
            {_by_profile(age_low, "b.profile")} AS age_low, {_by_profile(age_span, "b.profile")} AS age_span,
            {female} AS female_share
        FROM draw d JOIN slot s ON s.id = d.id JOIN branch b ON b.k = s.k
    ), aged AS (
        SELECT drawn.*, CASE WHEN student THEN 19 + h * 5 ELSE age_low + h * age_span END AS age FROM drawn
    ), storied AS MATERIALIZED (
        SELECT aged.*,
            CASE WHEN drawn_story = 6 AND age < 55 THEN 0 WHEN drawn_story = 7 AND age < 65 THEN 0
                 WHEN student AND drawn_story IN (5, 7, 9, 13, 17) THEN 0 ELSE drawn_story END AS story
        FROM aged
    ), born AS (
        SELECT storied.*,
            CASE WHEN story = 1 THEN date %(year)s + floor(t * 360)::int
                 WHEN story = 2 THEN date %(year_before)s + floor(t * 365)::int END AS joined_new,
            CASE WHEN j < 0.85 THEN 18 * 365 + 10 + floor(j / 0.85 * 17 * 365)::int
                 ELSE 36 * 365 + floor((j - 0.85) / 0.15 * 14 * 365)::int END AS join_age_days
        FROM storied
    ), dated AS (
        SELECT born.*,
            CASE WHEN joined_new IS NOT NULL THEN joined_new - join_age_days
                 ELSE date %(day)s - floor(age * 365.25)::int END AS birth
        FROM born
    ), joined AS MATERIALIZED (
        SELECT dated.*,
            coalesce(joined_new, least(
                date %(last_old_join)s,
                dated.birth + floor((18 + (least(age, 55) - 18) * j * j2) * 365.25)::int + 1
            )) AS joined_date,
            CASE WHEN story = 2 AND e < 0.025 THEN 6 WHEN story = 2 AND e < 0.04 THEN 12 ELSE 0 END AS extension,
            story = 2 AND e >= 0.04 AND e < 0.05 AS cancelled
        FROM dated
    ), periods AS MATERIALIZED (
        SELECT joined.*,
            (joined_date + make_interval(months => 12 + extension))::date AS due,
            greatest(joined_date, CASE WHEN story = 21 THEN date %(old_founded)s ELSE founded END) AS start0,
            date %(year)s + floor(t * 362)::int AS t1
        FROM joined
    ), timed AS MATERIALIZED (
        SELECT periods.*,
            t1 + 1 + floor(u * (date %(day)s - t1 - 1))::int AS t2,
            start0 + 1 + floor(u * (date %(since)s - start0 - 1))::int AS t0,
            (SELECT l.k FROM live l WHERE l.town = periods.town
               AND l.j = (coalesce(periods.live_j, 0) + 1 + floor(v * (n.n - 1))::int) %% n.n) AS k_town,
            (SELECT l.k FROM live l JOIN town_live m ON m.town = l.town
               WHERE l.town = (periods.town + 1 + floor(w * (%(towns)s - 1))::int) %% %(towns)s
                 AND l.j = floor(v * m.n)::int) AS k_other
        FROM periods JOIN town_live n ON n.town = periods.town
    )
    SELECT id, k, profile, story, student,
        CASE WHEN a < female_share THEN '2' ELSE '1' END AS gender,
        CASE WHEN b < 0.05 THEN {minorities} ELSE '01' END AS ethnicity,
        birth, joined_date, extension, cancelled,
        CASE WHEN story IN (1, 2) AND (cancelled OR due > date %(day)s) OR story = 1 THEN NULL
             WHEN story = 2 THEN due ELSE (joined_date + interval '1 year')::date END AS regularized_date,
        CASE WHEN student THEN {student_education}
             WHEN extract(year FROM birth) < 1960 AND profile IN ('village', 'community') THEN {education_old}
             ELSE {_by_profile(education)} END AS education,
        CASE WHEN student THEN 'student'
             WHEN age > 60 AND profile <> 'organ' AND oc < 0.8 THEN 'retired'
             ELSE {_by_profile(occupation)} END AS occupation,
        -- membership periods: (organization, start, end) × 3
        CASE WHEN story = 5 THEN k_town WHEN story = 21 THEN partner ELSE k END AS ka,
        CASE WHEN story = 14 THEN t1 ELSE start0 END AS sa,
        CASE WHEN story IN (3, 4, 10, 11, 18) THEN t1 WHEN story IN (5, 12, 13) THEN t0
             WHEN story IN (20, 21) THEN event_date END AS ea,
        CASE WHEN story IN (3, 11) THEN k_town WHEN story IN (4, 18) THEN coalesce(k_other, k_town)
             WHEN story IN (5, 12, 21) THEN k WHEN story = 20 THEN partner END AS kb,
        CASE WHEN story IN (3, 4, 18) THEN t1 WHEN story = 11 THEN t2 WHEN story = 5 THEN t0 WHEN story = 12 THEN t1
             WHEN story IN (20, 21) THEN event_date END AS sb,
        CASE WHEN story = 18 THEN t2 END AS eb,
        CASE WHEN story = 18 THEN k_town END AS kc,
        CASE WHEN story = 18 THEN t2 END AS sc,
        -- status periods: (status, start, end, left reason) × 3
        'normal' AS xa_status, joined_date AS xa_start,
        CASE WHEN cancelled THEN (joined_date + interval '1 year')::date
             WHEN story IN (6, 8, 10, 11, 16) THEN t1 WHEN story IN (7, 9, 12, 13, 15, 17) THEN t0 END AS xa_end,
        '' AS xa_reason,
        CASE WHEN cancelled THEN 'left' WHEN story IN (6, 7) THEN 'deceased' WHEN story IN (8, 9, 15) THEN 'left'
             WHEN story IN (10, 11, 12, 13) THEN 'transferred_out' WHEN story IN (16, 17) THEN {on_roll} END
            AS xb_status,
        CASE WHEN cancelled THEN (joined_date + interval '1 year')::date
             WHEN story IN (6, 8, 10, 11, 16) THEN t1 WHEN story IN (7, 9, 12, 13, 15, 17) THEN t0 END AS xb_start,
        CASE WHEN story = 11 THEN t2 WHEN story IN (12, 15) THEN t1 END AS xb_end,
        CASE WHEN cancelled THEN 'probation_cancelled' WHEN story IN (8, 9, 15) THEN {left_reason} ELSE '' END
            AS xb_reason,
        CASE WHEN story IN (11, 12, 15) THEN 'normal' END AS xc_status,
        CASE WHEN story = 11 THEN t2 WHEN story IN (12, 15) THEN t1 END AS xc_start
    FROM timed
    """


DRAWS = """
    CREATE TEMP TABLE draw AS
    SELECT g AS id, random() AS a, random() AS b, random() AS e, random() AS g, random() AS h, random() AS j,
        random() AS j2, random() AS s, random() AS t, random() AS u, random() AS v, random() AS w, random() AS x,
        random() AS ed, random() AS oc
    FROM generate_series(1, %s) g
"""

MEMBERS = """
    INSERT INTO members_member (
        id, name, name_pinyin, name_initials, gender, ethnicity, native_place, birth_date, id_number, id_hash,
        id_tail, education, degree, occupation, job, phone, phone_hash, phone_tail, address, category, joined_date,
        regularized_date, is_central_household, status, status_date, status_reason, left_reason, organization_id,
        org_path, party_group_id, user_id, deleted_at, created_at, updated_at
    )
    SELECT p.id, '党员' || p.id, 'dangyuan' || lpad(p.id::text, 7, '0'), 'dy', p.gender, p.ethnicity, '',
        p.birth, '\\x00'::bytea, md5('bench-stats-' || p.id)::uuid, lpad((p.id %% 10000)::text, 4, '0'),
        p.education, '', p.occupation, '', NULL, NULL, '', '',
        CASE WHEN p.regularized_date IS NULL THEN 'probationary' ELSE 'full' END, p.joined_date,
        p.regularized_date, false, last.status, CASE WHEN last.status <> 'normal' THEN last.start END, '',
        CASE WHEN last.status = 'left' THEN last.reason ELSE '' END, o.id, o.path, NULL, NULL,
        CASE WHEN p.story = 19 THEN now() END, now(), now()
    FROM person p
    CROSS JOIN LATERAL (
        SELECT coalesce(p.xc_status, p.xb_status, p.xa_status) AS status,
               coalesce(p.xc_start, p.xb_start, p.xa_start) AS start,
               coalesce(nullif(p.xb_reason, ''), p.xa_reason) AS reason
    ) last
    JOIN branch o ON o.k = coalesce(p.kc, p.kb, p.ka)
"""

PERIODS = """
    INSERT INTO members_membershipperiod (member_id, organization_id, start, "end", reason)
    SELECT p.id, o.id, v.start, v.stop, v.reason
    FROM person p
    CROSS JOIN LATERAL (VALUES (p.ka, p.sa, p.ea, '登记入册'), (p.kb, p.sb, p.eb, '组织关系转接'),
                               (p.kc, p.sc, NULL::date, '组织关系转接')) v(k, start, stop, reason)
    JOIN branch o ON o.k = v.k
    ORDER BY p.id, v.start
"""

STATUSES = """
    INSERT INTO members_statusperiod (member_id, status, start, "end", reason, left_reason)
    SELECT p.id, v.status, v.start, v.stop, '', v.reason
    FROM person p
    CROSS JOIN LATERAL (VALUES (p.xa_status, p.xa_start, p.xa_end, p.xa_reason),
                               (p.xb_status, p.xb_start, p.xb_end, p.xb_reason),
                               (p.xc_status, p.xc_start, NULL::date, '')) v(status, start, stop, reason)
    WHERE v.status IS NOT NULL
    ORDER BY p.id, v.start
"""

# Development files: every member developed in the year or the year before (the regularized, the
# extended, the cancelled), and open files (activists, candidates) in 2% of the branches' numbers.
APPLICANTS = """
    INSERT INTO development_applicant (
        name, gender, ethnicity, birth_date, id_number, id_hash, id_tail, education, occupation, job,
        leaving_date, organization_id, org_path, step, round, status, extension_months, member_id, created_at,
        updated_at
    )
    SELECT '党员' || p.id, p.gender, p.ethnicity, p.birth, '\\x00'::bytea, md5('bench-stats-file-' || p.id)::uuid,
        lpad((p.id %% 10000)::text, 4, '0'), p.education, p.occupation, '', NULL, o.id, o.path,
        CASE WHEN p.cancelled THEN 24 WHEN p.regularized_date IS NOT NULL THEN 25 ELSE 21 END,
        CASE WHEN p.extension > 0 THEN 1 ELSE 0 END,
        CASE WHEN p.cancelled THEN 'cancelled' WHEN p.regularized_date IS NOT NULL THEN 'regularized'
             ELSE 'probation' END,
        p.extension, p.id, now(), now()
    FROM person p JOIN branch o ON o.k = p.ka
    WHERE p.story IN (1, 2)
"""
OPEN_FILES = """
    INSERT INTO development_applicant (
        name, gender, ethnicity, birth_date, id_number, id_hash, id_tail, education, occupation, job,
        leaving_date, organization_id, org_path, step, round, status, extension_months, member_id, created_at,
        updated_at
    )
    SELECT '积极分子' || g, CASE WHEN g %% 3 = 0 THEN '2' ELSE '1' END, '01', date '1990-01-01' + (g %% 5000),
        '\\x00'::bytea, md5('bench-stats-open-' || g)::uuid, lpad((g %% 10000)::text, 4, '0'), 'bachelor', 'worker',
        '', NULL, o.id, o.path, 1 + g %% 20, 0, 'open', 0, NULL, now(), now()
    FROM generate_series(1, %s) g JOIN live l ON l.n = g %% %s JOIN branch o ON o.k = l.k
"""

# The year's 民主评议: one per branch on its roll, opened between 10 November and 24 December (4% in
# January of the next year: not counted on 31 December); every member on the branch's roll that
# day takes part, the 预备党员 unrated; 15% 优秀, 2% not yet rated.
REVIEWS = """
    INSERT INTO meetings_review (organization_id, org_path, year, meeting_id, opened_on, created_by_id)
    SELECT b.id, b.path, %(year)s, NULL,
        CASE WHEN (b.k * 7919) %% 100 < 4 THEN date %(next_year)s + 4 + b.k %% 20
             ELSE date %(november)s + (b.k * 31) %% 45 END,
        %(user)s
    FROM branch b WHERE b.event <> 'merged' AND (b.abolished IS NULL)
"""
REVIEW_ENTRIES = """
    INSERT INTO meetings_reviewentry (review_id, member_id, rated, tally, rating_id, rating_reason, outcome)
    SELECT r.id, p.member_id, rated, '{}'::jsonb,
        CASE WHEN NOT rated THEN NULL
             WHEN h < 0.15 THEN %(excellent)s WHEN h < 0.93 THEN %(qualified)s
             WHEN h < 0.97 THEN %(basic)s WHEN h < 0.98 THEN %(failed)s END,
        '', ''
    FROM meetings_review r
    JOIN members_membershipperiod p ON p.organization_id = r.organization_id AND p.start <= r.opened_on
        AND (p."end" IS NULL OR p."end" > r.opened_on)
    JOIN members_member m ON m.id = p.member_id
    CROSS JOIN LATERAL (
        SELECT coalesce(m.regularized_date <= r.opened_on, false) AS rated,
               ((p.member_id * 2654435761) %% 100003) / 100003.0 AS h
    ) x
    WHERE m.deleted_at IS NULL AND NOT EXISTS (
        SELECT 1 FROM members_statusperiod s WHERE s.member_id = p.member_id AND s.start <= r.opened_on
            AND (s."end" IS NULL OR s."end" > r.opened_on) AND s.status IN ('deceased', 'left', 'transferred_out')
    )
"""

# 党组织覆盖情况: each 联合党支部 covers two to five units (companies, social organizations); each town,
# 街道 and 系统 keeps a register of the units in its area without an organization (15 to 60), some of
# them closed (organized, taken in by a joint branch, gone), a few in the year.
COVERED_UNITS = """
    INSERT INTO orgs_coveredunit (organization_id, name, unit_category)
    SELECT o.id, o.name || '覆盖单位' || g, CASE WHEN g %% 4 = 3 THEN 'social_organization' ELSE o.unit_category END
    FROM orgs_organization o CROSS JOIN LATERAL generate_series(1, 2 + o.id %% 4) g
    WHERE o.kind = 'joint_branch'
"""
UNCOVERED_UNITS = """
    INSERT INTO stats_uncoveredunit (
        organization_id, org_path, name, unit_category, employees, party_members, listed_on, closed_on, closing, note
    )
    SELECT o.id, o.path, o.name || '未建党组织单位' || g,
        (ARRAY['non_public_enterprise', 'non_public_enterprise', 'non_public_enterprise', 'social_organization',
               'social_organization', 'collective_enterprise', 'public_institution', 'village'])[1 + (o.id + g) %% 8],
        3 + (o.id * g) %% 200, (o.id + g) %% 3, date %(first)s + ((o.id * 37 + g * 101) %% 2900),
        CASE WHEN (o.id + g) %% 5 = 0
             THEN least(date %(first)s + ((o.id * 37 + g * 101) %% 2900) + 30 + (g * 53) %% 900, date %(last)s) END,
        CASE WHEN (o.id + g) %% 5 = 0 THEN (ARRAY['organized', 'covered', 'gone'])[1 + g %% 3] ELSE '' END, ''
    FROM (SELECT id::int, path, name, depth FROM orgs_organization) o
    CROSS JOIN LATERAL generate_series(1, 15 + (o.id %% 46)::int) g
    WHERE o.depth = 2
"""


def build(members: int, seed: int) -> dict[str, int]:
    """Write the county into the (empty, migrated) database; returns what was written."""
    from django.db import DatabaseError, connection, transaction

    from bench.scenarios import bench_user
    from dangjian.core.bulk import RowWriter
    from dangjian.development.models import Applicant
    from dangjian.elections.models import Term
    from dangjian.meetings.models import Review, ReviewEntry, ReviewRating
    from dangjian.members.models import Member, MembershipPeriod, StatusPeriod
    from dangjian.orgs.models import Organization

    specs = plan_county(members, seed)
    counts = _allocate(specs, members)
    written: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:

        def step(what: str, sql: str, params: Any = ()) -> int:
            started = time.perf_counter()
            cursor.execute(sql, params)
            print(f"  {what}: {cursor.rowcount:,} rows, {time.perf_counter() - started:.1f} s", flush=True)
            return cursor.rowcount

        if Member.objects.exists() or Organization.objects.exists():
            raise SystemExit("the stats bench's county is built into an empty database")
        organizations = [
            Organization(
                path=spec.path,
                depth=len(spec.path) // Organization.steplen,
                numchild=len(spec.children),
                name=spec.name,
                code=f"TJ{i:07d}",
                kind=spec.kind,
                unit_category=spec.unit,
                founded_date=spec.founded,
                abolished_date=spec.abolished,
            )
            for i, spec in enumerate(specs)
        ]
        Organization.objects.bulk_create(organizations, batch_size=5000)
        written["organizations"] = len(organizations)
        user = bench_user("bench_stats", organizations[0])

        # The member-holding organizations (k: their index in the plan), the live ones per unit.
        unit_of: dict[int, int] = {}
        units = [i for i, spec in enumerate(specs) if len(spec.path) == 8]
        for n, first in enumerate(units):
            for i in range(first, units[n + 1] if n + 1 < len(units) else len(specs)):
                unit_of[i] = n
        cursor.execute(
            "CREATE TEMP TABLE branch (k int PRIMARY KEY, id bigint, path varchar(255), profile text, town int, "
            "live_j int, event text, event_date date, partner int, founded date, abolished date, lo int, hi int) "
            "ON COMMIT DROP"
        )
        cursor.execute("CREATE TEMP TABLE live (town int, j int, k int, n int, PRIMARY KEY (town, j)) ON COMMIT DROP")
        branch_rows: list[tuple[Any, ...]] = []
        live_rows: list[tuple[int, int, int, int]] = []
        next_id, live_count = 1, 0
        positions: dict[int, int] = {}
        for i, (spec, org) in enumerate(zip(specs, organizations, strict=True)):
            if spec.kind not in BRANCH_LEVEL:
                continue
            live_j = None
            if spec.abolished is None and not spec.event:
                live_j = positions.get(unit_of[i], 0)
                positions[unit_of[i]] = live_j + 1
                live_rows.append((unit_of[i], live_j, i, live_count))
                live_count += 1
            event_date = spec.abolished if spec.event == "merged" else spec.founded if spec.event == "split" else None
            branch_rows.append(
                (
                    i,
                    org.pk,
                    spec.path,
                    PROFILE_OF_UNIT.get(spec.unit, "organ"),
                    unit_of[i],
                    live_j,
                    spec.event,
                    event_date,
                    spec.partner,
                    spec.founded,
                    None if spec.event else spec.abolished,
                    next_id,
                    next_id + counts[i] - 1,
                )
            )
            next_id += counts[i]
        # The committees hold no members but take part in the periods' joins through branch.k.
        with cursor.copy("COPY branch FROM STDIN") as copy:
            for row in branch_rows:
                copy.write_row(row)
        with cursor.copy("COPY live FROM STDIN") as copy:
            for row in live_rows:
                copy.write_row(row)
        cursor.execute(
            "CREATE TEMP TABLE town_live ON COMMIT DROP AS SELECT town, count(*)::int AS n FROM live GROUP BY town"
        )
        cursor.execute("CREATE TEMP TABLE slot (id int PRIMARY KEY, k int) ON COMMIT DROP")
        step("slots", "INSERT INTO slot SELECT g, b.k FROM branch b, generate_series(b.lo, b.hi) g")
        cursor.execute("ANALYZE branch; ANALYZE live; ANALYZE town_live; ANALYZE slot")
        cursor.execute("SELECT setseed(%s)", [((seed * 7919) % 10_000) / 10_000])
        step("draws", DRAWS, [members])
        cursor.execute("ANALYZE draw")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")  # compiling the stories' expressions would take minutes
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        step(
            "people and their stories",
            _person_sql(),
            {
                "year": dt.date(YEAR, 1, 1),
                "year_before": dt.date(YEAR - 1, 1, 1),
                "day": DAY,
                "since": SINCE,
                "last_old_join": dt.date(YEAR - 2, 12, 31),
                "old_founded": dt.date(2015, 12, 31),
                "towns": len(units),
            },
        )
        cursor.execute("ANALYZE person")
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:  # not a superuser: the foreign keys are checked, slower
            pass
        written["members"] = step("members", MEMBERS, [])
        written["membership periods"] = step("membership periods", PERIODS, [])
        written["status periods"] = step("status periods", STATUSES, [])
        written["development files of members"] = step("development files", APPLICANTS, [])
        written["open development files"] = step("open files", OPEN_FILES, [members // 50, max(1, live_count)])
        cursor.execute("ANALYZE members_member; ANALYZE members_membershipperiod; ANALYZE members_statusperiod")
        ratings = dict(ReviewRating.objects.values_list("code", "pk"))
        written["reviews"] = step(
            "reviews",
            REVIEWS,
            {
                "year": YEAR,
                "next_year": dt.date(YEAR + 1, 1, 1),
                "november": dt.date(YEAR, 11, 10),
                "user": user.pk,
            },
        )
        entries = {code: ratings[code] for code in ("excellent", "qualified", "basic", "failed")}
        written["review entries"] = step("review entries", REVIEW_ENTRIES, entries)
        written["covered units"] = step("covered units", COVERED_UNITS, [])
        written["uncovered units"] = step(
            "uncovered units", UNCOVERED_UNITS, {"first": dt.date(2018, 1, 1), "last": DAY}
        )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        writer = RowWriter()
        terms = _terms(specs, organizations, seed)
        writer.write(Term, ("organization", "number", "start", "expected_end", "actual_end", "note"), terms)
        written["terms"] = len(terms)
        writer.reset_sequences(Member, MembershipPeriod, StatusPeriod, Applicant, Review, ReviewEntry, Term)
    return written


def _terms(specs: list[Spec], organizations: list[Any], seed: int) -> list[tuple[Any, ...]]:
    """Each organization's committee terms: the one before (ended at the election) and the current
    one; 5% overdue (the current term's end passed, no election yet), 2% with no term at all."""
    from dangjian.core.dates import add_years

    rng = random.Random(seed + 1)
    rows: list[tuple[Any, ...]] = []
    for spec, org in zip(specs, organizations, strict=True):
        years = TERM_YEARS.get(spec.kind, 3)
        draw = rng.random()
        if draw < 0.02:
            continue
        if spec.abolished is not None and spec.abolished <= DAY:
            start = max(spec.founded, add_years(spec.abolished, -years) + dt.timedelta(days=30))
            rows.append((org.pk, 1, start, add_years(start, years), spec.abolished, ""))
            continue
        if spec.founded.year == YEAR:
            rows.append((org.pk, 1, spec.founded, add_years(spec.founded, years), None, ""))
            continue
        if draw < 0.07:  # overdue: started more than a term ago
            start = max(spec.founded, add_years(DAY, -years) - dt.timedelta(days=rng.randint(30, 700)))
            if add_years(start, years) >= DAY:
                start = add_years(DAY, -years) - dt.timedelta(days=30)
            rows.append((org.pk, 1, start, add_years(start, years), None, ""))
            continue
        current = DAY - dt.timedelta(days=rng.randint(30, years * 365 - 30))
        previous = max(spec.founded, add_years(current, -years))
        if previous < current:
            rows.append((org.pk, 1, previous, add_years(previous, years), current, ""))
        rows.append((org.pk, 2 if previous < current else 1, current, add_years(current, years), None, ""))
    return rows


# The measurements ------------------------------------------------------------------------------------

# The floors: each population the report reads, hand-written over the same joins and date conditions
# as the engine's, grouped flat by every dimension the report reads of it (the finest grouping: each
# cell is a sum of its groups). {off}, {minority}, {age}, {joined}: our own constants and the form's
# bands, not input.
ROLL_FROM = """
    FROM members_membershipperiod p
    JOIN orgs_organization o ON o.id = p.organization_id
    JOIN members_member m ON m.id = p.member_id
    WHERE o.path LIKE %(like)s AND p.start <= %(on)s AND (p."end" IS NULL OR p."end" > %(on)s)
      AND m.deleted_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM members_statusperiod s WHERE s.member_id = p.member_id AND s.status IN {off}
                      AND s.start <= %(on)s AND (s."end" IS NULL OR s."end" > %(on)s))
"""
ROLL_COUNT = "SELECT count(*) " + ROLL_FROM
ROLL_FLAT = (
    """
    SELECT {age}, coalesce(m.regularized_date <= %(on)s, false), substr(o.path, 1, %(child)s), m.education,
        m.gender, {joined}, m.ethnicity IN {minority}, m.occupation, o.unit_category, count(*)
"""
    + ROLL_FROM
    + " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"
)
ROLL_START_FLAT = (
    "SELECT substr(o.path, 1, %(child)s), m.gender, m.ethnicity IN {minority}, count(*) "
    + ROLL_FROM
    + " GROUP BY 1, 2, 3"
)

ON_APPROVAL = """
    FROM members_member m
    JOIN members_membershipperiod p ON p.member_id = m.id AND p.start <= m.{date}
        AND (p."end" IS NULL OR p."end" > m.{date})
    JOIN orgs_organization o ON o.id = p.organization_id
    WHERE m.{date} > %(since)s AND m.{date} <= %(day)s AND m.deleted_at IS NULL AND o.path LIKE %(like)s
"""
DEVELOPED_FLAT = (
    """
    SELECT m.education, m.gender,
        CASE WHEN date_part('year', age(m.joined_date, m.birth_date)) <= 35 THEN 'j35' ELSE 'j36' END,
        m.ethnicity IN {minority}, m.occupation, o.unit_category, count(*)
"""
    + ON_APPROVAL.replace("{date}", "joined_date")
    + " GROUP BY 1, 2, 3, 4, 5, 6"
)
REGULARIZED_FLAT = (
    """
    SELECT substr(o.path, 1, %(child)s),
        EXISTS (SELECT 1 FROM development_applicant a WHERE a.member_id = m.id AND a.extension_months > 0),
        m.gender, m.ethnicity IN {minority}, count(*)
"""
    + ON_APPROVAL.replace("{date}", "regularized_date")
    + " GROUP BY 1, 2, 3, 4"
)
LEFT_FLAT = """
    SELECT {age}, coalesce(m.regularized_date <= s.start, false), m.gender, s.left_reason, m.ethnicity IN {minority},
        m.occupation, count(*)
    FROM members_statusperiod s
    JOIN members_member m ON m.id = s.member_id
    JOIN members_membershipperiod p ON p.member_id = s.member_id AND p.start < s.start
        AND (p."end" IS NULL OR p."end" >= s.start)
    JOIN orgs_organization o ON o.id = p.organization_id
    WHERE s.status = 'left' AND s.start > %(since)s AND s.start <= %(day)s AND m.deleted_at IS NULL
      AND o.path LIKE %(like)s
    GROUP BY 1, 2, 3, 4, 5, 6
"""
REVIEWS_FLAT = """
    SELECT e.rated, g.code, count(*)
    FROM meetings_reviewentry e
    JOIN meetings_review r ON r.id = e.review_id
    JOIN members_member m ON m.id = e.member_id
    LEFT JOIN meetings_reviewrating g ON g.id = e.rating_id
    WHERE r.year = %(year)s AND r.opened_on <= %(day)s AND r.org_path LIKE %(like)s AND m.deleted_at IS NULL
    GROUP BY 1, 2
"""
ORGS_FLAT = """
    SELECT substr(o.path, 1, %(child)s), o.kind,
        CASE WHEN t.expected_end < %(day)s THEN 'overdue' WHEN t.id IS NOT NULL THEN 'in_term' ELSE 'none' END,
        o.unit_category,
        NOT EXISTS (SELECT 1 FROM orgs_organization u WHERE u.path = substr(o.path, 1, length(o.path) - 4)
                    AND u.unit_category = o.unit_category
                    AND (u.kind = 'general_branch' OR u.unit_category IN ('village', 'community'))),
        count(*)
    FROM orgs_organization o
    LEFT JOIN elections_term t ON t.organization_id = o.id AND t.start <= %(day)s
        AND (t.actual_end IS NULL OR t.actual_end > %(day)s)
    WHERE o.path LIKE %(like)s AND o.path <> %(node)s AND o.deleted_at IS NULL
      AND (o.founded_date IS NULL OR o.founded_date <= %(day)s)
      AND (o.abolished_date IS NULL OR o.abolished_date > %(day)s)
    GROUP BY 1, 2, 3, 4, 5
"""
# The year's increases and decreases, hand-written: the candidate days only where the subtree is
# concerned (a period at one of its organizations starting or ending in the year; a status starting or
# ending in the year while such a period covers the day or the day before), and each candidate's state
# on the day and the day before by one join with the periods and one with the off-roll statuses,
# grouped (hash joins for many candidates; the engine: every candidate day of the whole system, six
# correlated lookups each).
FLOWS_FLAT = """
    WITH candidates AS (
        SELECT p.member_id, v.day
        FROM members_membershipperiod p JOIN orgs_organization o ON o.id = p.organization_id
        CROSS JOIN LATERAL (VALUES (p.start), (p."end")) v(day)
        WHERE o.path LIKE %(like)s AND v.day > %(since)s AND v.day <= %(day)s
          AND (p.start > %(since)s AND p.start <= %(day)s OR p."end" > %(since)s AND p."end" <= %(day)s)
        UNION
        SELECT s.member_id, v.day
        FROM members_statusperiod s
        JOIN members_membershipperiod p ON p.member_id = s.member_id
        JOIN orgs_organization o ON o.id = p.organization_id
        CROSS JOIN LATERAL (VALUES (s.start), (s."end")) v(day)
        WHERE o.path LIKE %(like)s AND v.day > %(since)s AND v.day <= %(day)s
          AND (s.start > %(since)s AND s.start <= %(day)s OR s."end" > %(since)s AND s."end" <= %(day)s)
          AND p.start <= v.day AND (p."end" IS NULL OR p."end" >= v.day)
    ), placed AS (
        SELECT c.member_id, c.day,
            max(o.path) FILTER (WHERE p.start <= c.day AND (p."end" IS NULL OR p."end" > c.day)
                                  AND o.path LIKE %(like)s) AS path_on,
            max(o.path) FILTER (WHERE p.start < c.day AND (p."end" IS NULL OR p."end" >= c.day)
                                  AND o.path LIKE %(like)s) AS path_before,
            bool_or(p.start <= c.day AND (p."end" IS NULL OR p."end" > c.day)) AS placed_on,
            bool_or(p.start < c.day AND (p."end" IS NULL OR p."end" >= c.day)) AS placed_before
        FROM candidates c
        JOIN members_membershipperiod p ON p.member_id = c.member_id
        JOIN orgs_organization o ON o.id = p.organization_id
        GROUP BY c.member_id, c.day
    ), off_roll AS (
        SELECT c.member_id, c.day,
            max(s.status) FILTER (WHERE s.start <= c.day AND (s."end" IS NULL OR s."end" > c.day)) AS off_on,
            max(s.status) FILTER (WHERE s.start < c.day AND (s."end" IS NULL OR s."end" >= c.day)) AS off_before
        FROM candidates c JOIN members_statusperiod s ON s.member_id = c.member_id
        WHERE s.status IN {off}
        GROUP BY c.member_id, c.day
    ), marked AS (
        SELECT placed.*, off_roll.off_on, off_roll.off_before
        FROM placed LEFT JOIN off_roll USING (member_id, day)
    ), events AS (
        SELECT member_id, day, path_on AS path,
            CASE WHEN off_before = 'transferred_out' THEN 'in_outside' WHEN off_before IS NOT NULL THEN 'restored'
                 WHEN placed_before THEN 'in_tree' ELSE 'in_outside' END AS event
        FROM marked WHERE path_on IS NOT NULL AND off_on IS NULL AND (path_before IS NULL OR off_before IS NOT NULL)
        UNION ALL
        SELECT member_id, day, path_before,
            CASE WHEN off_on = 'deceased' THEN 'died' WHEN off_on = 'left' THEN 'left'
                 WHEN off_on = 'transferred_out' THEN 'out_outside' WHEN placed_on THEN 'out_tree'
                 ELSE 'other_out' END
        FROM marked WHERE path_before IS NOT NULL AND off_before IS NULL AND (path_on IS NULL OR off_on IS NOT NULL)
    )
    SELECT CASE WHEN e.day = m.joined_date AND e.event IN ('in_tree', 'in_outside', 'restored') THEN 'developed'
                ELSE e.event END,
        m.gender, m.ethnicity IN {minority}, substr(e.path, 1, %(child)s), count(*)
    FROM events e JOIN members_member m ON m.id = e.member_id
    WHERE m.deleted_at IS NULL
    GROUP BY 1, 2, 3, 4
"""


@dataclass
class Floor:
    """A population's floor: its statement, the dimensions it groups by, and the report's cell its
    rows must sum to (the flows: checked event by event against table 1)."""

    population: str
    sql: str
    dimensions: tuple[str, ...]
    cell: str = ""
    on: str = "day"  # the roll's date: the report's, or the day before the year


FLOORS = {
    floor.population: floor
    for floor in (
        Floor(
            "roll",
            ROLL_FLAT,
            ("age", "category", "child", "education", "gender", "joined", "minority", "occupation", "unit"),
            "2:total:total",
        ),
        Floor("roll_start", ROLL_START_FLAT, ("child", "gender", "minority"), "1:total:start", on="since"),
        Floor("flows", FLOWS_FLAT, ("event", "gender", "minority", "child")),
        Floor(
            "developed",
            DEVELOPED_FLAT,
            ("education", "gender", "join_age", "minority", "occupation", "unit"),
            "14:total:total",
        ),
        Floor("regularized", REGULARIZED_FLAT, ("child", "extended", "gender", "minority"), "13:total:regularized"),
        Floor(
            "left", LEFT_FLAT, ("age", "category", "gender", "left_reason", "minority", "occupation"), "10:total:total"
        ),
        Floor("reviews", REVIEWS_FLAT, ("rated", "rating"), "8:total:total"),
        Floor("orgs", ORGS_FLAT, ("child", "kind", "term", "unit", "unit_start"), "16:total:total"),
    )
}
EXPLAINED = ("roll", "flows", "developed", "left")  # the passes whose plans are printed


def _sql_constants(form: Any) -> dict[str, str]:
    """The floors' constants: the off-roll statuses, the minorities, the form's age and joining bands."""
    from dangjian.stats.populations import MINORITY, OFF_ROLL, youngest_cutoff

    def listed(values: list[str]) -> str:
        return "(" + ", ".join(f"'{v}'" for v in values) + ")"

    ages = " ".join(
        f"WHEN m.birth_date > '{youngest_cutoff(DAY, band.max)}' THEN '{band.key}'"
        for band in form.bands["age"]
        if band.max is not None
    )
    joined = " ".join(
        f"WHEN m.joined_date < '{band.before}' THEN '{band.key}'" for band in form.bands["joined"] if band.before
    )
    return {
        "off": listed(OFF_ROLL),
        "minority": listed(MINORITY),
        "age": f"CASE {ages} ELSE '{form.bands['age'][-1].key}' END",
        "joined": f"CASE {joined} ELSE '{form.bands['joined'][-1].key}' END",
    }


def _floor_sql(floor: Floor, form: Any) -> str:
    constants = _sql_constants(form)
    sql = floor.sql
    for name, value in constants.items():
        sql = sql.replace("{" + name + "}", value)
    return sql


def _params(organization: Any, on: str = "day") -> dict[str, Any]:
    return {
        "like": organization.path + "%",
        "node": organization.path,
        "child": len(organization.path) + 4,
        "day": DAY,
        "since": SINCE,
        "on": DAY if on == "day" else SINCE,
        "year": YEAR,
    }


def _fetch(sql: str, params: Any = None) -> Callable[[], list[tuple[Any, ...]]]:
    from django.db import connection

    def run() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _replay(statements: list[str]) -> Callable[[], None]:
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def _explain(sql: str, params: Any = None) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def _passes(organization: Any, form: Any) -> dict[str, str]:
    """The statement of each population's pass as ``engine.compute`` runs it for ``organization``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.stats import engine

    with CaptureQueriesContext(connection) as captured:
        engine.compute(organization, DAY, form)
    statements = [query["sql"] for query in captured.captured_queries]
    order = list(_dimensions(form))
    if len(statements) != len(order):
        raise SystemExit(f"engine.compute ran {len(statements)} statements for {len(order)} populations")
    return dict(zip(order, statements, strict=True))


def _preaggregated(sql: str) -> str:
    """A pass's statement with the grouping sets over the flat groups (GROUP BY every dimension
    first, then the sets over those groups, the counts summed, 0 where a set is empty): the rewrite
    proposed for ``engine.group``."""
    head, rest = sql.split(" FROM (", 1)
    source, sets = rest.rsplit(") t GROUP BY GROUPING SETS ", 1)
    columns = head.split("), ", 1)[1].removesuffix(", COUNT(*)")
    grouping = head.removeprefix("SELECT ").split("), ", 1)[0] + ")"
    flat = f"SELECT {columns}, COUNT(*) AS n FROM ({source}) t GROUP BY {columns}"
    return f"SELECT {grouping}, {columns}, coalesce(SUM(n), 0)::bigint FROM ({flat}) t GROUP BY GROUPING SETS {sets}"


def _quiet() -> str:
    """The load before measuring and the busiest other processes (top), to judge the timings by."""
    import subprocess

    top = subprocess.run(["top", "-bn1"], capture_output=True, text=True, check=False).stdout.splitlines()
    busy = []
    for line in top[7:12]:
        parts = line.split(None, 11)
        if len(parts) == 12 and float(parts[8].replace(",", ".")) >= 20:
            busy.append(f"{parts[11][:40]} {parts[8]}%")
    load = os.getloadavg()[0]
    return f"load average {load:.2f} on {os.cpu_count()} CPUs" + (f"; busy: {', '.join(busy)}" if busy else "")


def _calibration() -> float:
    """The host's speed at what the report does most (a hash aggregate in the database): ms of a fixed
    statement, to compare runs on different machines."""
    from bench.__main__ import median_ms

    statement = _fetch("SELECT g %% 97, count(*) FROM generate_series(1, 2000000) g GROUP BY 1", [])
    return median_ms(statement, 5)


@dataclass
class Row:
    label: str
    ours: float | None
    floor: float | None
    note: str = ""


def _table(rows: list[Row], ours: str = "dangjian ms", floor: str = "floor ms") -> None:
    width = max(62, *(len(row.label) for row in rows))
    print(f"| {'figure':<{width}} | {ours:>11} | {floor:>11} | {'ratio':>6} |")
    print(f"|{'-' * (width + 2)}|{'-' * 13}|{'-' * 13}|{'-' * 8}|")
    for row in rows:
        mine = f"{row.ours:,.1f}" if row.ours is not None else row.note or "—"
        base = f"{row.floor:,.1f}" if row.floor is not None else "—"
        ratio = f"{row.ours / row.floor:.2f}" if row.ours is not None and row.floor else ""
        print(f"| {row.label:<{width}} | {mine:>11} | {base:>11} | {ratio:>6} |")


def _dashboard(root: Any, town: Any, repeat: int, measure: Measure) -> tuple[list[Row], list[str]]:
    """The dashboard's data: the county served from its kept snapshot (computed first as the worker
    computes it), the town counted live."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    board = importlib.import_module("dangjian.stats.dashboard")
    from dangjian.stats import tasks
    from dangjian.stats.models import Snapshot, SnapshotState

    notes: list[str] = []
    Snapshot.objects.filter(organization=root, day=DAY).delete()
    snapshot = Snapshot.objects.create(organization=root, org_path=root.path, day=DAY, form_code="")
    started = time.perf_counter()
    tasks.run(snapshot.pk)  # as the worker runs it: the report, then the charts' series
    worker_ms = (time.perf_counter() - started) * 1000
    snapshot.refresh_from_db()
    if snapshot.state != SnapshotState.DONE:
        return [Row(f"dashboard: the county's snapshot {snapshot.state}: {snapshot.message}", None, None, "failed")], []
    notes.append(f"the county's snapshot computed once as the worker does (report and series): {worker_ms:,.0f} ms")

    def county() -> Any:
        return board.linked(board.kept(root, DAY), root, DAY)

    def one_town() -> Any:
        return board.linked(board.live(town, DAY), town, DAY)

    if county().get("source") != "snapshot":
        notes.append("the county's data did not come from its snapshot")
    kept_raw = _fetch(
        "SELECT series, figures, computed_at FROM stats_snapshot WHERE organization_id = %s AND day = %s",
        [root.pk, DAY],
    )
    with CaptureQueriesContext(connection) as captured:
        one_town()
    statements = [query["sql"] for query in captured.captured_queries]
    series_repeat = max(3, repeat // 3)
    rows = [
        Row("dashboard data: the county, its snapshot kept", measure(county, repeat), measure(kept_raw, repeat)),
        Row(
            f"dashboard data: the town, live (floor: its {len(statements)} statements replayed)",
            measure(one_town, repeat),
            measure(_replay(statements), repeat),
        ),
        Row(
            "dashboard series: the county counted live (the worker's part)",
            measure(lambda: board.series(root, DAY), series_repeat),
            None,
        ),
    ]
    return rows, notes


def run(repeat: int, measure: Measure, built: dict[str, int] | None, seconds: float | None) -> None:
    from django.db import connection
    from django.db.models import Count

    from dangjian.members.models import Member, MembershipPeriod, StatusPeriod
    from dangjian.orgs.models import Organization
    from dangjian.stats import checks, definition, engine

    _drop_proposed_indexes()  # left by a run interrupted while measuring them
    form = definition.form_for(YEAR)
    root = Organization.objects.get(depth=1)
    town = Organization.objects.filter(depth=2, unit_category="township").order_by("path").first()
    assert town is not None
    largest = (
        Member.objects.filter(org_path__startswith=town.path, deleted_at__isnull=True)
        .values("organization")
        .annotate(n=Count("id"))
        .order_by("-n", "organization")
        .first()
    )
    assert largest is not None
    branch = Organization.objects.get(pk=largest["organization"])
    measured = (root, town, branch)
    reports = {org.path: engine.compute(org, DAY, form) for org in measured}
    failed = {org.name: checks.failed(checks.run(reports[org.path])) for org in measured}
    members = {org.path: reports[org.path].value("2:total:total") for org in measured}
    passes = {org.path: _passes(org, form) for org in measured}
    floors, warnings = _floors(form, measured, reports, passes)

    quiet = _quiet()
    calibration = _calibration()
    load_before = os.getloadavg()[0]
    county_repeat = max(3, repeat // 2)
    times = {root.path: county_repeat, town.path: repeat, branch.path: repeat}
    names = {root.path: "the county", town.path: "the town", branch.path: "a branch"}
    rows: list[Row] = []
    totals: dict[str, tuple[float, float]] = {}
    per_pass: dict[tuple[str, str], float] = {}

    def report_of(org: Any) -> Callable[[], Any]:
        return lambda: checks.run(engine.compute(org, DAY, form))

    def floors_of(org: Any) -> Callable[[], Any]:
        statements = list(floors[org.path].values())
        return lambda: [statement() for statement in statements]

    for org in measured:
        report_ms = measure(report_of(org), times[org.path])
        floor_ms = measure(floors_of(org), times[org.path])
        totals[org.path] = (report_ms, floor_ms)
        label = f"{names[org.path]}'s report, {members[org.path]:,} on the roll (compute + checks)"
        rows.append(Row(label, report_ms, floor_ms))
        scan = _fetch(ROLL_COUNT.replace("{off}", _sql_constants(form)["off"]), _params(org))
        rows.append(Row(f"  {names[org.path]}'s roll: COUNT(*) of the same joins alone", None, measure(scan, 5)))
    for org in (root, town):
        where = "county" if org is root else "town"
        for population, sql in passes[org.path].items():
            ours = measure(_replay([sql]), times[org.path])
            per_pass[where, population] = ours
            own = "" if population in FLOORS else " (no hand-written floor: its own statement)"
            floor_ms = measure(floors[org.path][population], times[org.path])
            rows.append(Row(f"  {where}: {population} pass{own}", ours, floor_ms))
    board_rows, board_notes = _dashboard(root, town, repeat, measure)
    rows += board_rows
    load = f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"

    print()
    version = getattr(connection, "pg_version", 0)
    print(
        f"stats bench · PostgreSQL {version // 10000}.{version % 10000} · {Member.objects.count():,} members, "
        f"{MembershipPeriod.objects.count():,} membership periods, {StatusPeriod.objects.count():,} status periods, "
        f"{Organization.objects.count():,} organizations · the {YEAR} report as of {DAY} · {load}"
    )
    print(f"before measuring: {quiet}; calibration (hash aggregate of 2·10^6 rows in SQL): {calibration:,.0f} ms")
    if built is not None and seconds is not None:
        print(f"county built in {seconds:.0f} s: " + ", ".join(f"{n:,} {what}" for what, n in built.items()))
    for name, results in failed.items():
        print(f"checks on {name}: " + ("all passed" if not results else ", ".join(r.check.code for r in results)))
    for warning in warnings:
        print("warning: " + warning)
    print(
        f"median of {repeat} runs after two warm-ups (the county's of {county_repeat}); the floor: for each "
        "population one hand-written statement, same joins and dates, grouped flat by its dimensions"
    )
    print()
    _table(rows)
    print()
    county_ms, county_floor = totals[root.path]
    town_ms, town_floor = totals[town.path]
    ratio = county_ms / county_floor
    county_met = county_ms < COUNTY_MS and ratio <= COUNTY_RATIO
    print(
        f"targets: the county under {COUNTY_MS:,.0f} ms and within {COUNTY_RATIO:.0f}× its floor: "
        f"{county_ms:,.0f} ms, {ratio:.2f}× → {'met' if county_met else 'NOT met'}; the town under {TOWN_MS:.0f} ms: "
        f"{town_ms:,.1f} ms → {'met' if town_ms < TOWN_MS else 'NOT met'}"
    )
    branch_ms, branch_floor = totals[branch.path]
    print(
        f"the county against the town: {county_ms / town_ms:.1f}× the time (floors {county_floor / town_floor:.1f}×) "
        f"for {members[root.path] / members[town.path]:.1f}× the members; the town against a branch "
        f"({branch.name}): {town_ms / branch_ms:.1f}× (floors {town_floor / branch_floor:.1f}×) for "
        f"{members[town.path] / members[branch.path]:.0f}× the members"
    )
    for note in board_notes:
        print(note)
    print()
    report_times = {path: times[0] for path, times in totals.items()}
    proposed_plans = _what_if(measured, passes, report_times, per_pass, form)
    for org in (root, town):
        where = names[org.path] if org is root else f"the town ({org.name})"
        for population in EXPLAINED:
            if population not in passes[org.path]:
                continue
            print(f"EXPLAIN (ANALYZE, BUFFERS) of the {population} pass, {where}:")
            if org is root:
                print("    " + passes[org.path][population])
            for line in _explain(passes[org.path][population]):
                print("    " + line)
            print()
        print(f"EXPLAIN (ANALYZE, BUFFERS) of the flows floor, {where}:")
        for line in _explain(_floor_sql(FLOORS["flows"], form), _params(org)):
            print("    " + line)
        print()
    for line in proposed_plans:
        print(line)


def _floors(
    form: Any, organizations: tuple[Any, ...], reports: dict[str, Any], passes: dict[str, dict[str, str]]
) -> tuple[dict[str, dict[str, Callable[[], Any]]], list[str]]:
    """Each population's floor statement for each organization, checked to count what the report
    counts; a population without a hand-written floor (or whose floor lacks a dimension the form now
    reads) is floored by its own statement, with a warning."""
    wanted = _dimensions(form)
    warnings = []
    floors: dict[str, dict[str, Callable[[], Any]]] = {}
    for org in organizations:
        report = reports[org.path]
        floors[org.path] = {}
        for population, sql in passes[org.path].items():
            floor = FLOORS.get(population)
            if floor is not None and not wanted[population] <= set(floor.dimensions):
                lacking = ", ".join(sorted(wanted[population] - set(floor.dimensions)))
                warnings.append(f"the {population} floor lacks {lacking}: floored by its own statement")
                floor = None
            if floor is None:
                floors[org.path][population] = _fetch(sql)
                continue
            statement = _fetch(_floor_sql(floor, form), _params(org, floor.on))
            floors[org.path][population] = statement
            found = statement()
            if floor.population == "flows":
                events: Counter[str] = Counter()
                for row in found:
                    events[row[0]] += row[-1]
                for column in form.table("1").columns:
                    if column.population == "flows" and len(column.when["event"]) == 1:
                        theirs = report.value(f"1:total:{column.key}")
                        if events[column.when["event"][0]] != theirs:
                            raise SystemExit(
                                f"the flows floor counts {dict(events)} for {org.name}: {column.key} {theirs}"
                            )
            elif (total := sum(row[-1] for row in found)) != report.value(floor.cell):
                raise SystemExit(f"the {population} floor counts {total} for {org.name}, the report {floor.cell}")
    return floors, sorted(set(warnings))


def _dimensions(form: Any) -> dict[str, set[str]]:
    """The dimensions ``engine.compute`` groups each population by, in the order it runs them."""
    from dangjian.stats import engine

    part_keys = {key for check in form.checks if check.kind == "subtree" for key in check.cells}
    found: dict[str, set[str]] = {}
    for cell in engine.cells(form):
        if cell.condition is None:
            continue
        found.setdefault(cell.population, set()).update(cell.condition)
        if cell.key in part_keys:
            found[cell.population].add("child")
    return found


# The proposals measured (what the report gives in docs): indexes created for the measurement and
# dropped after, each named bench_proposed_….
PROPOSED_INDEXES = (
    (
        "bench_proposed_period_org",
        'ON members_membershipperiod (organization_id, start) INCLUDE ("end", member_id)',
    ),
    (
        "bench_proposed_status_off_roll",
        'ON members_statusperiod (member_id) INCLUDE (status, start, "end") '
        "WHERE status IN ('deceased', 'left', 'transferred_out')",
    ),
    ("bench_proposed_member_joined", "ON members_member (joined_date) WHERE deleted_at IS NULL"),
    ("bench_proposed_member_regularized", "ON members_member (regularized_date) WHERE deleted_at IS NULL"),
    ("bench_proposed_status_left", "ON members_statusperiod (start) WHERE status = 'left'"),
)
# The flows' candidate days restricted to the subtree (proposed for populations.FlowPopulation below
# the root): a period at one of its organizations starting or ending in the year, or a status starting
# or ending in the year while such a period covers the day or the day before.
RESTRICTED_CANDIDATES = """WITH candidates AS (
                SELECT p.member_id, v.day
                FROM members_membershipperiod p JOIN orgs_organization o ON o.id = p.organization_id
                CROSS JOIN LATERAL (VALUES (p.start), (p."end")) v(day)
                WHERE o.path LIKE '{like}' AND v.day > '{since}'::date AND v.day <= '{day}'::date
                  AND (p.start > '{since}'::date AND p.start <= '{day}'::date
                       OR p."end" > '{since}'::date AND p."end" <= '{day}'::date)
                UNION
                SELECT s.member_id, v.day
                FROM members_statusperiod s
                JOIN members_membershipperiod p ON p.member_id = s.member_id
                JOIN orgs_organization o ON o.id = p.organization_id
                CROSS JOIN LATERAL (VALUES (s.start), (s."end")) v(day)
                WHERE o.path LIKE '{like}' AND v.day > '{since}'::date AND v.day <= '{day}'::date
                  AND (s.start > '{since}'::date AND s.start <= '{day}'::date
                       OR s."end" > '{since}'::date AND s."end" <= '{day}'::date)
                  AND p.start <= v.day AND (p."end" IS NULL OR p."end" >= v.day)
            ), marked AS ("""


def _restricted_flows(sql: str, organization: Any) -> str:
    """The engine's flows statement with its candidate days restricted to the subtree."""
    first, last = sql.index("WITH candidates AS ("), sql.index("), marked AS (") + len("), marked AS (")
    candidates = RESTRICTED_CANDIDATES.format(like=organization.path + "%", since=SINCE, day=DAY)
    return sql[:first] + candidates + sql[last:]


def _proposed(population: str, sql: str, organization: Any) -> str:
    """A pass as the proposals would run it: the flows restricted below the root, every pass's
    grouping sets over its flat groups."""
    if population == "flows" and organization.depth > 1:
        sql = _restricted_flows(sql, organization)
    return _preaggregated(sql) if "GROUPING SETS" in sql else sql


def _drop_proposed_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name, _ in PROPOSED_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def _median(operation: Callable[[], Any], runs: int) -> float:
    """Median of ``runs`` after one warm-up (the what-ifs: each county run takes seconds)."""
    operation()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        operation()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _same(engine_sql: str, proposed_sql: str) -> bool:
    return Counter(_fetch(engine_sql)()) == Counter(_fetch(proposed_sql)())


def _what_if(
    organizations: tuple[Any, ...],
    passes: dict[str, dict[str, str]],
    reports: dict[str, float],
    per_pass: dict[tuple[str, str], float],
    form: Any,
) -> list[str]:
    """The proposals, measured on the same rows (the engine's own figure in the floor column: a
    ratio below 1 is faster): session settings, the indexes, the passes rewritten, all together.
    Returns the plans of the town's passes as proposed."""
    from django.db import connection

    from dangjian.stats import checks, engine

    runs = 3
    rows: list[Row] = []
    where = {org.path: ("county", "town")[org.depth - 1] if org.depth <= 2 else "branch" for org in organizations}

    def report(org: Any) -> Callable[[], Any]:
        return lambda: checks.run(engine.compute(org, DAY, form))

    def session(*settings: str) -> None:
        with connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(setting)

    for setting in ("SET jit = off", "SET work_mem = '64MB'"):
        session(setting)
        for org in organizations:
            label = f"the {where[org.path]}'s report, {setting}"
            rows.append(Row(label, _median(report(org), runs), reports[org.path]))
        session("RESET " + setting.split()[1])
    proposed = {org.path: {p: _proposed(p, sql, org) for p, sql in passes[org.path].items()} for org in organizations}
    for org in organizations:
        for population, sql in passes[org.path].items():
            if proposed[org.path][population] != sql and not _same(sql, proposed[org.path][population]):
                raise SystemExit(f"the proposed {population} pass does not give the engine's groups ({org.name})")
    for org in organizations:
        for population, sql in proposed[org.path].items():
            if sql == passes[org.path][population] or where[org.path] == "branch":
                continue
            what = "restricted to the subtree, " if population == "flows" and org.depth > 1 else ""
            label = f"  {where[org.path]}: {population} pass, {what}grouping sets over the flat groups"
            rows.append(Row(label, _median(_replay([sql]), runs), per_pass[where[org.path], population]))
    plans: list[str] = []
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for name, definition in PROPOSED_INDEXES:
            cursor.execute(f"CREATE INDEX {name} {definition}")
        cursor.execute("ANALYZE members_membershipperiod; ANALYZE members_statusperiod; ANALYZE members_member")
    indexed = (time.perf_counter() - started) * 1000
    try:
        for org in organizations:
            label = f"the {where[org.path]}'s report with the proposed indexes"
            rows.append(Row(label, _median(report(org), runs), reports[org.path]))
        session("SET jit = off", "SET work_mem = '64MB'")
        for org in organizations:
            statements = list(proposed[org.path].values())
            label = f"the {where[org.path]}'s report, all proposals (its passes replayed)"
            rows.append(Row(label, _median(_replay(statements), runs), reports[org.path]))
            if org.depth == 2:
                for population in EXPLAINED:
                    plans.append(f"EXPLAIN (ANALYZE, BUFFERS) of the {population} pass as proposed, the town:")
                    plans += ["    " + line for line in _explain(proposed[org.path][population])]
                    plans.append("")
        session("RESET jit", "RESET work_mem")
    finally:
        _drop_proposed_indexes()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE members_membershipperiod; ANALYZE members_statusperiod; ANALYZE members_member")
    print(
        f"what would change: median of {runs} runs after one warm-up beside the engine's figure of the table above "
        f"(a ratio below 1: faster); the indexes made in {indexed / 1000:.1f} s for the measurement, then dropped:"
    )
    for name, definition in PROPOSED_INDEXES:
        print(f"    CREATE INDEX {name} {definition}")
    print()
    _table(rows, ours="proposed ms", floor="engine ms")
    print()
    return plans


def run_here(members: int, seed: int, repeat: int, url: str, rebuild: bool) -> None:
    """Build the county if needed and measure, in this process (Django not yet set up)."""
    built, seconds = set_up(
        url,
        marker(members, seed),
        rebuild,
        MARKER,
        "stats",
        f"the stats bench's county: {members:,} members (seed {seed})",
        lambda: build(members, seed),
    )
    from bench.__main__ import median_ms

    run(repeat, median_ms, built, seconds)


def main() -> None:
    from bench.__main__ import DEFAULT_URL

    county_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per figure (median reported)")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_STATS_DATABASE_URL", default_url(county_url, "_stats"))
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the county even if it matches")
    args = parser.parse_args()
    run_here(args.members, args.seed, args.repeat, args.database_url, args.rebuild)


if __name__ == "__main__":
    main()
