"""What the Excel imports and exports share.

- Writing: a streamed (write-only) workbook whose one sheet starts with a bold header row and set
  column widths; drop-down lists for coded columns (template workbooks).
- Reading: the rows of one sheet with python-calamine: a large sheet in pieces parsed beside the
  caller's work (``sheet_pieces``), a small one whole; a sheet too unusual to cut and larger than
  ``WHOLE_SHEET_BYTES``, or whose cells spread further than calamine may allocate
  (``sheet_bounds``), with openpyxl's read-only mode (streaming, slow but flat in memory). Every
  import reads its workbook here.
- Reporting: ``Problem`` (row, column, value, reason), and a copy of the uploaded rows with the
  bad cells filled and a reason column appended.
"""

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineError, CalamineWorkbook

from . import sheet_bounds, sheet_pieces
from .dates import parse_date

UNREADABLE = "文件无法读取：请上传 .xlsx 格式的 Excel 文件（可先下载模板）"
# A sheet that cannot be cut into pieces (``sheet_pieces``: an unusual shape) and whose XML (with
# the shared strings) unpacks to more than this is streamed. calamine holds a whole sheet, about
# 1.5 times the XML: 150 MB is some 1.5×10^5 rows written by openpyxl (inline strings) or 3×10^5
# saved by Excel (shared strings); openpyxl's read-only mode keeps memory flat but reads some
# 4,000 rows a second.
WHOLE_SHEET_BYTES = 150 * 2**20
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")  # Excel's "bad" red
REASON_FILL = PatternFill("solid", fgColor="FFEB9C")  # Excel's "neutral" yellow
REASON_HEADER = "错误原因"
ROW_HEADER = "原表行号"
LISTS_SHEET = "可选值"  # the hidden sheet holding drop-down lists too long to write inline
# Excel's limit on a list typed into the validation itself is 255 characters; counted in UTF-8
# bytes here, as WPS and older Excel count Chinese characters as more than one.
INLINE_LIST_LIMIT = 255


ECHO_CHARACTERS = 50  # of a bad cell, shown back in its problem (the page, the job, the marked copy's reason)
REASON_CHARACTERS = 300


def shortened(text: str, limit: int = ECHO_CHARACTERS) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…（共{len(text)}字）"


@dataclass(frozen=True)
class Problem:
    """One problem of the file; ``row`` None is the file as a whole, ``column`` "" the whole row.

    A cell can hold megabytes: what is echoed of it (its value, and the value quoted in the
    reason) is cut to ``ECHO_CHARACTERS``, so that a report stays a report."""

    row: int | None
    column: str
    value: str
    reason: str

    def __post_init__(self) -> None:
        if len(self.value) > ECHO_CHARACTERS:
            short = shortened(self.value)
            object.__setattr__(self, "reason", self.reason.replace(self.value, short))
            object.__setattr__(self, "value", short)
        if len(self.reason) > REASON_CHARACTERS:
            object.__setattr__(self, "reason", shortened(self.reason, REASON_CHARACTERS))


class FileProblem(Exception):
    """The file cannot be read as the expected sheet at all (format, columns, size)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(problem.reason for problem in problems))


def cell_text(value: Any) -> str:
    """A cell as the user sees it (numbers typed into text columns, dates without a time)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code or phone number Excel stored as a number
    return str(value).strip()


def cell_date(value: Any) -> dt.date:
    """A date cell as people fill it: a real date, text in any form ``parse_date`` reads, or a
    number. A number from 1900 to 2100 is "2005.08" typed into a General cell (year.month); an
    ambiguous one ("2005.1": January or October?) is refused. Other numbers are Excel serials."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1900 <= value < 2101:
        year = int(value)
        month = round((value - year) * 100)
        if month == 10 or not 1 <= month <= 12 or abs(value - year - month / 100) > 1e-6:
            raise ValueError(f"日期“{cell_text(value)}”被 Excel 存成了数字，无法确定月份，请按 2005-08-01 填写")
        return dt.date(year, month, 1)
    return parse_date(value)


# What XML 1.0 cannot hold (openpyxl refuses to write it: one such character stored in a name or
# an address would break every export holding it), and how a spreadsheet recognises a formula.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(sheet: WriteOnlyWorksheet, value: Any) -> WriteOnlyCell:
    """A cell to write, whatever the value holds: text without the characters XML cannot hold,
    and text a spreadsheet would take for a formula (``=HYPERLINK(…)``, ``+1``, ``@SUM``) stored
    as text with Excel's apostrophe prefix (OWASP's CSV injection advice: shown as typed, never
    evaluated, not even after the cell is edited). Every workbook the project writes makes its
    cells here or through ``append``."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS.sub("", value)
    written = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        written.data_type = "s"
        written.quotePrefix = True
    return written


def append(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """Append a row, each value through ``cell`` (styled cells made by ``cell`` pass as they are;
    the project writes no formulas, so a cell typed as one is written as text)."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, Cell):
            if value.data_type == "f":
                value.data_type = "s"
                value.quotePrefix = True
            row.append(value)
        elif isinstance(value, str) and (value.startswith(FORMULA_START) or ILLEGAL_CHARACTERS.search(value)):
            row.append(cell(sheet, value))
        else:
            row.append(value)
    sheet.append(row)


def workbook_with_header(
    title: str, headers: Sequence[str], widths: Sequence[int]
) -> tuple[Workbook, WriteOnlyWorksheet]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    set_widths(sheet, widths)
    append(sheet, header_cells(sheet, headers))
    return workbook, sheet


def set_widths(sheet: Worksheet | WriteOnlyWorksheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def header_cells(sheet: WriteOnlyWorksheet, headers: Iterable[str]) -> list[WriteOnlyCell]:
    cells = []
    for text in headers:
        header = cell(sheet, text)
        header.font = Font(bold=True)
        cells.append(header)
    return cells


def add_list_validation(sheet: Worksheet, column: int, options: Sequence[str], *, last_row: int = 10001) -> None:
    """A drop-down of ``options`` on the column's data cells (row 2 on). A list longer than Excel
    takes inline goes on a hidden sheet of the workbook, referenced by range. Other values may
    still be typed after a warning (the import reads codes as well as labels)."""
    letter = get_column_letter(column)
    inline = ",".join(options)
    if len(inline.encode()) + 2 <= INLINE_LIST_LIMIT and not any("," in option for option in options):
        formula = f'"{inline}"'
    else:
        workbook = sheet.parent
        if LISTS_SHEET in workbook.sheetnames:
            lists = workbook[LISTS_SHEET]
        else:
            lists = workbook.create_sheet(LISTS_SHEET)
            lists.sheet_state = "hidden"
        target = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value is not None else 1
        for row, option in enumerate(options, start=1):
            lists.cell(row=row, column=target, value=option)
        target_letter = get_column_letter(target)
        formula = f"{quote_sheetname(LISTS_SHEET)}!${target_letter}$1:${target_letter}${len(options)}"
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        errorStyle="warning",
        error="请从下拉列表中选择",
        errorTitle="不在可选范围内",
    )
    validation.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(validation)


@dataclass(frozen=True)
class SheetRows:
    """The rows of one sheet as (row number as Excel shows it, values); ``streaming`` tells which
    reader reads them."""

    rows: Iterator[tuple[int, Sequence[Any]]]
    streaming: bool
    last_row: int | None  # the number of the sheet's last row, as the file says (None: unknown)


def unpacked_size(file: str | IO[bytes]) -> int:
    """The bytes the workbook's sheets and shared strings unpack to (read from the zip's directory,
    nothing unpacked); ``FileProblem`` if the file is not an .xlsx at all."""
    try:
        with zipfile.ZipFile(file) as archive:
            return sum(
                info.file_size
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/") or info.filename == "xl/sharedStrings.xml"
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem([Problem(None, "", "", UNREADABLE)]) from None
    finally:
        if not isinstance(file, str):
            file.seek(0)


def read_sheet(file: str | IO[bytes], name: str, *, stream_above: int | None = None) -> SheetRows:
    """The rows of sheet ``name`` (or the first sheet), each a sequence of cell values in their
    sheet columns (column A first; None or "" when empty), blank rows maybe among them. Dates
    come as dates; numbers as numbers.

    A large sheet of the usual shape is read in pieces (``sheet_pieces``: flat memory, the first
    rows early); another is read whole by calamine up to ``WHOLE_SHEET_BYTES`` (or
    ``stream_above``) when its cells fit what calamine may allocate (``sheet_bounds``), streamed
    by openpyxl otherwise. Whatever the file holds, no reader is asked for more memory than the
    rows really there need."""
    size = unpacked_size(file)
    if (pieces := sheet_pieces.cut(file, name)) is not None:
        return SheetRows(rows=_piece_rows(pieces), streaming=True, last_row=pieces.last_row)
    if size <= (WHOLE_SHEET_BYTES if stream_above is None else stream_above) and _calamine_may_read(file, name):
        return _calamine_rows(file, name)
    return _openpyxl_rows(file, name)


def _calamine_may_read(file: str | IO[bytes], name: str) -> bool:
    """Whether calamine may read the sheet whole: the sheet is found and its cells span no more
    than ``sheet_bounds.MAX_CELLS`` (calamine allocates that rectangle before it gives a row, and
    a failed allocation aborts the process)."""
    try:
        with zipfile.ZipFile(file) as archive:
            source = sheet_pieces.locate(archive, name)
            if source is None:
                return False
            found = sheet_bounds.sheet_extent(archive, source.sheet)
            return found is None or found.fits
    except (sheet_bounds.Unbounded, *sheet_pieces.UNUSUAL):
        return False
    finally:
        if not isinstance(file, str):
            file.seek(0)


def _piece_rows(pieces: sheet_pieces.SheetPieces) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        yield from pieces.rows()
    except sheet_pieces.UnreadablePiece:
        raise FileProblem([Problem(None, "", "", UNREADABLE)]) from None


def _calamine_rows(file: str | IO[bytes], name: str) -> SheetRows:
    try:
        workbook = CalamineWorkbook.from_path(file) if isinstance(file, str) else CalamineWorkbook.from_filelike(file)
        sheet = workbook.get_sheet_by_name(name) if name in workbook.sheet_names else workbook.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError):
        raise FileProblem([Problem(None, "", "", UNREADABLE)]) from None

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        try:
            # calamine yields every row from the first (blank ones as ""), columns from the first used.
            column = sheet.start[1] if sheet.start is not None else 0
            padding = [""] * column
            for number, values in enumerate(sheet.iter_rows(), start=1):
                yield number, padding + values if column else values
        finally:
            workbook.close()

    last_row = sheet.end[0] + 1 if sheet.end is not None else 0
    return SheetRows(rows=rows(), streaming=False, last_row=last_row)


def _openpyxl_rows(file: str | IO[bytes], name: str) -> SheetRows:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        sheet = workbook[name] if name in workbook.sheetnames else workbook.worksheets[0]
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        ElementTree.ParseError,
        KeyError,
        IndexError,
        ValueError,
        OSError,
        TypeError,
    ):
        raise FileProblem([Problem(None, "", "", UNREADABLE)]) from None
    last_row = sheet.max_row  # from the stored size, if the file has one (progress only)

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        try:
            # The stored size may be wrong (or hostile: A1:XFD1048576 would pad every row to
            # 16,384 cells): read each row as far as its own cells go, to the end. Rows missing
            # from the file come as empty rows, so counting gives Excel's numbers.
            sheet.reset_dimensions()
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        except (ElementTree.ParseError, KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile):
            raise FileProblem([Problem(None, "", "", UNREADABLE)]) from None
        finally:
            workbook.close()

    return SheetRows(rows=rows(), streaming=True, last_row=last_row)


def write_annotated(
    target: IO[bytes],
    *,
    title: str,
    header: Sequence[Any],
    rows: Iterable[tuple[int, Sequence[Any]]],
    problems: Mapping[int, Sequence[tuple[int, str]]],
    only_problem_rows: bool,
) -> None:
    """A copy of an uploaded sheet for its author: the bad cells filled red, each row's reasons in
    an appended column. ``problems`` maps a row number to (column index, reason) pairs (column -1:
    the row as a whole); ``only_problem_rows`` keeps just those rows and adds their original
    numbers (very large files)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    width = len(header)
    extra = [REASON_HEADER, ROW_HEADER] if only_problem_rows else [REASON_HEADER]
    set_widths(sheet, [14] * width + [60, 10])
    sheet.freeze_panes = "A2"
    append(sheet, header_cells(sheet, [cell_text(value) for value in header] + extra))
    for number, values in rows:
        found = problems.get(number)
        if found is None and only_problem_rows:
            continue
        bad = {column for column, _ in found or ()}
        line: list[Any] = []
        for index in range(width):
            value = values[index] if index < len(values) else None
            if value == "":
                value = None
            if index in bad or isinstance(value, dt.date):
                marked = cell(sheet, value)
                if isinstance(value, dt.date):
                    marked.number_format = DATE_FORMAT
                if index in bad:
                    marked.fill = BAD_FILL
                line.append(marked)
            else:
                line.append(value)
        if found:
            reason = cell(sheet, "；".join(text for _, text in found))
            reason.fill = REASON_FILL
            reason.alignment = Alignment(wrap_text=True)
            line.append(reason)
            if only_problem_rows:
                line.append(number)
        append(sheet, line)
    workbook.save(target)
