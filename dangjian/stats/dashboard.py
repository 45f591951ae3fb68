"""The statistics dashboard (统计看板): the charts of an organization's subtree on a date.

Every figure a chart shows that is also a cell of the annual report is counted by the report's own
engine (``engine.group`` over the same populations, summed with the cell's own condition by
``engine.sum_groups``), so the dashboard and the report cannot disagree. The charts' other figures
(the pipeline of development files, dues, organizational life) are one aggregate each in the
database: no member is loaded into Python.

A subtree larger than ``LIVE_LIMIT`` members (a county: the live count takes about a second there)
is served from the kept ``Snapshot`` of its organization and date, computed by the task worker
(``tasks.compute_snapshot``); a smaller one is counted on each request.

The charts' data (``series``) is plain JSON, so a snapshot keeps it as it is; ``linked`` adds the
addresses each bar or tile leads to when it is served.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import fields
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from dangjian.development import rules as development_rules
from dangjian.development.models import Applicant, FileStatus, StepRecord
from dangjian.dues.models import DuesMonth
from dangjian.meetings import compliance
from dangjian.meetings import rules as meeting_rules
from dangjian.members.models import Member, MembershipPeriod
from dangjian.orgs.models import Organization

from . import definition, engine
from .definition import Condition, Form
from .engine import CellKey, GroupingSet, Groups
from .models import Snapshot, SnapshotState
from .populations import OFF_ROLL, Frame

# Above this many members on the roll (the current roster, counted on its path index) the dashboard
# shows the kept snapshot instead of counting live: a town counts in tens of milliseconds, a county
# of 10^6 in seconds.
LIVE_LIMIT = 50_000
YEARS = 10  # the members-by-year chart: the roll on 31 December of this many years
# A snapshot queued or running longer than this is taken for lost (its worker died): asking again
# queues it again.
STALE_AFTER = dt.timedelta(minutes=10)
SERIES_VERSION = 1  # bumped when the shape of ``series`` changes: an older snapshot is recomputed

# The roll is grouped twice, each grouping fine enough for several charts' cells (a cell is summed
# over the groups that meet its condition, so any grouping holding its dimensions gives the same
# count as the report's own): SQLite runs one query per grouping, PostgreSQL one pass for both.
ROLL_SETS: tuple[GroupingSet, ...] = (("age", "child", "education", "gender", "minority"), ("category", "occupation"))

KPI_CELLS = (
    ("members", "党员总数", "2:total:total"),
    ("probationary", "预备党员", "2:probationary:total"),
    ("female", "女党员", "2:total:female"),
    ("minority", "少数民族党员", "2:total:minority"),
    ("college", "大专及以上学历", "4:total:college"),
    ("organizations", "基层党组织", "16:total:total"),
    ("developed", "本年发展党员", "14:total:total"),
)
EDUCATION_COLUMNS = ("postgraduate", "bachelor", "junior_college", "secondary", "high_school", "junior_high")
OCCUPATION_ROWS = ("worker", "farmer", "professional", "manager", "official", "student", "other", "retired")
# The occupation rows' labels are a line long: the charts' axes use the names the 党内统计公报 uses
# in its own charts; the tooltip gives the form's label.
SHORT_LABELS = {
    "worker": "工人",
    "farmer": "农牧渔民",
    "professional": "专业技术人员",
    "manager": "管理人员",
    "official": "党政机关工作人员",
    "student": "学生",
    "other": "其他职业人员",
    "retired": "离退休人员",
    "joint_branch": "其中：联合党支部",
}
KIND_COLUMNS = ("committee", "general_branch", "branch", "joint_branch")
FUNNEL_FILES = (
    # label, first step, step after (RULES.md §1.2): the stage of the last step done by the day.
    ("入党申请人", 1, development_rules.ACTIVIST),
    ("入党积极分子", development_rules.ACTIVIST, development_rules.TARGET),
    ("发展对象", development_rules.TARGET, development_rules.ADMISSION_APPROVAL),
)
FUNNEL_CELLS = (("预备党员", "2:probationary:total"), ("本年转为正式党员", "13:total:regularized"))
MEETING_COLOURS = (
    (meeting_rules.Colour.GREEN, "#198754"),
    (meeting_rules.Colour.YELLOW, "#e0a800"),
    (meeting_rules.Colour.RED, "#b8171f"),
    (meeting_rules.Colour.BLANK, "#adb5bd"),
)
# The treemap's colourings: each child's share of its members (of the roll's cells named), or a count.
METRICS = (
    {"key": "members", "label": "党员数", "unit": "名"},
    {"key": "youth", "label": "35岁及以下占比", "unit": "%"},
    {"key": "college", "label": "大专及以上占比", "unit": "%"},
    {"key": "female", "label": "女党员占比", "unit": "%"},
    {"key": "elder", "label": "61岁及以上占比", "unit": "%"},
    {"key": "developed", "label": "本年发展党员", "unit": "名"},
)
# Where each share's condition is the form's own: (table, row, column) whose column says it.
SHARE_COLUMNS = {
    "youth": ("5", "upto_35"),
    "college": ("4", "college"),
    "female": ("2", "female"),
    "elder": ("2", "a61"),
}


# --- Which way: live, or the kept snapshot ---------------------------------------------------------


def roll_size(organization: Organization, limit: int | None = None) -> int:
    """Members on the roster of the subtree now, counted on the roster's path index and no further
    than ``limit`` (a county's 10^6 need not be counted to know they are many)."""
    rows = Member.objects.filter(org_path__startswith=organization.path, deleted_at__isnull=True)
    if limit is None:
        return rows.count()
    return rows.order_by().values("pk")[:limit].count()


def is_large(organization: Organization) -> bool:
    return roll_size(organization, LIVE_LIMIT + 1) > LIVE_LIMIT


def live(organization: Organization, day: dt.date) -> dict[str, Any]:
    """The dashboard counted now (a subtree of ``LIVE_LIMIT`` members or fewer)."""
    return {
        "source": "live",
        "state": SnapshotState.DONE.value,
        "progress": 100,
        "computed_at": timezone.now(),
        "message": "",
        "series": series(organization, day),
    }


def kept(organization: Organization, day: dt.date, *, again: bool = False) -> dict[str, Any]:
    """The snapshot of (organization, day): queued for the worker when there is none, when it is of
    an older shape, when ``again`` is asked for (重新统计) or when an earlier one was lost. While a
    new one is computed the last one's charts stay shown."""
    snapshot = request_snapshot(organization, day, again=again)
    done = snapshot.computed_at is not None and snapshot.series.get("version") == SERIES_VERSION
    return {
        "source": "snapshot",
        "state": snapshot.state,
        "progress": snapshot.progress,
        "computed_at": snapshot.computed_at if done else None,
        "message": snapshot.message,
        "series": snapshot.series if done else None,
    }


def request_snapshot(organization: Organization, day: dt.date, *, again: bool = False) -> Snapshot:
    from . import tasks

    form = definition.form_for(day.year)
    snapshot, created = Snapshot.objects.get_or_create(
        organization=organization, day=day, defaults={"org_path": organization.path, "form_code": form.code}
    )
    waiting = snapshot.state in (SnapshotState.QUEUED, SnapshotState.RUNNING)
    lost = waiting and snapshot.requested_at < timezone.now() - STALE_AFTER
    outdated = snapshot.state == SnapshotState.DONE and snapshot.series.get("version") != SERIES_VERSION
    if not (created or lost or outdated or (again and not waiting)):
        return snapshot
    if not created:
        # Only the request that moves it to 排队中 queues it: two pages asking at once queue it once.
        moved = Snapshot.objects.filter(
            pk=snapshot.pk, state=snapshot.state, requested_at=snapshot.requested_at
        ).update(state=SnapshotState.QUEUED, progress=0, message="", requested_at=timezone.now())
        if not moved:
            snapshot.refresh_from_db()
            return snapshot
    tasks.compute_snapshot.enqueue(snapshot.pk)
    snapshot.refresh_from_db()
    return snapshot


# --- The charts' data ------------------------------------------------------------------------------


def series(organization: Organization, day: dt.date, form: Form | None = None) -> dict[str, Any]:
    """Every chart of the dashboard for the subtree of ``organization`` on ``day`` (JSON-ready)."""
    form = form or definition.form_for(day.year)
    frame = Frame(path=organization.path, day=day, form=form)
    figures, roll, developed = _figures(frame)
    return {
        "version": SERIES_VERSION,
        "form": form.code,
        "kpis": [_item(label, figures, key, name=name) for name, label, key in KPI_CELLS if key in figures],
        "age": _age(frame, roll, figures),
        "education": _items(form, figures, [("4", "total", c) for c in EDUCATION_COLUMNS]),
        "occupation": _items(form, figures, [("4", r, "total") for r in OCCUPATION_ROWS]),
        "kinds": _items(form, figures, [("16", "total", c) for c in KIND_COLUMNS]),
        "funnel": _funnel(organization, day, figures),
        "years": years(organization, day),
        "dues": dues(organization, day),
        "meetings": meetings(organization, day),
        "children": _children(frame, organization, roll, developed),
    }


def _figures(frame: Frame) -> tuple[dict[CellKey, int], Groups, Groups]:
    """The report's cells the charts show, and the roll and 发展党员 groups the charts by child read:
    each population grouped once."""
    wanted = {key for _, _, key in KPI_CELLS} | {key for _, key in FUNNEL_CELLS}
    wanted |= {f"2:total:{band.key}" for band in frame.form.bands["age"]}
    wanted |= {f"4:total:{c}" for c in EDUCATION_COLUMNS} | {f"4:{r}:total" for r in OCCUPATION_ROWS}
    wanted |= {f"16:total:{c}" for c in KIND_COLUMNS}
    shared: dict[str, tuple[GroupingSet, ...]] = {"roll": ROLL_SETS, "developed": (("child",),)}
    cells: list[tuple[CellKey, str, Condition, GroupingSet]] = []
    sets: dict[str, set[GroupingSet]] = defaultdict(set)
    for population, groupings in shared.items():
        sets[population].update(groupings)
    for key in sorted(wanted):
        cell = engine.find_cell(frame.form, key)
        condition = cell.condition if cell is not None and not cell.table.placeholder else None
        if cell is None or condition is None:
            continue
        own = tuple(sorted(condition))
        chosen = next((s for s in shared.get(cell.population, ()) if set(own) <= set(s)), own)
        sets[cell.population].add(chosen)
        cells.append((key, cell.population, condition, chosen))
    grouped = {population: engine.group(population, frame, wanted_sets) for population, wanted_sets in sets.items()}
    figures = {
        key: engine.sum_groups(grouped[population], condition, tuple(d for d in chosen if d not in condition))
        for key, population, condition, chosen in cells
    }
    return figures, grouped["roll"], grouped["developed"]


def _item(label: str, figures: dict[CellKey, int], key: CellKey, **extra: Any) -> dict[str, Any]:
    return {"label": label, "value": figures.get(key, 0), "cell": key, **extra}


def _items(form: Form, figures: dict[CellKey, int], refs: Iterable[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """One bar per cell, labelled as the form labels it (the row's, or the column's when the row is
    the table's total)."""
    found = []
    for table, row, column in refs:
        cell = engine.find_cell(form, engine.cell_key(table, row, column))
        if cell is None:
            continue
        line = cell.column if row == "total" else cell.row
        found.append(_item(line.label, figures, cell.key, short=SHORT_LABELS.get(line.key, line.label)))
    return found


def _age(frame: Frame, roll: Groups, figures: dict[CellKey, int]) -> dict[str, Any]:
    """The age pyramid: each of the form's age bands by gender; a band's total is the report's cell."""
    by_gender: dict[tuple[str, str], int] = defaultdict(int)
    for values, count in roll[ROLL_SETS[0]]:
        by_gender[values["age"], values["gender"]] += count
    bands = frame.form.bands["age"]
    return {
        "labels": [band.label for band in bands],
        "male": [by_gender[band.key, "1"] for band in bands],
        "female": [by_gender[band.key, "2"] for band in bands],
        "items": [_item(band.label, figures, f"2:total:{band.key}") for band in bands],
    }


def _funnel(organization: Organization, day: dt.date, figures: dict[CellKey, int]) -> list[dict[str, Any]]:
    """Development on ``day``: the files of the subtree in each stage before admission (the stage of
    the last step done by the day), then the report's 预备党员 on the roll and 转正 of the year.

    A file that was closed (终止培养) is left out on every day, also on days before it closed: the
    file does not keep the day it closed (the approval log does, as text)."""
    last_step = Subquery(
        StepRecord.objects.filter(applicant=OuterRef("pk"), date__lte=day)
        .order_by()
        .values("applicant")
        .annotate(last=Max("step"))
        .values("last"),
        output_field=IntegerField(),
    )
    counts = (
        Applicant.objects.filter(org_path__startswith=organization.path)
        .exclude(status__in=[FileStatus.CLOSED, FileStatus.CANCELLED])
        .annotate(last=last_step)
        .aggregate(
            **{
                f"s{index}": Count("pk", filter=Q(last__gte=first, last__lt=after))
                for index, (_, first, after) in enumerate(FUNNEL_FILES)
            }
        )
    )
    stages = [
        {"label": label, "value": counts[f"s{index}"], "page": "pipeline"}
        for index, (label, _, _) in enumerate(FUNNEL_FILES)
    ]
    return stages + [_item(label, figures, key) for label, key in FUNNEL_CELLS]


def year_ends(day: dt.date, count: int = YEARS) -> list[dt.date]:
    """The last ``count`` 31 Decembers on or before ``day``, oldest first."""
    last = day.year if (day.month, day.day) == (12, 31) else day.year - 1
    return [dt.date(year, 12, 31) for year in range(last - count + 1, last + 1)]


def roll_on(organization: Organization, days: list[dt.date]) -> dict[dt.date, int]:
    """The report's 党员总数 (the roll population: periods at the subtree covering the day, no
    off-roll status covering it) for each day, in two aggregate passes whatever the number of days:
    the periods covering each day, less those of them whose member an off-roll status (已故, 出党,
    已转出) covers that day, a join of the few members who have one."""
    if not days:
        return {}

    def covering(day: dt.date, prefix: str = "") -> Q:
        return Q(**{f"{prefix}start__lte": day}) & (
            Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": day})
        )

    periods = MembershipPeriod.objects.filter(
        Q(end__isnull=True) | Q(end__gt=min(days)),
        organization__path__startswith=organization.path,
        member__deleted_at__isnull=True,
        start__lte=max(days),
    ).order_by()
    placed = periods.aggregate(**{f"d{i}": Count("pk", filter=covering(day)) for i, day in enumerate(days)})
    # From the same periods, joined to their member's off-roll statuses (one filter() call: one
    # join), so a town's count reads the town's periods and probes its few members' statuses.
    status = "member__status_periods__"
    off = (
        periods.filter(
            Q(**{f"{status}end__isnull": True}) | Q(**{f"{status}end__gt": min(days)}),
            **{f"{status}status__in": OFF_ROLL, f"{status}start__lte": max(days)},
        )
        .order_by()
        .aggregate(
            **{
                f"d{i}": Count("pk", distinct=True, filter=covering(day) & covering(day, status))
                for i, day in enumerate(days)
            }
        )
    )
    return {day: placed[f"d{i}"] - off[f"d{i}"] for i, day in enumerate(days)}


def years(organization: Organization, day: dt.date) -> dict[str, Any]:
    ends = year_ends(day)
    counted = roll_on(organization, ends)
    return {
        "items": [
            {"label": f"{end.year}年", "value": counted[end], "cell": "2:total:total", "day": end.isoformat()}
            for end in ends
        ]
    }


def dues(organization: Organization, day: dt.date) -> dict[str, Any]:
    """党费 of the day's year in the subtree: owed and paid for the months up to the day's month (the
    months paid ahead not counted, as the collection page does), paid as the ledger stands now."""
    months = DuesMonth.objects.filter(
        org_path__startswith=organization.path, month__gte=day.replace(month=1, day=1), month__lte=day.replace(day=1)
    )
    found = months.aggregate(owed=Sum("owed"), paid=Sum("paid"))
    owed, paid = found["owed"] or 0, found["paid"] or 0
    return {
        "year": day.year,
        "through": day.month,
        "owed": owed,
        "paid": paid,
        "rate": round(paid / owed * 100, 1) if owed else None,
    }


def meetings(organization: Organization, day: dt.date) -> dict[str, Any]:
    """组织生活 of the day's year: the organizations of the subtree owing organizational life, by the
    colour of their year so far (as the heat map colours them). A past 31 December is read as the
    heat map reads a year that is over, its last day counted."""
    year = day.year
    as_of = day + dt.timedelta(days=1) if (day.month, day.day) == (12, 31) and day < timezone.localdate() else day
    orgs = (
        Organization.objects.filter(path__startswith=organization.path, deleted_at__isnull=True)
        .filter(Q(founded_date__isnull=True) | Q(founded_date__lte=dt.date(year, 12, 31)))
        .filter(Q(abolished_date__isnull=True) | Q(abolished_date__gt=dt.date(year, 1, 1)))
        .order_by("path")
        .values_list(*(field.name for field in fields(compliance.OrgRow)))
    )
    rows = compliance.standing([compliance.OrgRow(*row) for row in orgs], organization.path, year, as_of)
    counts = dict.fromkeys(meeting_rules.Colour, 0)
    for row in rows:
        if row.duties:
            counts[row.colour] += 1
    return {
        "year": year,
        "items": [
            {"label": colour.label, "value": counts[colour], "colour": colour.css, "color": color}
            for colour, color in MEETING_COLOURS
        ],
    }


def _children(frame: Frame, organization: Organization, roll: Groups, developed: Groups) -> dict[str, Any]:
    """The direct children (and the members the organization holds itself), each with its members
    and the treemap's other figures, from the same groups as the report's cells."""
    form = frame.form
    shares = {
        name: engine.find_cell(form, engine.cell_key(table, form.table(table).rows[0].key, column))
        for name, (table, column) in SHARE_COLUMNS.items()
    }
    conditions = {name: cell.column.when for name, cell in shares.items() if cell is not None}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for values, count in roll[ROLL_SETS[0]]:
        child = counts[values["child"]]
        child["members"] += count
        for name, condition in conditions.items():
            if engine._matches(values, condition):  # the engine's own test of a cell's condition
                child[name] += count
    for values, count in developed[("child",)]:
        counts[values["child"]]["developed"] += count

    def figures(path: str) -> dict[str, float]:
        found = counts.get(path, {})
        members = found.get("members", 0)
        result: dict[str, float] = {"members": members, "developed": found.get("developed", 0)}
        for name in conditions:
            result[name] = round(found.get(name, 0) / members * 100, 1) if members else 0.0
        return result

    children = (
        Organization.objects.filter(
            path__startswith=organization.path, depth=organization.depth + 1, deleted_at__isnull=True
        )
        .filter(Q(abolished_date__isnull=True) | Q(abolished_date__gt=frame.day))
        .order_by("path")
        .values_list("pk", "path", "name", "short_name")
    )
    items = [
        {"id": pk, "name": short or name, "full_name": name, "values": figures(path)}
        for pk, path, name, short in children
    ]
    own = figures(organization.path)
    return {
        "metrics": [m for m in METRICS if m["key"] in {"members", "developed", *conditions}],
        "items": items,
        "own": {"name": f"{organization.display_name}直属党员", "values": own} if own["members"] else None,
    }


# --- Serving: the addresses behind the figures -----------------------------------------------------


def _address(name: str, *args: Any, **query: Any) -> str:
    return f"{reverse(name, args=args)}?{urlencode(query)}"


def linked(found: dict[str, Any], organization: Organization, day: dt.date) -> dict[str, Any]:
    """``found`` (live or kept) with its times as text and, on every bar, point and tile, the
    address it leads to: the members or organizations behind a report cell (stats:cell, of the same
    date), the development pipeline, the dues collection, the heat map, a child's dashboard."""
    computed = found.get("computed_at")
    result = {
        **found,
        "computed_at": timezone.localtime(computed).strftime("%Y-%m-%d %H:%M") if computed else None,
        "organization": {"id": organization.pk, "name": organization.name},
        "date": day.isoformat(),
    }
    charts = found.get("series")
    if not charts:
        return result
    pk, on = organization.pk, day.isoformat()
    pipeline = reverse("development:pipeline_org", args=[pk])

    def to(item: dict[str, Any]) -> dict[str, Any]:
        if "cell" in item:  # a year's point is the cell of its own 31 December
            return {**item, "url": _address("stats:cell", org=pk, date=item.get("day", on), cell=item["cell"])}
        if item.get("page") == "pipeline":
            return {**item, "url": pipeline}
        return item

    def each(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [to(item) for item in items]

    dues, meetings = charts["dues"], charts["meetings"]
    heat_map = {"year": meetings["year"]}
    result["series"] = {
        **charts,
        **{name: each(charts[name]) for name in ("kpis", "education", "occupation", "kinds", "funnel")},
        "age": {**charts["age"], "items": each(charts["age"]["items"])},
        "years": {**charts["years"], "items": each(charts["years"]["items"])},
        "dues": {**dues, "url": _address("dues:collection", organization=pk, year=dues["year"])},
        "meetings": {
            **meetings,
            "items": [
                # 未到期或无要求 is no filter of the heat map: its whole year.
                {**item, "url": _address("meetings:map", pk, **heat_map, **_colour(item["colour"]))}
                for item in meetings["items"]
            ],
        },
        "children": {
            **charts["children"],
            "items": [
                {**item, "url": _address("stats:dashboard", org=item["id"], date=on)}
                for item in charts["children"]["items"]
            ],
        },
    }
    return result


def _colour(css: str) -> dict[str, str]:
    return {} if css == meeting_rules.Colour.BLANK.css else {"colour": css}
