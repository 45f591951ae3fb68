"""The report page (党内统计年报: every table, every check) and the drill-down behind a figure."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.core import scope
from dangjian.members.models import Member
from dangjian.orgs import tree
from dangjian.orgs.models import Organization

from . import checks, dashboard, definition, engine, services
from .definition import Line, Table
from .models import Snapshot, UncoveredUnit
from .selection import Selection, select

PER_PAGE = 50
EXPLAINED = 20  # members listed under a failed check


@dataclass
class HeaderCell:
    label: str
    span: int = 1
    rows: int = 1


def header_rows(table: Table) -> tuple[list[HeaderCell], list[HeaderCell]]:
    """The two header rows: a group spans its run of columns above them; a column without a group
    spans both rows."""
    top: list[HeaderCell] = []
    bottom: list[HeaderCell] = []
    for column in table.columns:
        if not column.group:
            top.append(HeaderCell(column.label, rows=2))
        elif top and top[-1].label == column.group and top[-1].rows == 1:
            top[-1].span += 1
            bottom.append(HeaderCell(column.label))
        else:
            top.append(HeaderCell(column.group))
            bottom.append(HeaderCell(column.label))
    return top, bottom


@dataclass
class ShownRow:
    line: Line
    cells: list[tuple[str, int]]  # (cell key, value)


@dataclass
class ShownTable:
    table: Table
    top: list[HeaderCell]
    bottom: list[HeaderCell]
    rows: list[ShownRow]


def shown_tables(report: engine.Report) -> list[ShownTable]:
    shown = []
    for table in report.form.tables:
        top, bottom = header_rows(table)
        rows = [
            ShownRow(
                row,
                [(k, report.value(k)) for k in (engine.cell_key(table.code, row.key, c.key) for c in table.columns)],
            )
            for row in table.rows
        ]
        shown.append(ShownTable(table, top, bottom, rows))
    return shown


@dataclass
class Explained:
    result: checks.Result
    failure: checks.Failure
    members: list[tuple[Any, int]]  # (member or organization, weight)


def _explanations(user: Any, report: engine.Report, results: list[checks.Result]) -> list[Explained]:
    explained = []
    for result in checks.failed(results):
        for failure in result.failures[:5]:
            found = checks.explain(report, failure, limit=EXPLAINED) if failure.terms else []
            subjects = _subjects(user, report, failure.cells[0] if failure.cells else "", [pk for pk, _ in found])
            weights = dict(found)
            explained.append(Explained(result, failure, [(s, weights.get(s.pk, 0)) for s in subjects]))
    return explained


def _subjects(user: Any, report: engine.Report, key: str, ids: list[int]) -> list[Any]:
    cell = engine.find_cell(report.form, key)
    if cell is not None and engine.POPULATIONS[cell.population].subject_kind == "organization":
        return list(scope.scoped(user, Organization.objects.filter(pk__in=ids)))
    return list(scope.scoped(user, Member.objects.filter(pk__in=ids)).select_related("organization"))


def _computed(request: HttpRequest, selection: Selection) -> tuple[engine.Report | None, Snapshot | None]:
    """The report counted now, or for a subtree too large to wait for (a county), the one the task
    worker keeps: (None, snapshot) while it is being computed."""
    organization, day = selection.organization, selection.day
    if not dashboard.is_large(organization):
        return engine.compute(organization, day), None
    snapshot = dashboard.request_snapshot(organization, day, again=request.GET.get("again") == "1")
    if snapshot.computed_at is None or not snapshot.figures:
        return None, snapshot
    form = next((f for f in definition.all_forms() if f.code == snapshot.form_code), definition.form_for(day.year))
    kept = engine.Report(organization, day, form, snapshot.figures, snapshot.computed_at, snapshot.parts)
    return kept, snapshot


def report(request: HttpRequest) -> HttpResponse:
    """党内统计年报 of an organization's subtree as of a date, computed from the records."""
    selection = select(request)
    result, snapshot = _computed(request, selection)
    context: dict[str, Any] = {
        "section": "stats",
        "selection": selection,
        "organization": selection.organization,
        "snapshot": snapshot,
        "lineage": tree.lineage(request.user, selection.organization),
    }
    if result is None:
        return render(request, "stats/report_waiting.html", context)
    results = services.run_checks(result)
    submission = services.standing(selection.organization, selection.day.year) if selection.is_year_end else None
    return render(
        request,
        "stats/report.html",
        {
            **context,
            "report": result,
            "tables": shown_tables(result),
            "results": results,
            "failed": checks.failed(results),
            "explained": _explanations(request.user, result, results),
            "submission": submission,
        },
    )


def _cell_title(cell: engine.Cell) -> str:
    parts = [f"表{cell.table.code} {cell.table.title}", cell.row.label]
    if cell.column.group:
        parts.append(cell.column.group)
    parts.append(cell.column.label)
    return " · ".join(parts)


def cell(request: HttpRequest) -> HttpResponse:
    """The members (or organizations) behind one figure, as of the same date: the figure's own
    query, filtered by the scope again."""
    selection: Selection = select(request)
    form = engine.definition.form_for(selection.day.year)
    if not request.GET.get("cell"):
        return redirect(f"{reverse('stats:report')}?{selection.query()}")
    found = engine.find_cell(form, request.GET.get("cell", "")[:80])
    if found is None or found.table.placeholder:
        raise Http404
    ids = engine.subject_ids(form, found.key, selection.organization, selection.day)
    counts: dict[int, int] = {}
    for pk in ids:
        counts[pk] = counts.get(pk, 0) + 1
    kind = engine.POPULATIONS[found.population].subject_kind
    if kind == "organization":
        rows: Any = scope.scoped(request.user, Organization.objects.filter(pk__in=counts)).order_by("path")
    elif kind == "unit":
        rows = scope.scoped(request.user, UncoveredUnit.objects.filter(pk__in=counts)).select_related("organization")
    else:
        rows = (
            scope.scoped(request.user, Member.objects.filter(pk__in=counts))
            .select_related("organization")
            .order_by("org_path", "name_pinyin", "id")
        )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "stats/cell.html",
        {
            "section": "stats",
            "selection": selection,
            "organization": selection.organization,
            "cell": found,
            "title": _cell_title(found),
            "figure": len(ids),
            "people": len(counts),
            "kind": kind,
            "page": page,
            "counts": counts,
            "lineage": tree.lineage(request.user, selection.organization),
        },
    )
