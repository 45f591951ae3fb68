"""The annual report (党内统计年报) as an Excel workbook laid out for print as the official forms
are: one sheet per table of the form (表1 … 表16), each with its title, the line naming the unit,
the report date and the unit of count, the header with its spanning column groups (repeated on
every printed page), the rows with their indents and the signature line; then 审核结果, every
check with its outcome and, for one that fails, each failing instance with its two sides.

A4 landscape, one page across, as many down as needed. The layout helpers at the top
(``title_of``, ``heading_parts``, ``header_runs``, ``check_rows``) are shared with the PDF
(``pdf``), so that the two files say the same thing in the same words.
"""

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from dangjian.core import excel

from . import checks, engine
from .definition import CELL_REF, Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CORNER = "项目"
# The official forms' signature line, with room to sign and to write the date by hand.
SIGNATURE_PARTS = ("单位负责人：", "填表人：", "联系电话：", "填报日期：　　　　年　　月　　日")
SIGNATURE = "　　　　　　".join(SIGNATURE_PARTS)
CHECK_SHEET = "审核结果"
CHECK_HEADERS: tuple[tuple[str, float], ...] = (
    ("编号", 7),
    ("审核公式", 44),
    ("审核结果", 10),
    ("未通过的项目", 28),
    ("左边数值", 10),
    ("右边数值", 10),
    ("差额", 8),
    ("说明", 33),
)
PASSED, FAILED = "通过", "未通过"

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
LINE_HEIGHT = 15  # points per line of 11-point text, what Excel gives a one-line row
LABEL_WIDTH = (12, 40)  # the row-label column: at least wide enough for 项目, at most this (then it wraps)
NUMBER_WIDTH = (8, 13)  # a figure's column: a longer header wraps rather than widen the table past one page
PAGE_WIDTH = 135  # about what A4 landscape holds at full size: a wider table is printed smaller
ROW_HEIGHT = 18  # a row of figures: room around the numbers, and 表15's 18 rows still on one page


# --- What both files say --------------------------------------------------------------------------


def title_of(table: Table) -> str:
    """The table's title as the forms print it: 党员基本情况（表2）."""
    return f"{table.title}（表{table.code}）"


def heading_parts(report: engine.Report, table: Table | None, unit_name: str) -> tuple[str, str, str]:
    """The line under the title: who fills it in, as of when, and what is counted."""
    unit = f"单位：{table.unit}" if table is not None else ""
    return f"填报单位：{unit_name}", f"统计截止日期：{checks.as_of_label(report.day)}", unit


@dataclass(frozen=True)
class Run:
    """Consecutive columns under one spanning header (``group``), or one column without a group."""

    group: str
    start: int  # index into table.columns
    length: int


def header_runs(table: Table) -> list[Run]:
    """The column groups of the header: a group spans only the consecutive columns naming it, so
    the same group named again further on is a second span, as the form draws it."""
    runs: list[Run] = []
    for index, column in enumerate(table.columns):
        last = runs[-1] if runs else None
        if column.group and last is not None and last.group == column.group:
            runs[-1] = Run(last.group, last.start, last.length + 1)
        else:
            runs.append(Run(column.group, index, 1))
    return runs


def has_groups(table: Table) -> bool:
    return any(column.group for column in table.columns)


def cell_label(report: engine.Report, key: str) -> str:
    """A cell named for a reader: 表2 党员总数·合计 (the checks name some instances by key)."""
    found = engine.find_cell(report.form, key) if CELL_REF.match(key) else None
    if found is None:
        return key
    return f"表{found.table.code} {found.row.label}·{found.column.label}"


@dataclass(frozen=True)
class CheckRow:
    """One line of 审核结果: a check that passed, or one failing instance of a check (the first
    instance carries the check's code, name and outcome; ``first`` says so, ``span`` how many
    lines the check takes)."""

    code: str
    name: str
    outcome: str
    instance: str = ""
    left: int | None = None
    right: int | None = None
    detail: str = ""
    first: bool = True
    span: int = 1

    @property
    def difference(self) -> int | None:
        return self.left - self.right if self.left is not None and self.right is not None else None


def check_rows(report: engine.Report, results: Sequence[checks.Result]) -> list[CheckRow]:
    rows: list[CheckRow] = []
    for result in results:
        check = result.check
        if result.passed:
            rows.append(CheckRow(check.code, check.name, PASSED))
            continue
        span = len(result.failures)
        for index, failure in enumerate(result.failures):
            rows.append(
                CheckRow(
                    check.code,
                    check.name,
                    FAILED,
                    instance=cell_label(report, failure.label) if failure.label else "",
                    left=failure.left,
                    right=failure.right,
                    detail=failure.detail,
                    first=index == 0,
                    span=span,
                )
            )
    return rows


def check_summary(results: Sequence[checks.Result]) -> str:
    failed = len(checks.failed(list(results)))
    if not failed:
        return f"共{len(results)}条审核公式，全部通过"
    return f"共{len(results)}条审核公式，{failed}条未通过"


def computed_label(report: engine.Report) -> str:
    """When the figures were computed: a live report moves as the records change."""
    return f"统计时间：{timezone.localtime(report.computed_at):%Y-%m-%d %H:%M}"


def text_width(text: str) -> int:
    """The width of text in Excel's units (a Chinese character is two, a Latin letter one)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def lines_for(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` wide (a character's room kept for the margins)."""
    room = max(width - 1, 2)
    return max(1, math.ceil(text_width(text) / room))


# --- The workbook ---------------------------------------------------------------------------------


def workbook(report: engine.Report, results: list[checks.Result], *, unit_name: str) -> bytes:
    """The report of ``report`` with the outcome of ``results``, as .xlsx bytes."""
    book = Workbook(write_only=True)
    for table in report.form.tables:
        if table.placeholder:
            _placeholder_sheet(book, report, table, unit_name)
        else:
            _table_sheet(book, report, table, unit_name)
    _check_sheet(book, report, results, unit_name)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _table_sheet(book: Workbook, report: engine.Report, table: Table, unit_name: str) -> None:
    label_width = min(
        max([LABEL_WIDTH[0], *(text_width(row.label) + 2 * row.indent + 2 for row in table.rows)]), LABEL_WIDTH[1]
    )
    parts = heading_parts(report, table, unit_name)
    numbers = [_number_width(column.label) for column in table.columns]
    if label_width + sum(numbers) > PAGE_WIDTH:
        # Many columns (表1 has 13): their headers wrap onto more lines so the figures stay legible.
        room = max((PAGE_WIDTH - label_width) / len(numbers), NUMBER_WIDTH[0])
        numbers = [min(width, room) for width in numbers]
    widths = fit_widths([label_width, *numbers], parts)
    header_rows = 2 if has_groups(table) else 1
    sheet = _printed_sheet(book, f"表{table.code}", widths, header_rows=header_rows)
    _heading(sheet, title_of(table), len(widths))
    _subheading(sheet, widths, parts)
    _header(sheet, table, widths)
    for number, row in enumerate(table.rows, start=3 + header_rows):
        sheet.row_dimensions[number].height = ROW_HEIGHT * lines_for(row.label, widths[0] - 2 * row.indent)
        label = _boxed(sheet, row.label)
        label.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=row.indent)
        figures = [_number(sheet, report.value(engine.cell_key(table.code, row.key, c.key))) for c in table.columns]
        excel.append(sheet, [label, *figures])
    _signature(sheet, 2 + header_rows + len(table.rows) + 2, widths)


def _number_width(label: str) -> float:
    """Wide enough for the header on one line, within ``NUMBER_WIDTH`` (a longer one wraps)."""
    return float(min(max(text_width(label) + 2, NUMBER_WIDTH[0]), NUMBER_WIDTH[1]))


def _header(sheet: WriteOnlyWorksheet, table: Table, widths: list[float]) -> None:
    """The header from row 3: one row, or two where columns are grouped (the group over its
    columns in the first, their labels in the second; a column without a group, and the corner,
    spanning both)."""
    columns = table.columns
    if not has_groups(table):
        lines = max(lines_for(column.label, widths[index + 1]) for index, column in enumerate(columns))
        sheet.row_dimensions[3].height = LINE_HEIGHT * lines + 6
        excel.append(sheet, [_boxed(sheet, CORNER, bold=True), *(_boxed(sheet, c.label, bold=True) for c in columns)])
        return
    sheet.merged_cells.add("A3:A4")
    top: list[Any] = [_boxed(sheet, CORNER, bold=True)]
    bottom: list[Any] = [_boxed(sheet, None)]
    spanning_lines, grouped_lines = 1, 1
    for run in header_runs(table):
        first = get_column_letter(run.start + 2)
        last = get_column_letter(run.start + run.length + 1)
        if run.group:
            sheet.merged_cells.add(f"{first}3:{last}3")
            top += [_boxed(sheet, run.group, bold=True), *(_boxed(sheet, None) for _ in range(run.length - 1))]
            for index in range(run.start, run.start + run.length):
                bottom.append(_boxed(sheet, columns[index].label, bold=True))
                grouped_lines = max(grouped_lines, lines_for(columns[index].label, widths[index + 1]))
        else:
            sheet.merged_cells.add(f"{first}3:{first}4")
            top.append(_boxed(sheet, columns[run.start].label, bold=True))
            bottom.append(_boxed(sheet, None))
            spanning_lines = max(spanning_lines, lines_for(columns[run.start].label, widths[run.start + 1]))
    # Excel does not fit a row's height to merged cells: the two rows are given room for the
    # longest label that spans them and for the longest under a group.
    sheet.row_dimensions[3].height = LINE_HEIGHT + 6
    sheet.row_dimensions[4].height = max(LINE_HEIGHT * grouped_lines, LINE_HEIGHT * spanning_lines - LINE_HEIGHT) + 6
    excel.append(sheet, top)
    excel.append(sheet, bottom)


def _placeholder_sheet(book: Workbook, report: engine.Report, table: Table, unit_name: str) -> None:
    """A table the system does not produce yet: its title and why, so the set of sheets is the form's."""
    parts = heading_parts(report, table, unit_name)
    widths = fit_widths([16.0] * 6, parts, first=0)
    sheet = _printed_sheet(book, f"表{table.code}", widths, header_rows=0)
    _heading(sheet, title_of(table), len(widths))
    _subheading(sheet, widths, parts)
    sheet.merged_cells.add(f"A3:{get_column_letter(len(widths))}3")
    sheet.row_dimensions[3].height = LINE_HEIGHT * (lines_for(table.placeholder, sum(widths)) + 1)
    note = excel.cell(sheet, table.placeholder)
    note.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    excel.append(sheet, [note])


def _check_sheet(book: Workbook, report: engine.Report, results: list[checks.Result], unit_name: str) -> None:
    left, middle, _ = heading_parts(report, None, unit_name)
    parts = (left, middle, computed_label(report))
    widths = fit_widths([width for _, width in CHECK_HEADERS], parts, first=0)
    # The verdict first (row 3), then the list with its header (row 4, on every printed page).
    sheet = _printed_sheet(book, CHECK_SHEET, widths, header_rows=1, header_from=4)
    _heading(sheet, f"党内统计年报{CHECK_SHEET}", len(widths))
    _subheading(sheet, widths, parts)
    sheet.merged_cells.add(f"A3:{get_column_letter(len(widths))}3")
    summary = excel.cell(sheet, check_summary(results))
    summary.font = Font(bold=True, color="B00020" if checks.failed(results) else None)
    summary.alignment = Alignment(horizontal="left", vertical="center")
    sheet.row_dimensions[3].height = LINE_HEIGHT + 8
    excel.append(sheet, [summary])
    excel.append(sheet, [_boxed(sheet, header, bold=True) for header, _ in CHECK_HEADERS])
    line = 5
    for row in check_rows(report, results):
        if row.first and row.span > 1:
            # The check's code, name and outcome once, over all its failing instances (never
            # overlapping ranges: Excel refuses a sheet whose merged cells overlap).
            for letter in "ABC":
                sheet.merged_cells.add(f"{letter}{line}:{letter}{line + row.span - 1}")
        head = (row.code, row.name, row.outcome) if row.first else (None, None, None)
        cells = [
            _boxed(sheet, head[0]),
            _boxed(sheet, head[1], align="left"),
            _boxed(sheet, head[2], bold=row.outcome == FAILED),
            _boxed(sheet, row.instance, align="left"),
            _number(sheet, row.left),
            _number(sheet, row.right),
            _number(sheet, row.difference),
            _boxed(sheet, row.detail, align="left"),
        ]
        lines = max(
            lines_for(row.name, widths[1]) if row.first and row.span == 1 else 1,
            lines_for(row.instance, widths[3]),
            lines_for(row.detail, widths[7]),
        )
        sheet.row_dimensions[line].height = LINE_HEIGHT * lines + 4
        excel.append(sheet, cells)
        line += 1


# --- Layout ---------------------------------------------------------------------------------------


def _printed_sheet(
    book: Workbook, title: str, widths: Sequence[float], *, header_rows: int, header_from: int = 3
) -> WriteOnlyWorksheet:
    """A sheet for A4 landscape, one page across, the header rows on every page."""
    sheet = book.create_sheet(title)
    excel.set_widths(sheet, widths)
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = 9  # A4 in the OOXML paper size codes
    setup.fitToWidth, setup.fitToHeight = 1, 0  # one page across, as many down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    if header_rows:
        sheet.print_title_rows = f"{header_from}:{header_from + header_rows - 1}"
    margins = sheet.page_margins
    margins.left = margins.right = 0.4
    margins.top = margins.bottom = 0.5  # inches; the footer's page number sits in the bottom one
    margins.header = margins.footer = 0.25
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    return sheet


def _heading(sheet: WriteOnlyWorksheet, title: str, width: int) -> None:
    sheet.merged_cells.add(f"A1:{get_column_letter(width)}1")
    heading = excel.cell(sheet, title)
    heading.font = Font(size=16, bold=True)
    heading.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    excel.append(sheet, [heading])


def _subheading(sheet: WriteOnlyWorksheet, widths: Sequence[float], parts: tuple[str, str, str]) -> None:
    """Row 2 in three parts: who fills it in (left), the date (middle), the unit of count (right),
    each given as many columns as its text needs (``fit_widths`` made room for all three)."""
    count = len(widths)
    left = _columns_for(widths, parts[0], reserve=2)
    right = _columns_for(list(reversed(widths[left:])), parts[2], reserve=1) if parts[2] else 0
    spans = [(1, left), (left + 1, count - right), (count - right + 1, count)]
    row: list[Any] = []
    for (start, end), text, align in zip(spans, parts, ("left", "center", "right"), strict=True):
        if end < start:
            continue
        if end > start:
            sheet.merged_cells.add(f"{get_column_letter(start)}2:{get_column_letter(end)}2")
        part = excel.cell(sheet, text)
        part.alignment = Alignment(horizontal=align, vertical="center", shrink_to_fit=True)
        row += [part] + [None] * (end - start)
    sheet.row_dimensions[2].height = LINE_HEIGHT + 6
    excel.append(sheet, row)


def _columns_for(widths: Sequence[float], text: str, *, reserve: int) -> int:
    """How many of ``widths`` (from the first) ``text`` needs, leaving ``reserve`` for the rest."""
    need, taken, room = text_width(text) + 2, 0, 0.0
    while taken < len(widths) - reserve and room < need:
        room += widths[taken]
        taken += 1
    return max(taken, 1)


def fit_widths(widths: list[float], parts: Sequence[str], *, first: int = 1) -> list[float]:
    """The widths, the columns from ``first`` on widened evenly where the line under the title
    would not fit in one line across the table (a narrow table, a long organization name)."""
    need = sum(text_width(part) + 4 for part in parts)
    short = need - sum(widths)
    if short <= 0 or first >= len(widths):
        return widths
    extra = math.ceil(short / (len(widths) - first))
    return [*widths[:first], *(width + extra for width in widths[first:])]


def _signature(sheet: WriteOnlyWorksheet, row: int, widths: Sequence[float]) -> None:
    """The signature line after a blank row, across the table (wrapped where the table is narrower)."""
    excel.append(sheet, [])
    sheet.merged_cells.add(f"A{row}:{get_column_letter(len(widths))}{row}")
    sheet.row_dimensions[row].height = LINE_HEIGHT * lines_for(SIGNATURE, sum(widths) * 0.9) + 12
    line = excel.cell(sheet, SIGNATURE)
    line.font = Font(size=12)
    line.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    excel.append(sheet, [line])


def _boxed(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False, align: str = "center") -> Cell:
    cell = excel.cell(sheet, None if value == "" else value)
    cell.border = _BOX
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    if bold:
        cell.font = Font(bold=True)
    return cell


def _number(sheet: WriteOnlyWorksheet, value: int | None) -> Cell:
    """A figure as an integer (so the sheet can be summed), right-aligned as the forms print them."""
    cell = _boxed(sheet, value, align="right")
    if value is not None:
        cell.number_format = "0"
    return cell
