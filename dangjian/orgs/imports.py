"""Excel import of organizations: the export's sheet read back, every row created or none.

Every row is checked before anything is kept: the file's own problems (columns, required cells,
labels, dates, codes, parents) first, then the structure rules by really creating the rows with
``services.create_organization`` inside one transaction that is rolled back unless every row
passed. So the rules live in one place and the report names every problem of the file at once.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.dates import DateKind, date_problem, parse_date
from dangjian.core.errors import DomainError
from dangjian.core.excel import FileProblem, Problem, cell_text, read_sheet

from .exports import CHOICES, HEADERS, PARENT_CODE, SHEET
from .exports import COLUMNS as EXPORT_COLUMNS
from .models import Organization
from .services import CODE_PATTERN, TEXT_LABELS, TEXT_LIMITS, create_organization

MAX_ROWS = 5000
CHUNK = 500  # codes per IN (...) query, well under every database's parameter limit
HEADER_OF = {name: header for header, name in EXPORT_COLUMNS if name} | {"parent": PARENT_CODE}
REQUIRED = ("code", "name", "kind", "unit_category")
DATES = ("founded_date", "abolished_date")


@dataclass(frozen=True)
class Row:
    """One data row of the sheet: its number as Excel shows it and its cells by column header."""

    number: int
    cells: dict[str, Any]

    def text(self, header: str) -> str:
        return cell_text(self.cells.get(header))


@dataclass
class ImportReport:
    rows: int = 0  # data rows read
    problems: list[Problem] = field(default_factory=list)
    created: list[Organization] = field(default_factory=list)  # empty unless written
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_rows(self) -> int:
        return len({problem.row for problem in self.problems})


class _Rollback(Exception):
    """Raised inside the import's transaction to undo every row created there."""


def read_rows(file: Any) -> list[Row]:
    """The data rows of an uploaded .xlsx, blank rows skipped; ``FileProblem`` if the file is not
    a readable sheet with exactly the export's columns or holds more than ``MAX_ROWS`` rows."""
    lines = read_sheet(file, SHEET).rows
    try:
        first = next(lines, None)
        columns = _columns(first[1] if first is not None else ())
        rows: list[Row] = []
        for number, values in lines:
            if all(cell_text(value) == "" for value in values):
                continue
            if len(rows) == MAX_ROWS:
                raise FileProblem([Problem(number, "", "", f"一次最多导入{MAX_ROWS}行，请分成几个文件")])
            rows.append(Row(number, {h: values[i] if i < len(values) else None for h, i in columns.items()}))
        return rows
    finally:
        close = getattr(lines, "close", None)
        if close is not None:
            close()  # a sheet read in pieces removes its temporary copy


def _columns(header: Iterable[Any]) -> dict[str, int]:
    """Column index by header; every export column must be there once, and nothing else."""
    found: dict[str, int] = {}
    problems = []
    for index, value in enumerate(header):
        title = cell_text(value)
        if not title:
            continue
        if title not in HEADERS:
            problems.append(Problem(1, title, title, f"未知的列“{title}”：列名须与模板一致"))
        elif title in found:
            problems.append(Problem(1, title, title, f"列“{title}”重复"))
        else:
            found[title] = index
    problems += [Problem(1, title, "", f"缺少列“{title}”") for title in HEADERS if title not in found]
    if problems:
        raise FileProblem(problems)
    return found


@dataclass(eq=False)
class _Item:
    """A row on its way to becoming an organization."""

    row: Row
    fields: dict[str, Any]
    parent: Organization | None = None  # an organization already in the database
    parent_item: "_Item | None" = None  # or a row of the same file
    created: Organization | None = None

    @property
    def code(self) -> str:
        return str(self.fields.get("code", ""))


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.rows: set[int] = set()

    def add(self, row: Row, name: str | None, reason: str) -> None:
        header = HEADER_OF.get(name or "", "")
        self.items.append(Problem(row.number, header, row.text(header) if header else "", reason))
        self.rows.add(row.number)

    def sorted(self) -> list[Problem]:
        order = {header: index for index, header in enumerate(HEADERS)}
        return sorted(self.items, key=lambda p: (p.row or 0, order.get(p.column, len(order))))


def import_organizations(
    *, actor: Any, file: Any, dry_run: bool = False, under: Organization | None = None
) -> ImportReport:
    """Create the organizations of an uploaded sheet: all of them, or (any problem, or ``dry_run``)
    none. Parents are named by code: an organization in the actor's scope (within ``under`` when
    given; a blank parent code then means ``under`` itself) or another row of the file."""
    scope.require_role(actor, lambda role: role.writes_organizations, "导入党组织")
    if under is not None:
        scope.require_in_scope(actor, under, to_write=True)
    report = ImportReport(dry_run=dry_run)
    try:
        rows = read_rows(file)
    except FileProblem as error:
        report.problems = error.problems
        return report
    report.rows = len(rows)
    if not rows:
        report.problems = [Problem(None, "", "", "表中没有要导入的组织")]
        return report
    problems = _Problems()
    items = [_parse(row, problems) for row in rows]
    _check_codes(items, problems)
    _resolve_parents(actor, under, items, problems)
    try:
        with transaction.atomic():
            for item in _parents_first(items, problems):
                _create(actor, item, problems)
            if problems.items or dry_run:
                raise _Rollback
    except _Rollback:
        report.problems = problems.sorted()
    else:
        report.created = sorted((item.created for item in items if item.created), key=lambda o: o.path)
    return report


def _parse(row: Row, problems: _Problems) -> _Item:
    """The row's cells as service fields; format problems go to the report."""
    fields: dict[str, Any] = {}
    for header, name in EXPORT_COLUMNS:
        if not name:
            continue
        text = row.text(header)
        if name in DATES:
            fields[name] = _date(row, name, problems) if text else None
        elif name in CHOICES and text:
            choice = next((c for c in CHOICES[name] if text in (c.value, c.label)), None)
            if choice is None:
                labels = "、".join(str(c.label) for c in CHOICES[name])
                problems.add(row, name, f"{header}“{text}”不在可选范围内，可填：{labels}")
            fields[name] = choice or ""
        else:
            fields[name] = text
        if name in REQUIRED and not text:
            problems.add(row, name, f"请填写{header}")
        elif name in TEXT_LIMITS and len(text) > TEXT_LIMITS[name]:
            problems.add(row, name, f"{TEXT_LABELS[name]}不能超过{TEXT_LIMITS[name]}个字")
    if fields["code"] and not CODE_PATTERN.match(fields["code"]):
        problems.add(row, "code", "组织代码只能由字母、数字和“-”组成，不超过32位")
    return _Item(row, fields)


def _date(row: Row, name: str, problems: _Problems) -> dt.date | None:
    value = row.cells[HEADER_OF[name]]
    if isinstance(value, int | float) and not isinstance(value, bool) and 1900 <= value < 2101:
        # "2005.08" typed into a general cell is the number 2005.08 (and "2005.10" is 2005.1):
        # read as a serial it would be a day in 1905, so ask for text instead of guessing.
        problems.add(row, name, f"日期“{row.text(HEADER_OF[name])}”被 Excel 存成了数字，请按 2005-08-01 填写")
        return None
    try:
        day = parse_date(value)
    except ValueError as error:
        problems.add(row, name, str(error))
        return None
    if problem := date_problem(day, DateKind.EVENT, timezone.localdate(), HEADER_OF[name]):
        problems.add(row, name, problem)
        return None
    return day


def _check_codes(items: list[_Item], problems: _Problems) -> None:
    """A code is used once in the file and not at all in the database (whoever's it is)."""
    first: dict[str, int] = {}
    for item in items:
        if not item.code:
            continue
        if item.code in first:
            problems.add(item.row, "code", f"组织代码“{item.code}”与第{first[item.code]}行重复")
        else:
            first[item.code] = item.row.number
    used = {
        code
        for chunk in _chunks(first)
        for code in Organization.objects.filter(code__in=chunk).values_list("code", flat=True)
    }
    for item in items:
        if item.code in used and first.get(item.code) == item.row.number:
            problems.add(item.row, "code", f"组织代码“{item.code}”已被使用")


def _resolve_parents(actor: Any, under: Organization | None, items: list[_Item], problems: _Problems) -> None:
    in_file: dict[str, _Item] = {}
    for item in items:
        in_file.setdefault(item.code, item)
    wanted = {item.row.text(PARENT_CODE) for item in items} - set(in_file) - {""}
    visible = {
        organization.code: organization
        for chunk in _chunks(wanted)
        for organization in scope.scoped(actor, Organization.objects.filter(code__in=chunk), to_write=True)
    }
    for item in items:
        code = item.row.text(PARENT_CODE)
        if code and code in in_file:
            item.parent_item = in_file[code]
        elif not code and under is not None:
            item.parent = under
        elif not code:
            problems.add(item.row, "parent", "请填写上级组织代码")
        elif (found := visible.get(code)) is None:
            # The same answer whether the code exists outside the scope or not at all.
            problems.add(item.row, "parent", f"上级组织代码“{code}”不存在或不在您的管理范围内")
        elif under is not None and not found.path.startswith(under.path):
            problems.add(item.row, "parent", f"上级组织代码“{code}”不在“{under.name}”及其下级组织中")
        else:
            item.parent = found


def _parents_first(items: list[_Item], problems: _Problems) -> list[_Item]:
    """The rows in creation order (a row after the row of its parent); rows on a cycle of parent
    codes are reported, and with their descendants never created."""
    depth: dict[int, int] = {}
    for item in items:
        chain: list[_Item] = []
        node: _Item | None = item
        while node is not None and id(node) not in depth and node not in chain:
            chain.append(node)
            node = node.parent_item
        if node is not None and node in chain:  # a cycle: from ``node`` back to itself
            cycle = chain[chain.index(node) :]
            numbers = "、".join(str(n.row.number) for n in cycle)
            reason = f"上级组织代码构成循环（第{numbers}行互为上级）"
            if len(cycle) == 1:
                reason = "上级组织代码不能是本组织自己的代码"
            for member in cycle:
                problems.add(member.row, "parent", reason)
                depth[id(member)] = 0
            chain = chain[: chain.index(node)]
        base = depth[id(node)] + 1 if node is not None else 0
        for offset, member in enumerate(reversed(chain)):
            depth[id(member)] = base + offset
    return sorted(items, key=lambda i: (depth[id(i)], i.row.number))


def _create(actor: Any, item: _Item, problems: _Problems) -> None:
    """Create the row through the service, its refusals into the report (the caller rolls back)."""
    if item.row.number in problems.rows:
        return
    parent = item.parent_item.created if item.parent_item is not None else item.parent
    if parent is None:  # its parent row failed: the rules cannot be checked against it
        return
    try:
        item.created = create_organization(actor=actor, parent=parent, **item.fields)
    except DomainError as error:
        for name, messages in error.errors.items():
            for message in messages:
                problems.add(item.row, name, message)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
