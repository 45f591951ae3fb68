"""An independent count of the report, for the tests: the raw rows read by plain SQL, each member's
history walked in Python day by day (no CASE, no grouping sets, no shared query code), each cell's
condition tested per subject. Slow and obvious on purpose."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection

from dangjian.core.dates import age_on
from dangjian.core.enums import Ethnicity
from dangjian.stats.definition import Form

OFF_ROLL = {"deceased", "left", "transferred_out"}
MINORITY = {e.value for e in Ethnicity if e.is_minority}


def _rows(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass
class World:
    members: dict[int, dict[str, Any]]
    periods: dict[int, list[tuple[dt.date, dt.date | None, str, str]]]  # start, end, path, unit
    statuses: dict[int, list[tuple[dt.date, dt.date | None, str, str]]]  # start, end, status, left_reason
    orgs: list[dict[str, Any]]
    extended: set[int]
    terms: dict[int, list[tuple[dt.date, dt.date, dt.date | None]]]  # start, expected end, actual end


def load() -> World:
    members = {
        pk: {
            "gender": gender,
            "ethnicity": eth,
            "birth": _day(birth),
            "education": edu,
            "occupation": occ,
            "joined": _day(joined),
            "regularized": _day(reg),
        }
        for pk, gender, eth, birth, edu, occ, joined, reg in _rows(
            "SELECT id, gender, ethnicity, birth_date, education, occupation, joined_date, regularized_date "
            "FROM members_member WHERE deleted_at IS NULL"
        )
    }
    periods: dict[int, list[Any]] = {}
    for member, start, end, path, unit in _rows(
        'SELECT p.member_id, p.start, p."end", o.path, o.unit_category FROM members_membershipperiod p '
        "JOIN orgs_organization o ON o.id = p.organization_id"
    ):
        periods.setdefault(member, []).append((_day(start), _day(end), path, unit))
    statuses: dict[int, list[Any]] = {}
    for member, start, end, status, reason in _rows(
        'SELECT member_id, start, "end", status, left_reason FROM members_statusperiod'
    ):
        statuses.setdefault(member, []).append((_day(start), _day(end), status, reason))
    orgs = [
        {"id": pk, "path": path, "kind": kind, "unit": unit, "founded": _day(f), "abolished": _day(a), "deleted": d}
        for pk, path, kind, unit, f, a, d in _rows(
            "SELECT id, path, kind, unit_category, founded_date, abolished_date, deleted_at FROM orgs_organization"
        )
    ]
    extended = {
        m
        for (m,) in _rows(
            "SELECT member_id FROM development_applicant WHERE extension_months > 0 AND member_id IS NOT NULL"
        )
    }
    terms: dict[int, list[Any]] = {}
    for org, start, expected, actual in _rows(
        "SELECT organization_id, start, expected_end, actual_end FROM elections_term"
    ):
        terms.setdefault(org, []).append((_day(start), _day(expected), _day(actual)))
    return World(members, periods, statuses, orgs, extended, terms)


def term_on(world: World, org: int, day: dt.date) -> str:
    open_terms = [t for t in world.terms.get(org, []) if t[0] <= day and (t[2] is None or t[2] > day)]
    if any(t[1] < day for t in open_terms):
        return "overdue"
    return "in_term" if open_terms else "none"


def _covers(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or day < end)


def path_on(world: World, member: int, day: dt.date) -> tuple[str, str] | None:
    for start, end, path, unit in world.periods.get(member, []):
        if _covers(start, end, day):
            return path, unit
    return None


def off_roll_on(world: World, member: int, day: dt.date) -> str | None:
    for start, end, status, _reason in world.statuses.get(member, []):
        if status in OFF_ROLL and _covers(start, end, day):
            return status
    return None


def present(world: World, member: int, day: dt.date, root: str) -> tuple[str, str] | None:
    where = path_on(world, member, day)
    if where is None or not where[0].startswith(root) or off_roll_on(world, member, day):
        return None
    return where


def _band(bands: Any, age: int) -> str:
    for band in bands:
        if band.max is not None and age <= band.max:
            return str(band.key)
    return str(bands[-1].key)


def member_values(
    world: World, form: Form, member: int, unit: str, path: str, root: str, on: dt.date
) -> dict[str, Any]:
    m = world.members[member]
    joined_band = next(
        (b.key for b in form.bands["joined"] if b.before and m["joined"] < b.before), form.bands["joined"][-1].key
    )
    return {
        "gender": m["gender"],
        "minority": m["ethnicity"] in MINORITY,
        "education": m["education"],
        "occupation": m["occupation"],
        "category": "full" if m["regularized"] and m["regularized"] <= on else "probationary",
        "age": _band(form.bands["age"], age_on(m["birth"], on)),
        "join_age": _band(form.bands["join_age"], age_on(m["birth"], m["joined"])),
        "joined": joined_band,
        "unit": unit,
        "child": path[: len(root) + 4],
        "extended": member in world.extended,
    }


def subjects(world: World, form: Form, population: str, root: str, day: dt.date) -> list[dict[str, Any]]:
    """Each subject of a population once per row (an event twice if it happened twice)."""
    since = dt.date(day.year - 1, 12, 31)
    found: list[dict[str, Any]] = []
    if population in ("roll", "roll_start"):
        on = day if population == "roll" else since
        for member in world.members:
            if where := present(world, member, on, root):
                found.append({"id": member, **member_values(world, form, member, where[1], where[0], root, on)})
    elif population in ("developed", "regularized"):
        field = "joined" if population == "developed" else "regularized"
        for member, m in world.members.items():
            when = m[field]
            if when and since < when <= day and (where := path_on(world, member, when)) and where[0].startswith(root):
                found.append({"id": member, **member_values(world, form, member, where[1], where[0], root, day)})
    elif population == "left":
        for member, rows in world.statuses.items():
            if member not in world.members:
                continue
            for start, _end, status, reason in rows:
                before = start - dt.timedelta(days=1)
                if status == "left" and since < start <= day and (where := present(world, member, before, root)):
                    values = member_values(world, form, member, where[1], where[0], root, start)
                    found.append({"id": member, **values, "left_reason": reason})
    elif population == "flows":
        found = _flows(world, root, since, day)
    elif population == "covered_units":
        for org, unit in _rows("SELECT organization_id, unit_category FROM orgs_coveredunit"):
            o = next(o for o in world.orgs if o["id"] == org)
            if o["kind"] == "joint_branch" and _exists(o, root, day):
                found.append({"id": org, "unit": unit, "child": o["path"][: len(root) + 4]})
    elif population == "uncovered_units":
        for pk, path, unit, listed, closed in _rows(
            "SELECT id, org_path, unit_category, listed_on, closed_on FROM stats_uncoveredunit"
        ):
            opened, shut = _day(listed), _day(closed)
            if path.startswith(root) and opened and opened <= day and (shut is None or shut > day):
                found.append({"id": pk, "unit": unit, "child": path[: len(root) + 4]})
    elif population == "orgs":
        by_path = {o["path"]: o for o in world.orgs}
        for o in world.orgs:
            if o["deleted"] or o["path"] == root or not o["path"].startswith(root):
                continue
            if (o["founded"] and o["founded"] > day) or (o["abolished"] and o["abolished"] <= day):
                continue
            parent = by_path.get(o["path"][:-4], {})
            same_unit = parent.get("unit") == o["unit"] and (
                parent.get("kind") == "general_branch" or o["unit"] in ("village", "community")
            )
            found.append(
                {
                    "id": o["id"],
                    "kind": o["kind"],
                    "unit": o["unit"],
                    "child": o["path"][: len(root) + 4],
                    "term": term_on(world, o["id"], day),
                    "unit_start": not same_unit,
                }
            )
    else:
        raise ValueError(population)
    return found


def _exists(o: dict[str, Any], root: str, day: dt.date) -> bool:
    if o["deleted"] or not o["path"].startswith(root):
        return False
    return not ((o["founded"] and o["founded"] > day) or (o["abolished"] and o["abolished"] <= day))


def _flows(world: World, root: str, since: dt.date, day: dt.date) -> list[dict[str, Any]]:
    """Walk every day of the year for each member whose history changes in it."""
    found = []
    for member in world.members:
        bounds = [d for s, e, *_ in world.periods.get(member, []) + world.statuses.get(member, []) for d in (s, e) if d]
        if not any(since < d <= day for d in bounds):
            continue
        # Presence can only change on a day some period starts or ends: compare it with the day before.
        for cursor in sorted({d for d in bounds if since < d <= day}):
            was = present(world, member, cursor - dt.timedelta(days=1), root)
            now = present(world, member, cursor, root)
            if bool(now) != bool(was):
                event = _why_in(world, member, cursor) if now else _why_out(world, member, cursor)
                m = world.members[member]
                path = (now or was)[0]  # type: ignore[index]
                found.append(
                    {
                        "id": member,
                        "event": event,
                        "gender": m["gender"],
                        "minority": m["ethnicity"] in MINORITY,
                        "child": path[: len(root) + 4],
                    }
                )
    return found


def _why_in(world: World, member: int, day: dt.date) -> str:
    before = day - dt.timedelta(days=1)
    if world.members[member]["joined"] == day:
        return "developed"
    off = off_roll_on(world, member, before)
    if off == "transferred_out":
        return "in_outside"
    if off:
        return "restored"
    return "in_tree" if path_on(world, member, before) else "in_outside"


def _why_out(world: World, member: int, day: dt.date) -> str:
    off = off_roll_on(world, member, day)
    if off == "deceased":
        return "died"
    if off == "left":
        return "left"
    if off == "transferred_out":
        return "out_outside"
    return "out_tree" if path_on(world, member, day) else "other_out"


def figures(form: Form, root: str, day: dt.date) -> dict[str, int]:
    """Every cell of the form counted the slow way (reviews apart: the tests count those)."""
    world = load()
    tallies: dict[str, Counter[tuple[tuple[str, Any], ...]]] = {}
    result: dict[str, int] = {}
    for table in form.tables:
        for row in table.rows:
            for column in table.columns:
                population = table.population_of(column)
                if population == "reviews":
                    continue
                if population not in tallies:
                    # Subjects alike in every value are counted together: the same count, faster.
                    rows = subjects(world, form, population, root, day)
                    tallies[population] = Counter(
                        tuple(sorted((k, v) for k, v in r.items() if k != "id")) for r in rows
                    )
                total = 0
                for values, count in tallies[population].items():
                    subject = dict(values)
                    if all(subject.get(d) in v for d, v in row.when.items()) and all(
                        subject.get(d) in v for d, v in column.when.items()
                    ):
                        total += count
                result[f"{table.code}:{row.key}:{column.key}"] = total
    return result
