"""Import of a payment list (党费交纳明细): the file a bank or payment platform exports, an Excel
workbook (.xlsx) or a CSV file, each row a payment recorded through ``services.record_payment``:
every row, or (any problem) none.

- Columns are found by their header (any order, the usual names of banks' and platforms' exports,
  title lines above the header allowed): 姓名, 身份证号 or 身份证后6位, 金额, 交纳日期, 交易单号,
  and an optional 说明 (the reason a back-payment of more than six months needs).
- A row names its member among those the importer may write: by the ID number (its keyed hash,
  as members are looked up), or by the name and the ID number's last six characters; a name
  alone is refused as ambiguous. A member outside the scope reads exactly like none.
- Every row is checked, then recorded in one transaction that is rolled back unless every row
  passed, so the services' own rules (the receipt not yet used, not more than owed, the date)
  apply and the report names every problem of the file at once.
- What a workbook holds is read by ``core.excel.read_sheet`` (bounded memory whatever the file);
  a sheet with formulas is refused (the cached values are not what the importer saw); the size,
  the unpacked size and the number of rows are bounded.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from xml.etree import ElementTree

from django.db import transaction
from django.utils import timezone

from dangjian.core import audit, scope, sheet_pieces
from dangjian.core.crypto import lookup_hash
from dangjian.core.dates import DateKind, date_problem
from dangjian.core.errors import DomainError
from dangjian.core.excel import UNREADABLE, FileProblem, Problem, cell_date, cell_text, read_sheet, unpacked_size
from dangjian.core.idnumber import InvalidIdNumber, mask_id_number, parse_id_number
from dangjian.core.models import Event
from dangjian.core.text import text_problem
from dangjian.members.models import Member

from . import rules, services
from .models import Method

MAX_UPLOAD_BYTES = 5 * 2**20
MAX_UNPACKED_BYTES = 40 * 2**20  # a sheet's XML: far more than MAX_ROWS rows of a payment list
MAX_ROWS = 1000
CHUNK = 500  # values per IN (...) query, well under every database's parameter limit
HEADER_SEARCH_ROWS = 10  # an export may put a title and the account above its header row
METHODS = (Method.BANK, Method.WECHAT, Method.ALIPAY)

NAME, ID_NUMBER, ID_TAIL, AMOUNT, PAID_ON, RECEIPT, REASON = (
    "姓名",
    "身份证号",
    "身份证后6位",
    "金额",
    "交纳日期",
    "交易单号",
    "说明",
)
# The names the exports of banks and platforms give each column (compared without spaces, the
# full-width brackets read as half-width ones).
ALIASES: dict[str, tuple[str, ...]] = {
    NAME: ("姓名", "党员姓名", "户名", "交款人", "交款人姓名"),
    ID_NUMBER: ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证"),
    ID_TAIL: ("身份证后6位", "身份证后六位", "身份证号后6位", "身份证号码后6位", "证件号码后6位"),
    AMOUNT: ("金额", "金额(元)", "交纳金额", "缴费金额", "交易金额", "交易金额(元)", "收款金额"),
    PAID_ON: ("交纳日期", "缴费日期", "交易日期", "交易时间", "支付时间", "日期"),
    RECEIPT: ("交易单号", "交易流水号", "流水号", "交易号", "订单号", "商户订单号", "支付单号"),
    REASON: ("说明", "备注"),
}
REQUIRED = (NAME, AMOUNT, PAID_ON, RECEIPT)
FIELD_COLUMN = {"amount": AMOUNT, "paid_on": PAID_ON, "receipt": RECEIPT, "reason": REASON, "member": NAME}
NOT_FOUND = "在您的管理范围内没有姓名和身份证号与此相符的党员"
NO_ROWS = "文件中没有交纳记录"
UNREADABLE_HERE = "文件无法读取：请上传 Excel（.xlsx）文件或 CSV 文件（.xls 请先另存为 .xlsx）"
CSV_UNREADABLE = "CSV 文件无法读取：请使用 UTF-8 或 GBK 编码的逗号分隔文件，或上传 .xlsx 文件"
_TAIL = re.compile(r"^\d{5}[\dX]$")
_MAIN = f"{{{sheet_pieces.MAIN}}}"


def _header_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


HEADER_OF = {_header_key(alias): column for column, aliases in ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class Recorded:
    """A row written: the payment and the months it went to."""

    row: int
    name: str
    amount: int  # fen
    paid_on: dt.date
    receipt: str
    months: list[dt.date]
    extra: int  # fen beyond the months (a voluntary extra)

    @property
    def yuan(self) -> str:
        return rules.yuan(self.amount)


@dataclass
class ImportReport:
    rows: int = 0  # data rows read
    problems: list[Problem] = field(default_factory=list)
    recorded: list[Recorded] = field(default_factory=list)  # empty unless written

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_rows(self) -> int:
        return len({problem.row for problem in self.problems if problem.row is not None})

    @property
    def total(self) -> str:
        return rules.yuan(sum(row.amount for row in self.recorded))


@dataclass
class _Line:
    """A data row on its way to a payment."""

    number: int
    cells: dict[str, Any]
    formula: bool = False  # the row holds a formula
    name: str = ""
    id_number: str = ""
    id_tail: str = ""
    amount: Decimal | None = None
    paid_on: dt.date | None = None
    receipt: str = ""
    reason: str = ""
    member: Member | None = None


def import_payments(*, actor: Any, file: IO[bytes], filename: str, method: str) -> ImportReport:
    """Record each row of an uploaded payment list as a payment by ``method``: all of them, or
    (any problem) none, the report naming each wrong row and why."""
    scope.require_role(actor, lambda role: role.writes_members, "导入党费交纳明细")
    report = ImportReport()
    if method not in [m.value for m in METHODS]:
        report.problems = [Problem(None, "", "", "请选择交纳方式：银行转账、微信或支付宝")]
        return report
    try:
        lines = read_lines(file, filename)
    except FileProblem as error:
        report.problems = [
            Problem(None, "", "", UNREADABLE_HERE) if problem.reason == UNREADABLE else problem
            for problem in error.problems
        ]
        return report
    report.rows = len(lines)
    problems = _Problems()
    for line in lines:
        _parse(line, problems)
    _same_receipts(lines, problems)
    _match_members(actor, lines, problems)
    usable = [line for line in lines if line.number not in problems.rows and line.member is not None]
    with transaction.atomic():
        outcomes = services.record_payments(
            actor=actor,
            payments=[
                {
                    "member": line.member,
                    "amount": line.amount,
                    "paid_on": line.paid_on,
                    "method": method,
                    "receipt": line.receipt,
                    "reason": line.reason,
                }
                for line in usable
            ],
        )
        for line, outcome in zip(usable, outcomes, strict=True):
            if isinstance(outcome, DomainError):
                for name, messages in outcome.errors.items():
                    for message in messages:
                        problems.add(line, FIELD_COLUMN.get(name or "", ""), message)
        if problems.items:  # a row the services refused, or one refused before them: nothing stays
            transaction.set_rollback(True)
            report.problems = problems.sorted()
            return report
        report.recorded = [_recorded(line, outcome) for line, outcome in zip(usable, outcomes, strict=True)]
        audit.record(Event.IMPORT, actor=actor, details={"what": "党费交纳明细", "rows": len(report.recorded)})
    return report


# --- Reading ------------------------------------------------------------------------------------


def read_lines(file: IO[bytes], filename: str) -> list[_Line]:
    """The data rows of the upload by column, blank rows skipped; ``FileProblem`` if it is not a
    readable sheet with the columns needed, holds formulas or more than ``MAX_ROWS`` rows."""
    if filename.lower().endswith(".csv"):
        return _lines(_csv_rows(file), set())
    size = unpacked_size(file)  # FileProblem: not a workbook
    if size > MAX_UNPACKED_BYTES:
        limit = MAX_UNPACKED_BYTES // 2**20
        raise FileProblem([Problem(None, "", "", f"文件解压后超过{limit}MB，请只保留交纳明细后再上传")])
    formulas = _formula_rows(file)
    rows = read_sheet(file, "").rows
    try:
        return _lines(rows, formulas)
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()  # a sheet read in pieces removes its temporary copy


def _lines(rows: Iterator[tuple[int, Sequence[Any]]], formulas: set[int]) -> list[_Line]:
    columns: dict[str, int] | None = None
    found: list[_Line] = []
    for number, values in rows:
        if _blank(values):
            continue
        if columns is None:
            columns = _columns(number, values)
            continue
        if len(found) == MAX_ROWS:
            raise FileProblem([Problem(number, "", "", f"一次最多导入{MAX_ROWS}行，请分成几个文件")])
        cells = {column: values[index] if index < len(values) else None for column, index in columns.items()}
        found.append(_Line(number, cells, formula=number in formulas))
    if columns is None:
        columns_needed = "、".join((*REQUIRED, f"{ID_NUMBER}（或{ID_TAIL}）"))
        raise FileProblem([Problem(None, "", "", f"没有找到列名行：表的前几行中应有一行列名，包括{columns_needed}")])
    if not found:
        raise FileProblem([Problem(None, "", "", NO_ROWS)])
    return found


def _columns(number: int, values: Sequence[Any]) -> dict[str, int] | None:
    """The column of each header in this row, if it is the header row (it names 姓名 and 金额
    among the first ``HEADER_SEARCH_ROWS`` rows); ``FileProblem`` for a header row lacking some."""
    found: dict[str, int] = {}
    problems = []
    for index, value in enumerate(values):
        title = _clean(cell_text(value))
        column = HEADER_OF.get(_header_key(title))
        if column is None:
            continue
        if column in found:
            problems.append(Problem(number, title, title, f"列“{title}”重复（同为{column}列）"))
        else:
            found[column] = index
    if NAME not in found or AMOUNT not in found:
        if number >= HEADER_SEARCH_ROWS:
            raise FileProblem([Problem(None, "", "", f"前{HEADER_SEARCH_ROWS}行中没有列名行（须有“姓名”和“金额”列）")])
        return None
    problems += [Problem(number, column, "", f"缺少列“{column}”") for column in REQUIRED if column not in found]
    if ID_NUMBER not in found and ID_TAIL not in found:
        problems.append(Problem(number, ID_NUMBER, "", f"缺少列“{ID_NUMBER}”或“{ID_TAIL}”：仅凭姓名无法确定是哪位党员"))
    if problems:
        raise FileProblem(problems)
    return found


def _csv_rows(file: IO[bytes]) -> Iterator[tuple[int, Sequence[Any]]]:
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileProblem([Problem(None, "", "", f"文件不能超过{MAX_UPLOAD_BYTES // 2**20}MB")])
    for encoding in ("utf-8-sig", "gb18030"):  # what Excel and the banks' systems save
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem([Problem(None, "", "", CSV_UNREADABLE)])
    if "\x00" in text:
        raise FileProblem([Problem(None, "", "", CSV_UNREADABLE)])
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            yield number, values
    except csv.Error:
        reason = "CSV 文件格式有误（引号不配对或单元格过长），请检查后重新导出"
        raise FileProblem([Problem(number + 1, "", "", reason)]) from None


def _formula_rows(file: IO[bytes]) -> set[int]:
    """The rows of the first sheet holding a formula (read from the sheet's XML as a stream; a
    part that cannot be read is left to ``read_sheet`` to refuse)."""
    rows: set[int] = set()
    try:
        with zipfile.ZipFile(file) as archive:
            source = sheet_pieces.locate(archive, "")
            if source is None:
                return rows
            with archive.open(source.sheet) as part:
                current = 0
                for event, element in ElementTree.iterparse(part, events=("start", "end")):
                    if event == "start" and element.tag == f"{_MAIN}row":
                        raw = element.get("r", "")
                        current = int(raw) if raw.isdecimal() else current + 1
                    elif event == "end" and element.tag == f"{_MAIN}c":
                        if element.find(f"{_MAIN}f") is not None:
                            rows.add(current)
                        element.clear()
    except (*sheet_pieces.UNUSUAL, OSError, RuntimeError):
        return rows
    finally:
        file.seek(0)
    return rows


def _blank(values: Sequence[Any]) -> bool:
    return all(cell_text(value) == "" for value in values)


def _clean(text: str) -> str:
    """A cell as exported: WeChat Pay writes ```4200…``, others ``'4200…`` or ``="4200…"`` to keep
    a long number as text."""
    text = text.strip()
    if text.startswith('="') and text.endswith('"') and len(text) >= 3:
        text = text[2:-1]
    return text.lstrip("`'\t").strip()


# --- Checking -----------------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.rows: set[int] = set()

    def add(self, line: _Line, column: str, reason: str, value: str | None = None) -> None:
        shown = value if value is not None else _clean(cell_text(line.cells.get(column))) if column else ""
        self.items.append(Problem(line.number, column, shown, reason))
        self.rows.add(line.number)

    def sorted(self) -> list[Problem]:
        order = {column: index for index, column in enumerate(ALIASES)}
        return sorted(self.items, key=lambda p: (p.row or 0, order.get(p.column, len(order))))


def _parse(line: _Line, problems: _Problems) -> None:
    """The row's cells as a payment; format problems go to the report."""
    if line.formula:
        problems.add(line, "", "该行含有公式：请将表格复制后“选择性粘贴为数值”，再上传")
        return
    for column in (NAME, ID_NUMBER, ID_TAIL, RECEIPT, REASON):
        text = _clean(cell_text(line.cells.get(column)))
        if problem := text_problem(text, name=column == NAME):
            problems.add(line, column, f"{column}{problem}", value="")
            return
    line.name = _clean(cell_text(line.cells.get(NAME)))
    if not line.name:
        problems.add(line, NAME, "请填写姓名")
    _identity(line, problems)
    line.amount = _amount(line, problems)
    line.paid_on = _paid_on(line, problems)
    line.receipt = _receipt(line, problems)
    line.reason = _clean(cell_text(line.cells.get(REASON)))
    if len(line.reason) > 200:
        problems.add(line, REASON, "说明不能超过200个字")


def _identity(line: _Line, problems: _Problems) -> None:
    raw = _clean(cell_text(line.cells.get(ID_NUMBER)))
    tail = _clean(cell_text(line.cells.get(ID_TAIL))).upper()
    if raw:
        try:
            line.id_number = parse_id_number(raw, today=timezone.localdate()).number
        except InvalidIdNumber as error:
            problems.add(line, ID_NUMBER, str(error), value=mask_id_number(raw))
        return
    if tail:
        tail = unicodedata.normalize("NFKC", tail)
        if _TAIL.match(tail):
            line.id_tail = tail
        else:
            problems.add(line, ID_TAIL, "身份证后6位应为6位数字（最后一位可为X）")
        return
    problems.add(line, ID_NUMBER, f"请填写{ID_NUMBER}或{ID_TAIL}：仅凭姓名无法确定是哪位党员", value="")


def _amount(line: _Line, problems: _Problems) -> Decimal | None:
    value = line.cells.get(AMOUNT)
    if isinstance(value, bool):
        value = None
    if isinstance(value, int | float):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        text = _clean(cell_text(value))
        for mark in ("¥", "￥", "元", ",", "，", " "):
            text = text.replace(mark, "")
    if not text:
        problems.add(line, AMOUNT, "请填写金额")
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        problems.add(line, AMOUNT, "金额应为数字，如 81.00")
        return None
    if not amount.is_finite() or amount <= 0:
        problems.add(line, AMOUNT, "金额应大于0（退款、冲正不能导入）")
        return None
    if amount >= Decimal("100000000") or amount != amount.quantize(rules.FEN):
        problems.add(line, AMOUNT, "金额应为精确到分、不超过一亿元的数")
        return None
    return amount.quantize(rules.FEN)


def _paid_on(line: _Line, problems: _Problems) -> dt.date | None:
    value = line.cells.get(PAID_ON)
    if isinstance(value, str):
        value = _clean(value).replace("T", " ").split(" ")[0]  # a time of day after the date
    if value in (None, ""):
        problems.add(line, PAID_ON, "请填写交纳日期")
        return None
    try:
        day = cell_date(value)
    except (ValueError, OverflowError) as error:
        problems.add(line, PAID_ON, str(error))
        return None
    if problem := date_problem(day, DateKind.EVENT, timezone.localdate(), "交纳日期"):
        problems.add(line, PAID_ON, problem)
        return None
    return day


def _receipt(line: _Line, problems: _Problems) -> str:
    value = line.cells.get(RECEIPT)
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e15:
        # Excel keeps 15 significant digits: a transaction number stored as a number has lost its end.
        problems.add(line, RECEIPT, "交易单号被存成了数字，末尾几位可能已丢失：请将该列设为文本后重新导出")
        return ""
    receipt = _clean(cell_text(value))
    if not receipt:
        problems.add(line, RECEIPT, "请填写交易单号（用于防止重复登记）")
    elif len(receipt) > 64:
        problems.add(line, RECEIPT, "交易单号不能超过64个字符")
        return ""
    return receipt


def _same_receipts(lines: list[_Line], problems: _Problems) -> None:
    first: dict[str, int] = {}
    for line in lines:
        if not line.receipt:
            continue
        if line.receipt in first:
            problems.add(line, RECEIPT, f"交易单号与第{first[line.receipt]}行重复")
        else:
            first[line.receipt] = line.number


def _match_members(actor: Any, lines: list[_Line], problems: _Problems) -> None:
    """Each row's member among those the actor may write; one answer for a member outside the
    scope and for none."""
    members = scope.scoped(actor, Member.objects.all(), to_write=True)
    hashes = sorted({lookup_hash(line.id_number) for line in lines if line.id_number})
    by_hash = {
        member.id_hash: member
        for start in range(0, len(hashes), CHUNK)
        for member in members.filter(id_hash__in=hashes[start : start + CHUNK])
    }
    names = {line.name for line in lines if line.id_tail}
    tails = {line.id_tail[-4:] for line in lines if line.id_tail}
    candidates = list(members.filter(name__in=names, id_tail__in=tails)) if names else []
    for line in lines:
        if line.number in problems.rows:
            continue
        if line.id_number:
            member = by_hash.get(lookup_hash(line.id_number))
            if member is None:
                problems.add(line, ID_NUMBER, NOT_FOUND, value=mask_id_number(line.id_number))
            elif member.name != line.name:
                problems.add(line, NAME, "姓名与身份证号不符，请核对")
            else:
                line.member = member
            continue
        found = [m for m in candidates if m.name == line.name and m.id_number.endswith(line.id_tail)]
        if not found:
            problems.add(line, ID_TAIL, NOT_FOUND)
        elif len(found) > 1:
            problems.add(line, ID_TAIL, "有多名党员姓名和身份证后6位都相同，请填写完整的身份证号")
        else:
            line.member = found[0]


def _recorded(line: _Line, payment: Any) -> Recorded:
    assert line.member is not None
    entries = list(payment.entries.select_related("month"))
    return Recorded(
        row=line.number,
        name=line.member.name,
        amount=payment.amount,
        paid_on=payment.paid_on,
        receipt=payment.receipt,
        months=[entry.month.month for entry in entries if entry.month is not None],
        extra=sum(entry.amount for entry in entries if entry.month is None),
    )
