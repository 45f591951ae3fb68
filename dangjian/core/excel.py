"""What every Excel export shares: a streamed (write-only) workbook whose one sheet starts with a
bold header row and set column widths."""

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet


def workbook_with_header(
    title: str, headers: Sequence[str], widths: Sequence[int]
) -> tuple[Workbook, WriteOnlyWorksheet]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    return workbook, sheet
