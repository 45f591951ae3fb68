"""Excel exports of members (openpyxl, write-only: memory stays flat however many rows).

- The list (党员信息): the current search's members in the import template's columns, coded
  fields as their Chinese labels, so a sheet can be corrected and compared, or filled for import.
- The roster (党员花名册): the printed ledger a branch keeps: a title, the date, one row per
  member in the usual columns, A4 landscape, columns fit to the page width, the header repeated
  on every printed page, page numbers in the footer.

ID and phone numbers are masked unless the caller passes ``unmasked`` (a role the security
settings allow, asking for it, recorded in the security trail by the view).
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from dangjian.core import excel
from dangjian.core.excel import workbook_with_header
from dangjian.core.idnumber import mask_id_number, mask_phone

from .imports import COLUMNS
from .models import Member

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
CHUNK = 2000
LIST_WIDTHS = {"所在党组织代码": 16, "姓名": 10, "公民身份号码": 21, "工作单位及职务": 24, "家庭住址": 28}

# The roster's columns: (header, width in characters, how to read it from a member).
ROSTER_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 5),
    ("姓名", 8),
    ("性别", 4.5),
    ("民族", 6),
    ("出生年月", 8.5),
    ("公民身份号码", 20),
    ("籍贯", 9),
    ("学历", 9),
    ("入党时间", 10.5),
    ("转正时间", 10.5),
    ("人员类别", 8.5),
    ("工作单位及职务", 18),
    ("联系电话", 12.5),
    ("所在党组织", 18),
    ("备注", 9),
)


class ExportResponse(HttpResponse):
    rows: int = 0


def _attachment(workbook: Workbook, filename: str, rows: int) -> ExportResponse:
    response = ExportResponse(content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    workbook.save(response)
    response.rows = rows
    return response


def _members(members: QuerySet[Member]) -> Iterator[Member]:
    """In the order the roster shows them: the one chosen (``sort``), else by organization."""
    order = members.query.order_by or ("org_path", "name_pinyin", "pk")
    return members.select_related("organization").order_by(*order).iterator(CHUNK)


def _numbers(member: Member, unmasked: bool) -> tuple[str, str]:
    phone = member.phone or ""
    if unmasked:
        return member.id_number, phone
    return mask_id_number(member.id_number), mask_phone(phone)


def members_workbook(members: QuerySet[Member], *, unmasked: bool, filename: str) -> ExportResponse:
    """The (already scoped and filtered) members in the import template's columns."""
    headers = [column.header for column in COLUMNS]
    workbook, sheet = workbook_with_header("党员信息", headers, [LIST_WIDTHS.get(h, 12) for h in headers])
    sheet.freeze_panes = "C2"
    rows = 0
    for member in _members(members):
        id_number, phone = _numbers(member, unmasked)
        values = {"organization_code": member.organization.code, "id_number": id_number, "phone": phone}
        excel.append(sheet, [_cell(sheet, member, column.field, values) for column in COLUMNS])
        rows += 1
    return _attachment(workbook, filename, rows)


def _cell(sheet: WriteOnlyWorksheet, member: Member, field: str, values: dict[str, str]) -> Any:
    if field in values:
        return values[field] or None
    if field == "since":
        return None  # the day the member came to the organization is on the timeline, not a column
    value = getattr(member, field)
    if field == "is_central_household":
        return "是" if value else "否"
    display = getattr(member, f"get_{field}_display", None)
    if display is not None:
        return display() or None
    if isinstance(value, dt.date):
        cell = excel.cell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    return value or None


def roster_workbook(
    members: QuerySet[Member], *, title: str, as_of: dt.date, unmasked: bool, filename: str
) -> ExportResponse:
    """党员花名册 laid out for printing on A4 landscape."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("党员花名册")
    width = len(ROSTER_COLUMNS)
    for index, (_, chars) in enumerate(ROSTER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = chars
    last = get_column_letter(width)
    sheet.merged_cells.ranges.add(f"A1:{last}1")
    sheet.merged_cells.ranges.add(f"A2:{last}2")
    heading = excel.cell(sheet, title)
    heading.font = Font(size=16, bold=True)
    heading.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    excel.append(sheet, [heading])
    subtitle = excel.cell(sheet, f"截至{as_of:%Y年%m月%d日}")
    subtitle.alignment = Alignment(horizontal="right")
    excel.append(sheet, [subtitle])
    excel.append(sheet, [_boxed(sheet, header, bold=True) for header, _ in ROSTER_COLUMNS])
    rows = 0
    for member in _members(members):
        rows += 1
        excel.append(sheet, [_boxed(sheet, value) for value in _roster_row(member, rows, unmasked)])
    excel.append(sheet, [f"合计：{rows}人"])

    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = 9  # A4 in the OOXML paper size codes
    setup.fitToWidth, setup.fitToHeight = 1, 0  # as many pages down as needed, one page across
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = "3:3"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    return _attachment(workbook, filename, rows)


_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _boxed(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    cell = excel.cell(sheet, value)
    cell.border = _BOX
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if bold:
        cell.font = Font(bold=True)
    return cell


def _roster_row(member: Member, number: int, unmasked: bool) -> list[Any]:
    id_number, phone = _numbers(member, unmasked)
    remark = member.get_status_display() if member.status != "normal" else ""
    return [
        number,
        member.name,
        member.get_gender_display(),
        member.get_ethnicity_display(),
        f"{member.birth_date:%Y.%m}",
        id_number,
        member.native_place,
        member.get_education_display(),
        f"{member.joined_date:%Y.%m.%d}",
        f"{member.regularized_date:%Y.%m.%d}" if member.regularized_date else "",
        member.get_category_display(),
        member.job,
        phone,
        member.organization.name,
        remark,
    ]
