"""The dues registers for print (openpyxl, write-only), laid out for A4 landscape: the title, the
organization and the period, the column headers (repeated on every printed page), a totals row
and the signature line; one page across, as many down as needed, page numbers in the footer.

- 党费收缴登记表 (``register_workbook``): a branch's month, one row per member in its ledger that
  month (a member without a basis has no ledger row): category, base, the monthly amount, what
  was paid on the month, when and against which receipt, what is outstanding on the month and in
  all up to it (累计欠交).
- 党费收缴汇总表 (``summary_workbook``): a committee's year, for each branch under it the dues owed,
  paid and outstanding in each month and the year, and the part collected (收缴率).

Amounts are written as numbers in yuan (two decimals shown), so that the sheet can be summed.
Callers pass what they read through the scope (``register_rows``, ``summary_rows``)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, Sum
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from dangjian.core import excel, scope
from dangjian.orgs.models import Organization

from . import rules
from .models import DuesEntry, DuesMonth, PaymentKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class ExportResponse(HttpResponse):
    rows: int = 0


# --- 党费收缴登记表 -------------------------------------------------------------------------------

REGISTER_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 5),
    ("姓名", 9),
    ("党费类别", 17),
    ("交纳基数（元）", 11),
    ("每月应交（元）", 10),
    ("本月已交（元）", 10),
    ("交纳日期", 11),
    ("收据或交易单号", 22),
    ("本月未交（元）", 10),
    ("累计欠交（元）", 10),
    ("备注", 12),
)


@dataclass(frozen=True)
class RegisterRow:
    """One member on the branch's month."""

    name: str
    category: str
    base: Decimal | None
    owed: int  # fen
    paid: int
    paid_on: list[dt.date]
    receipts: list[str]
    behind: int  # outstanding on this month and every earlier one
    note: str

    @property
    def outstanding(self) -> int:
        return max(self.owed - self.paid, 0)


def register_rows(user: Any, organization: Organization, month: dt.date) -> list[RegisterRow]:
    """The branch's ledger rows of ``month`` that ``user`` may see, by name, with the payments
    that went to each (a reversed payment and its reversal left out) and what is owed up to it."""
    months = list(
        scope.scoped(user, DuesMonth.objects.filter(organization=organization, month=month))
        .select_related("member", "basis")
        .order_by("member__name_pinyin", "member_id")
    )
    member_ids = [row.member_id for row in months]
    behind = dict(
        scope.scoped(user, DuesMonth.objects.filter(member_id__in=member_ids, month__lte=month, paid__lt=F("owed")))
        .order_by()
        .values("member_id")
        .annotate(total=Sum(F("owed") - F("paid")))
        .values_list("member_id", "total")
    )
    payments: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    entries = (
        DuesEntry.objects.filter(month__in=[row.pk for row in months], amount__gt=0)
        .filter(Q(payment__reversed_by__isnull=True), ~Q(payment__kind=PaymentKind.REVERSAL))
        .order_by("payment__paid_on", "payment_id")
        .values_list("month_id", "payment__paid_on", "payment__receipt")
    )
    for month_id, paid_on, receipt in entries:
        payments[month_id].append((paid_on, receipt))
    found = []
    for row in months:
        basis = row.basis
        paid = payments.get(row.pk, [])
        found.append(
            RegisterRow(
                name=row.member.name,
                category=rules.Category(basis.category).label,
                base=basis.base,
                owed=row.owed,
                paid=row.paid,
                paid_on=sorted({day for day, _ in paid}),
                receipts=[receipt for _, receipt in paid if receipt],
                behind=behind.get(row.member_id, 0),
                note=basis.get_relief_display() if basis.relief else "",
            )
        )
    return found


def register_workbook(
    organization: Organization, month: dt.date, rows: list[RegisterRow], *, today: dt.date, filename: str
) -> ExportResponse:
    """党费收缴登记表 of a branch's month."""
    workbook, sheet = _printed_sheet("党费收缴登记表", REGISTER_COLUMNS)
    width = len(REGISTER_COLUMNS)
    _heading(sheet, "党费收缴登记表", width)
    period = f"所属月份：{month.year}年{month.month}月"
    _subheading(sheet, width, f"党支部：{organization.name}", period, f"制表日期：{today:%Y-%m-%d}")
    excel.append(sheet, [_boxed(sheet, header, bold=True) for header, _ in REGISTER_COLUMNS])
    for number, row in enumerate(rows, start=1):
        values = [
            number,
            row.name,
            row.category,
            _money(sheet, row.base) if row.base is not None else _boxed(sheet, "—"),
            _money(sheet, row.owed),
            _money(sheet, row.paid),
            "\n".join(f"{day:%Y-%m-%d}" for day in row.paid_on),
            "\n".join(row.receipts),
            _money(sheet, row.outstanding),
            _money(sheet, row.behind),
            row.note,
        ]
        excel.append(sheet, [value if isinstance(value, Cell) else _boxed(sheet, value) for value in values])
    totals = [
        "",
        "合计",
        f"{len(rows)}人",
        "",
        _money(sheet, sum(row.owed for row in rows), bold=True),
        _money(sheet, sum(row.paid for row in rows), bold=True),
        "",
        "",
        _money(sheet, sum(row.outstanding for row in rows), bold=True),
        _money(sheet, sum(row.behind for row in rows), bold=True),
        "",
    ]
    excel.append(sheet, [v if isinstance(v, Cell) else _boxed(sheet, v, bold=True) for v in totals])
    _signatures(sheet, ("收款人（签字）：", "经办人（签字）：", "日期：　　年　　月　　日"), width)
    return _attachment(workbook, filename, len(rows))


# --- 党费收缴汇总表 -------------------------------------------------------------------------------

MONTHS = range(1, 13)
SUMMARY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 5),
    ("党组织", 24),
    ("项目", 6),
    *((f"{month}月", 8.5) for month in MONTHS),
    ("全年", 10),
    ("收缴率", 8),
)
LINES = (("owed", "应交"), ("paid", "已交"), ("outstanding", "未交"))


@dataclass
class SummaryRow:
    """One branch's year: owed and paid (fen) by month (1 to 12)."""

    name: str
    path: str
    owed: dict[int, int] = field(default_factory=dict)
    paid: dict[int, int] = field(default_factory=dict)

    def amount(self, line: str, month: int | None = None) -> int:
        """``line`` (owed, paid, outstanding) for a month, or the year when ``month`` is None."""
        months = MONTHS if month is None else [month]
        owed = sum(self.owed.get(m, 0) for m in months)
        paid = sum(self.paid.get(m, 0) for m in months)
        return {"owed": owed, "paid": paid, "outstanding": max(owed - paid, 0)}[line]

    @property
    def rate(self) -> str:
        owed = self.amount("owed")
        return f"{self.amount('paid') * 100 / owed:.1f}%" if owed else "—"


def summary_rows(user: Any, organization: Organization, year: int) -> list[SummaryRow]:
    """Each branch under ``organization`` with ledger rows in ``year`` that ``user`` may see, in
    the tree's order."""
    found: dict[int, SummaryRow] = {}
    totals = (
        scope.scoped(user, DuesMonth.objects.filter(org_path__startswith=organization.path, month__year=year))
        .order_by()
        .values("organization_id", "organization__name", "org_path", "month")
        .annotate(owed=Sum("owed"), paid=Sum("paid"))
    )
    for row in totals:
        branch = found.setdefault(row["organization_id"], SummaryRow(row["organization__name"], row["org_path"]))
        month = row["month"].month
        branch.owed[month] = branch.owed.get(month, 0) + (row["owed"] or 0)
        branch.paid[month] = branch.paid.get(month, 0) + (row["paid"] or 0)
    return sorted(found.values(), key=lambda branch: (branch.path, branch.name))


def summary_workbook(
    organization: Organization, year: int, rows: list[SummaryRow], *, today: dt.date, filename: str
) -> ExportResponse:
    """党费收缴汇总表 of a committee's year: three lines (应交, 已交, 未交) per branch, then the totals."""
    workbook, sheet = _printed_sheet("党费收缴汇总表", SUMMARY_COLUMNS)
    width = len(SUMMARY_COLUMNS)
    _heading(sheet, f"{year}年度党费收缴汇总表", width)
    _subheading(sheet, width, f"党组织：{organization.name}", "单位：元", f"制表日期：{today:%Y-%m-%d}")
    excel.append(sheet, [_boxed(sheet, header, bold=True) for header, _ in SUMMARY_COLUMNS])
    next_row = 4
    total = SummaryRow("合计", "")
    for number, branch in enumerate(rows, start=1):
        _summary_block(sheet, next_row, number, branch)
        next_row += len(LINES)
        for month in MONTHS:
            total.owed[month] = total.owed.get(month, 0) + branch.owed.get(month, 0)
            total.paid[month] = total.paid.get(month, 0) + branch.paid.get(month, 0)
    _summary_block(sheet, next_row, None, total)
    _signatures(sheet, ("经办人（签字）：", "审核人（签字）：", "日期：　　年　　月　　日"), width)
    return _attachment(workbook, filename, len(rows))


def _summary_block(sheet: WriteOnlyWorksheet, first: int, number: int | None, branch: SummaryRow) -> None:
    """A branch's three lines from row ``first``; its number, name and rate span the three."""
    bold = number is None
    last = first + len(LINES) - 1
    # Never overlapping ranges: Excel refuses to open a sheet whose merged cells overlap.
    for span in ("A", "B") if number is not None else ("A:B",):
        start, _, end = span.partition(":")
        sheet.merged_cells.add(f"{start}{first}:{end or start}{last}")
    rate_column = get_column_letter(len(SUMMARY_COLUMNS))
    sheet.merged_cells.add(f"{rate_column}{first}:{rate_column}{last}")
    for index, (line, label) in enumerate(LINES):
        head: list[Any] = [number if number is not None else "合计", branch.name if number is not None else ""]
        if index:
            head = ["", ""]
        amounts = [_money(sheet, branch.amount(line, month), bold=bold) for month in MONTHS]
        rate = branch.rate if index == 0 else ""
        cells = [
            *(_boxed(sheet, value, bold=bold) for value in head),
            _boxed(sheet, label, bold=bold),
            *amounts,
            _money(sheet, branch.amount(line), bold=True),
            _boxed(sheet, rate, bold=bold),
        ]
        excel.append(sheet, cells)


# --- Layout -------------------------------------------------------------------------------------


def _printed_sheet(title: str, columns: tuple[tuple[str, float], ...]) -> tuple[Workbook, WriteOnlyWorksheet]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    excel.set_widths(sheet, [chars for _, chars in columns])
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = 9  # A4 in the OOXML paper size codes
    setup.fitToWidth, setup.fitToHeight = 1, 0  # one page across, as many down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = "3:3"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    return workbook, sheet


def _heading(sheet: WriteOnlyWorksheet, title: str, width: int) -> None:
    sheet.merged_cells.add(f"A1:{get_column_letter(width)}1")
    heading = excel.cell(sheet, title)
    heading.font = Font(size=16, bold=True)
    heading.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    excel.append(sheet, [heading])


def _subheading(sheet: WriteOnlyWorksheet, width: int, left: str, middle: str, right: str) -> None:
    """The organization, the period and the day: three parts of row 2 (a third of the columns each)."""
    third = max(width // 3, 1)
    spans = [(1, third), (third + 1, 2 * third), (2 * third + 1, width)]
    row: list[Any] = []
    for (start, end), (text, align) in zip(spans, ((left, "left"), (middle, "center"), (right, "right")), strict=True):
        sheet.merged_cells.add(f"{get_column_letter(start)}2:{get_column_letter(end)}2")
        part = excel.cell(sheet, text)
        part.alignment = Alignment(horizontal=align, vertical="center")
        row += [part] + [None] * (end - start)
    excel.append(sheet, row)


def _signatures(sheet: WriteOnlyWorksheet, parts: tuple[str, str, str], width: int) -> None:
    excel.append(sheet, [])
    third = max(width // 3, 1)
    row: list[Any] = []
    for text in parts:
        part = excel.cell(sheet, text)
        part.font = Font(size=12)
        row += [part] + [None] * (third - 1)
    excel.append(sheet, row)


def _boxed(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False) -> Cell:
    cell = excel.cell(sheet, None if value == "" else value)
    cell.border = _BOX
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if bold:
        cell.font = Font(bold=True)
    return cell


def _money(sheet: WriteOnlyWorksheet, amount: int | Decimal, *, bold: bool = False) -> Cell:
    """Fen (an int) or yuan (a Decimal, a base) as a number of yuan with two decimals."""
    value = Decimal(amount).scaleb(-2) if isinstance(amount, int) else amount
    cell = _boxed(sheet, value, bold=bold)
    cell.number_format = MONEY_FORMAT
    cell.alignment = Alignment(horizontal="right", vertical="center")
    return cell


def _attachment(workbook: Workbook, filename: str, rows: int) -> ExportResponse:
    response = ExportResponse(content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    workbook.save(response)
    response.rows = rows
    return response
