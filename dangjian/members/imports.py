"""Excel import of members (党员信息导入): the template's sheet read, every row validated, every
row created or none.

How a file goes in (DESIGN.md: nothing lost; background work; docs/members.md for the figures):

1. ``core.excel.read_sheet`` gives the rows: a large sheet in pieces that python-calamine parses
   in a thread of its own while the rows before are checked (``core.sheet_pieces``); a small or
   unusual one whole by calamine, or streamed by openpyxl when too large to hold.
2. Rows are checked in chunks of ``CHUNK``: the chunk's organization codes are resolved through
   the actor's write scope in one query, every cell is checked with the rules ``create_member``
   applies (``members.rules``, the services' limits and messages). Progress is saved after each
   chunk.
3. While no problem has been found, each checked chunk becomes rows for the tables (members
   with encrypted numbers and pinyin, their open membership and status periods), encoded for
   COPY, and goes to ``core.bulk.batches``: on PostgreSQL a thread with a connection of its own
   COPYs them in one transaction while the next chunk is checked (the database works on the
   other core); elsewhere, or inside a caller's transaction, they are kept and bulk-created at
   the end. The first problem abandons the writing: the transaction is rolled back and later
   rows are only checked.
4. ID numbers used twice in the file are found at the end, by sorting them packed as integers.
   Numbers already registered are refused by the unique index on ``id_hash`` as the rows go in;
   the registry is asked about every number of the file only when the import fails (a problem
   found, or the commit refused on ``id_hash``), so that the report names each such row. Then the
   transaction commits, or rolls back if anything at all was wrong.

Memory: a few pieces of the sheet (or calamine's whole small sheet, or openpyxl's stream); two
batches in flight (kept ones go to a temporary file when the sheet is streamed); 12 bytes a row
for the duplicate check. Every problem is counted; the first ``KEEP_PROBLEMS`` are kept for the
report. The cyclic garbage collector is paused meanwhile (``core.bulk.heavy_row_work``).
"""

import datetime as dt
import itertools
import logging
import operator
import time
import uuid
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple, TypeVar

from django.db import IntegrityError, connection
from django.db.models import Model
from django.utils import timezone

from dangjian.core import audit, scope
from dangjian.core.bulk import Batches, RowWriter, batches, heavy_row_work
from dangjian.core.crypto import encrypt_all, lookup_hashes
from dangjian.core.dates import DateKind, date_problem, date_range
from dangjian.core.enums import Degree, Education, Ethnicity, Gender, Occupation
from dangjian.core.errors import ErrorCollector
from dangjian.core.excel import (
    FileProblem,
    Problem,
    cell_date,
    cell_text,
    read_sheet,
)
from dangjian.core.idnumber import IdNumber, InvalidIdNumber, parse_id_number
from dangjian.core.models import Event
from dangjian.core.pinyin import name_keys
from dangjian.core.text import text_problem
from dangjian.orgs.models import Organization

from . import rules, services
from .models import Category, LeftReason, Member, MembershipPeriod, Status, StatusPeriod

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=Model)

SHEET = "党员信息"


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header in the template's first row
    field: str  # the create_member argument ("organization_code" and "since" are special)
    required: bool = False


# The template's columns, in order. The importer finds columns by header, so a sheet with the
# columns in another order, or with extra columns, still reads.
COLUMNS = (
    Column("所在党组织代码", "organization_code", required=True),
    Column("姓名", "name", required=True),
    Column("公民身份号码", "id_number", required=True),
    Column("性别", "gender"),
    Column("民族", "ethnicity"),
    Column("籍贯", "native_place"),
    Column("出生日期", "birth_date"),
    Column("学历", "education", required=True),
    Column("学位", "degree"),
    Column("职业类别", "occupation"),
    Column("工作单位及职务", "job"),
    Column("联系电话", "phone"),
    Column("家庭住址", "address"),
    Column("人员类别", "category", required=True),
    Column("入党日期", "joined_date", required=True),
    Column("转正日期", "regularized_date"),
    Column("党籍状态", "status"),
    Column("状态变更日期", "status_date"),
    Column("出党方式", "left_reason"),
    Column("党员中心户", "is_central_household"),
    Column("到本组织日期", "since"),
)
HEADER = {column.field: column.header for column in COLUMNS}
FIELDS = tuple(column.field for column in COLUMNS)
REQUIRED = tuple(column for column in COLUMNS if column.required)
POSITION = {column.field: index for index, column in enumerate(COLUMNS)}
COLUMN_ORDER = {column.header: index for index, column in enumerate(COLUMNS)}
REQUIRED_AT = tuple(POSITION[column.field] for column in REQUIRED)
DATES = ("birth_date", "joined_date", "regularized_date", "status_date", "since")
CHOICES: dict[str, type[Any]] = {
    "gender": Gender,
    "ethnicity": Ethnicity,
    "education": Education,
    "degree": Degree,
    "occupation": Occupation,
    "category": Category,
    "status": Status,
    "left_reason": LeftReason,
}
YES_NO = {"是": True, "否": False, "": False}
DATE_AT = tuple((name, POSITION[name]) for name in DATES)
DATE_KINDS = dict.fromkeys(DATES, DateKind.EVENT) | {"birth_date": DateKind.BIRTH}
TEXT_LIMITS = tuple(
    (name, POSITION[name], label, limit) for name, (label, limit) in services.TEXT_LIMITS.items() if name in POSITION
)
CENTRAL_AT, REGULARIZED_AT, STATUS_DATE_AT = (
    POSITION[name] for name in ("is_central_household", "regularized_date", "status_date")
)
NORMAL, HAN = Status.NORMAL.value, Ethnicity.HAN.value

CHUNK = 5000  # rows checked together: one query for their organizations, one batch of rows to write
FIRST_CHUNK = 1000
KEEP_PROBLEMS = 100_000  # problems kept in detail (for the annotated workbook); all are counted
SHOW_PROBLEMS = 1000  # of which the job keeps this many for its page
INLINE_BYTES = 2 * 2**20  # a sheet unpacking to at most this (about 2,000 rows) is imported in the request
PERIOD_REASON = "登记入册（导入）"
NO_ROWS = f"“{SHEET}”表中没有要导入的党员：请从第2行起每行填写一名党员（可参照模板中“示例”表的示例行）"
ID_ELSEWHERE = "该公民身份号码已在其他党组织登记，一人只能有一条党员记录"
RACE = "导入时有公民身份号码刚被登记为党员（可能有人同时录入了同一人），未导入任何数据，请重新上传"


class Person(NamedTuple):
    """A valid row, ready to be written."""

    row: int
    organization: int
    name: str
    id_number: str
    gender: str
    ethnicity: str
    native_place: str
    birth_date: dt.date
    education: str
    degree: str
    occupation: str
    job: str
    phone: str
    address: str
    category: str
    joined_date: dt.date
    regularized_date: dt.date | None
    status: str
    status_date: dt.date | None
    left_reason: str
    is_central_household: bool
    since: dt.date
    org_path: str


@dataclass(frozen=True)
class Place:
    """An organization a row names: where it may go, or why not."""

    pk: int
    path: str
    founded: dt.date | None


@dataclass
class ImportReport:
    rows: int = 0  # data rows read (blank rows skipped)
    created: int = 0  # members written: all rows, or none
    problem_count: int = 0
    problem_rows: int = 0
    problems: list[Problem] = field(default_factory=list)  # the first KEEP_PROBLEMS, in sheet order
    header: list[Any] = field(default_factory=list)  # the sheet's header row as read
    header_row: int = 1
    expected_rows: int = 0  # the sheet's last row number, as the file says (0: unknown)
    message: str = ""  # what went wrong with the file or the write, if not a cell
    timings: dict[str, float] = field(default_factory=dict)  # seconds: read, validate, write

    @property
    def ok(self) -> bool:
        return not self.problem_count and not self.message


Progress = Callable[["ImportReport"], None]


def import_members(*, actor: Any, file: str | IO[bytes], progress: Progress | None = None) -> ImportReport:
    """Register every member of the workbook, or (any problem) none; the report lists the problems.

    ``file`` is a path or a binary file object; ``progress(report)`` is called after each chunk
    (``report.rows`` checked so far of about ``report.expected_rows``)."""
    scope.require_role(actor, lambda role: role.writes_members, "导入党员")
    with heavy_row_work():
        return _import(actor, file, progress)


def _import(actor: Any, file: str | IO[bytes], progress: Progress | None) -> ImportReport:
    report = ImportReport()
    clock = time.perf_counter
    started = clock()
    try:
        sheet = read_sheet(file, SHEET)
    except FileProblem as error:
        _add_all(report, error.problems)
        return report
    report.timings["read"] = clock() - started
    report.expected_rows = sheet.last_row or 0
    now = timezone.now()

    def audit_entry(total: int) -> None:
        audit.record(Event.IMPORT, actor=actor, details={"what": "党员信息导入", "rows": total})

    large = sheet.streaming or report.expected_rows > CHUNK  # a thread is worth it for more than one batch
    writes = batches(_write, audit_entry, on_disk=sheet.streaming, concurrent=large)
    checker = _Checker(actor, report, writes, now)
    try:
        try:
            for chunk in _chunks(sheet.rows, report, checker):
                checker.check_chunk(chunk)
                if progress is not None:
                    progress(report)
            checker.finish()
        except FileProblem as error:
            _add_all(report, error.problems)
        if not report.rows and not report.problems:
            _add_all(report, [Problem(None, "", "", NO_ROWS)])
        report.timings["validate"] = clock() - started - report.timings["read"]
        if not report.ok:
            writes.abandon()
            return report
        started = clock()
        try:
            report.created = writes.commit()
        except IntegrityError as error:
            # A number already registered (the unique index on id_hash: each row's says where), or
            # registered meanwhile by someone else, or a rule the checks missed that a database
            # constraint holds: nothing is written.
            logger.warning("member import refused at commit: %s", error.__cause__.__class__.__name__)
            if "id_hash" not in str(error):
                report.message = "数据库拒绝了导入的数据，未导入任何数据"
            elif not checker.find_registered():
                report.message = RACE
        report.timings["write"] = clock() - started  # what is left after the checks: rows go in meanwhile
        return report
    finally:
        writes.close()


def _registered(hashes: list[uuid.UUID]) -> list[tuple[uuid.UUID, int, str, str]]:
    """(id_hash, pk, name, organization's name) of the members with these lookup hashes. SQL of its
    own: the ORM spends more time preparing 5,000 parameters than the database takes to answer."""
    quote = connection.ops.quote_name
    params: list[Any]
    postgres = connection.vendor == "postgresql"
    if postgres:
        where, params = "m.id_hash = ANY(%s)", [hashes]
    else:  # a uuid is its 32 hex digits there
        where, params = f"m.id_hash IN ({', '.join(['%s'] * len(hashes))})", [value.hex for value in hashes]
    member, organization = quote(Member._meta.db_table), quote(Organization._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.id_hash, m.id, m.name, o.name FROM {member} m "
            f"JOIN {organization} o ON o.id = m.organization_id WHERE {where}",
            params,
        )
        rows = cursor.fetchall()
    return rows if postgres else [(uuid.UUID(found), *rest) for found, *rest in rows]


def _add_all(report: ImportReport, problems: list[Problem]) -> None:
    report.problems += problems
    report.problem_count += len(problems)
    report.problem_rows += len({problem.row for problem in problems})


def _chunks(
    rows: Iterator[tuple[int, Sequence[Any]]], report: ImportReport, checker: "_Checker"
) -> Iterator[list[tuple[int, Sequence[Any]]]]:
    """The data rows in chunks, after the header (the first row that is not blank); the time spent
    reading goes to ``report.timings["read"]``."""
    clock = time.perf_counter
    started = clock()
    for number, values in rows:
        if not blank(values):
            report.header_row = number
            checker.set_header(values)
            break
    else:
        raise FileProblem([Problem(None, "", "", NO_ROWS)])
    read = report.timings["read"] + clock() - started
    size = min(FIRST_CHUNK, CHUNK)  # the database waits for the first batch: a small one gets it going sooner
    while True:
        started = clock()
        lines = list(itertools.islice(rows, size))
        size = CHUNK
        read += clock() - started
        report.timings["read"] = read
        if not lines:
            return
        if chunk := [(number, values) for number, values in lines if not blank(values)]:
            yield chunk


def blank(values: Sequence[Any]) -> bool:
    return not any(values) and all(value is None or value == "" for value in values)


class _Checker:
    """Checks rows cell by cell, with caches for what repeats (labels, dates, organizations)."""

    def __init__(self, actor: Any, report: ImportReport, writes: Batches, now: dt.datetime) -> None:
        self.actor = actor
        self.report = report
        self.now = now
        self.today = timezone.localdate(now)
        self.date_ranges = {name: date_range(kind, self.today) for name, kind in DATE_KINDS.items()}
        self.writes = writes  # the valid rows go here, until a problem is found
        self.abandoned = False
        self.indexes: list[int | None] = []
        self.width = 0
        self.places: dict[str, Place | str] = {}  # organization code → where, or why not
        self.dates: dict[Any, dt.date | str] = {}  # cell text (or class and value) → date, or why not
        self.choice_specs = [
            (name, POSITION[name], _choice_map(enum), _choice_problem(name, enum)) for name, enum in CHOICES.items()
        ]
        self.pick: Callable[[Sequence[Any]], tuple[Any, ...]] = tuple
        self.need = 0
        # ID numbers packed as integers with their row numbers: duplicates are found at the end.
        self.id_keys = array("q")
        self.id_rows = array("l")
        self.flagged = bytearray()  # rows with a problem, as a bitmap by row number
        self.ids: list[int] = []  # reserved for the next members, on PostgreSQL

    # The sheet's columns

    def set_header(self, values: Sequence[Any]) -> None:
        titles = [cell_text(value) for value in values]
        self.report.header = list(values)
        self.width = len(values)
        found: dict[str, int] = {}
        problems = []
        for index, title in enumerate(titles):
            if title in HEADER.values():
                if title in found:
                    problems.append(Problem(None, title, title, f"列“{title}”重复"))
                found.setdefault(title, index)
        for column in COLUMNS:
            if column.required and column.header not in found:
                problems.append(Problem(None, column.header, "", f"缺少列“{column.header}”：列名须与模板一致"))
        if problems:
            raise FileProblem(problems)
        self.indexes = [found.get(column.header) for column in COLUMNS]
        # A missing (optional) column reads the padding cell after the last: always empty.
        self.need = self.width + 1 if None in self.indexes else self.width
        self.pick = operator.itemgetter(*(self.width if index is None else index for index in self.indexes))

    # Problems

    def problem(self, row: int, name: str, value: Any, reason: str) -> None:
        report = self.report
        report.problem_count += 1
        if len(report.problems) < KEEP_PROBLEMS:
            report.problems.append(Problem(row, HEADER.get(name, ""), cell_text(value), reason))
        if row >= len(self.flagged):
            self.flagged.extend(bytes(max(row + 1 - len(self.flagged), CHUNK)))
        if not self.flagged[row]:
            self.flagged[row] = 1
            report.problem_rows += 1
        if not self.abandoned:
            self.abandoned = True
            self.writes.abandon()

    # Chunks

    def check_chunk(self, chunk: list[tuple[int, Sequence[Any]]]) -> None:
        self.report.rows += len(chunk)
        code_at = self.indexes[0]
        assert code_at is not None  # a required column
        self._resolve({cell_text(values[code_at]) for _, values in chunk if code_at < len(values)})
        self.chunk_ids: list[tuple[int, str]] = []  # (row, number) of the valid numbers
        people = [person for number, values in chunk if (person := self.check_row(number, values)) is not None]
        if people and not self.abandoned:
            # The rows are made ready here: the batches' writer, maybe a thread, only sends them.
            # Hashed for the whole chunk at once: a hash per row looked the key up in settings each time.
            rows, numbers = zip(*self.chunk_ids, strict=True)
            of_row = dict(zip(rows, lookup_hashes(list(numbers)), strict=True))
            ids = self._member_ids(len(people))
            self.writes.add(_encoded(_batch(people, [of_row[person.row] for person in people], ids, self.now)))

    def finish(self) -> None:
        """ID numbers used more than once in the file: every row of each, naming the others; then,
        if anything was wrong, the numbers already registered (see ``find_registered``)."""
        keys, rows = self.id_keys, self.id_rows
        order = sorted(range(len(keys)), key=keys.__getitem__)
        for key, group in itertools.groupby(order, key=keys.__getitem__):
            same = sorted(rows[index] for index in group)
            if len(same) < 2:
                continue
            number = _unpack(key)
            for row in same:
                others = "、".join(str(other) for other in same if other != row)
                self.problem(row, "id_number", number, f"公民身份号码与第{others}行重复")
        if self.abandoned:
            self.find_registered()
        self._sort_problems()

    def find_registered(self) -> int:
        """Report every number of the file already in the registry (deleted records too: the
        number stays taken); how many rows that was. Where is said only when that member is in
        the actor's scope.

        Asked only when the import will not commit anyway, or when the commit was refused: while
        rows are written, the unique index on ``id_hash`` checks each number as it goes in, and
        asking first would descend the same index twice."""
        found = 0
        for start in range(0, len(self.id_keys), CHUNK):
            numbers = [_unpack(key) for key in self.id_keys[start : start + CHUNK]]
            hashes = lookup_hashes(numbers)
            registered = {row[0]: row for row in _registered(hashes)} if hashes else {}
            if not registered:
                continue
            pks = [row[1] for row in registered.values()]
            visible = set(scope.scoped(self.actor, Member.objects.filter(pk__in=pks)).values_list("pk", flat=True))
            for row, number, id_hash in zip(self.id_rows[start : start + CHUNK], numbers, hashes, strict=True):
                if (existing := registered.get(id_hash)) is not None:
                    _, pk, name, organization = existing
                    reason = f"该公民身份号码已登记为“{organization}”的党员{name}" if pk in visible else ID_ELSEWHERE
                    self.problem(row, "id_number", number, reason)
                    found += 1
        self._sort_problems()
        return found

    def _sort_problems(self) -> None:
        self.report.problems.sort(key=lambda p: (p.row or 0, COLUMN_ORDER.get(p.column, len(COLUMNS))))

    def _resolve(self, texts: set[str]) -> None:
        """Look up the chunk's new organization cells: in the actor's write scope, or why not. A
        cell holds the code, or the code and the name as the template's drop-down offers them
        ("T1-V1 中共兴丰村支部委员会"); a name that is not the code's is refused rather than guessed."""
        wanted = sorted(texts - set(self.places) - {""})
        if not wanted:
            return
        code_of = {text: text.split(maxsplit=1)[0] for text in wanted}
        organizations = Organization.objects.filter(code__in=set(code_of.values()), deleted_at__isnull=True)
        writable = {o.code: o for o in scope.scoped(self.actor, organizations, to_write=True)}
        readable = set(scope.scoped(self.actor, organizations).values_list("code", flat=True))
        existing = set(organizations.values_list("code", flat=True))
        for text, code in code_of.items():
            named = text[len(code) :].strip()
            if (organization := writable.get(code)) is not None:
                errors = ErrorCollector()
                services._check_placement(organization, errors)
                if named and named not in (organization.name, organization.short_name):
                    self.places[text] = f"组织代码“{code}”是“{organization.name}”，与所填名称“{named}”不符，请核对"
                elif errors:
                    self.places[text] = errors.errors["organization"][0]
                else:
                    self.places[text] = Place(organization.pk, organization.path, organization.founded_date)
            elif code in readable:
                self.places[text] = f"组织代码“{code}”：{scope.SEEN_ONLY}"
            elif code in existing:
                self.places[text] = f"组织代码“{code}”不在您的管理范围内"
            else:
                self.places[text] = f"组织代码“{code}”不存在，请核对"

    def _member_ids(self, count: int) -> list[int | None]:
        """Ids for ``count`` new members: from the table's sequence on PostgreSQL, reserved several
        chunks at a time (ids left over are skipped, as a rolled-back import's are); None
        elsewhere (given on insert)."""
        writer = RowWriter()
        if not writer.postgres:
            return [None] * count
        if len(self.ids) < count:
            expected = count + max(self.report.expected_rows - self.report.rows, 0)  # this chunk and the rest
            self.ids += writer.reserve_ids(Member, max(count, min(expected, 4 * CHUNK)))
        taken, self.ids = self.ids[:count], self.ids[count:]
        return [*taken]

    # One row

    def check_row(self, row: int, values: Sequence[Any]) -> Person | None:
        """The row as a Person, or None when a cell has a problem (each one reported). Written
        for speed (10^5 rows in a second or two): plain locals, problems spelled out only when found."""
        if len(values) < self.need:
            values = [*values, *([None] * (self.need - len(values)))]
        cells = self.pick(values)
        texts = [
            value.strip() if value.__class__ is str else "" if value is None else cell_text(value) for value in cells
        ]
        report = self.report
        before = report.problem_count
        flagged: set[str] = set()  # the row's cells already reported: the rules below add no second reason

        def problem(name: str, reason: str) -> None:
            flagged.add(name)
            self.problem(row, name, cells[POSITION[name]], reason)

        (code, name, number, _, _, native_place, _, _, _, _, job, phone, address, *_) = texts
        if not all(texts[position] for position in REQUIRED_AT):
            for column in REQUIRED:
                if not texts[POSITION[column.field]]:
                    problem(column.field, f"请填写{column.header}")
        for field_name, position, label, limit in TEXT_LIMITS:
            if len(texts[position]) > limit:
                problem(field_name, f"{label}不能超过{limit}个字")
        if text_problem("".join(texts)) or text_problem(name, name=True):  # one search for the row, as a rule
            for column in COLUMNS:
                if odd := text_problem(texts[POSITION[column.field]], name=column.field == "name"):
                    problem(column.field, f"{column.header}{odd}")
        chosen: dict[str, str] = {}
        for field_name, position, mapping, message in self.choice_specs:
            if text := texts[position]:
                if (choice := mapping.get(text)) is None:
                    problem(field_name, message.format(text))
                else:
                    chosen[field_name] = choice
        dates: dict[str, dt.date] = {}
        known = self.dates
        for field_name, position in DATE_AT:
            if texts[position]:
                value = cells[position]
                parsed = known.get(value) if value.__class__ is str else None
                if parsed is None:
                    parsed = self._date(value)
                if parsed.__class__ is str:
                    problem(field_name, parsed)  # type: ignore[arg-type]
                elif self.date_ranges[field_name][0] <= parsed <= self.date_ranges[field_name][1]:  # type: ignore[operator]
                    dates[field_name] = parsed  # type: ignore[assignment]
                else:
                    label = HEADER[field_name]
                    problem(field_name, date_problem(parsed, DATE_KINDS[field_name], self.today, label) or label)  # type: ignore[arg-type]
        central = YES_NO.get(texts[CENTRAL_AT])
        if central is None:
            problem("is_central_household", "党员中心户请填写“是”或“否”")
        if phone:
            phone = rules.normalize_phone(phone)
            if reason := rules.phone_problem(phone):
                problem("phone", reason)
        idn = self._id_number(row, cells[POSITION["id_number"]], number, problem)
        birth = dates.get("birth_date")
        if birth and birth > self.today:
            problem("birth_date", "出生日期不能晚于今天")
        category = chosen.get("category", "")
        joined, regularized = dates.get("joined_date"), dates.get("regularized_date")
        # Checked with or without a valid ID number: a wrong number must not hide a 转正 date too early.
        facts = rules.MemberFacts(
            id_number=idn,
            gender=chosen.get("gender"),
            birth_date=birth,
            category=category,
            joined_date=joined,
            regularized_date=regularized,
        )
        for field_name, reason in rules.member_problems(facts, self.today).items():
            if field_name not in flagged:  # a date that did not read is not also "missing"
                problem(field_name, reason)
        status, status_date, left_reason = (
            chosen.get("status", NORMAL),
            dates.get("status_date"),
            chosen.get("left_reason", ""),
        )
        if status_date or left_reason or status != NORMAL:
            status_facts = rules.StatusFacts(
                status=status, left_reason=left_reason, date=status_date, category=category, joined_date=joined
            )
            for field_name, reason in rules.status_problems(status_facts, self.today).items():
                if field_name not in flagged:
                    problem(field_name, reason)
            if status != NORMAL and not texts[STATUS_DATE_AT]:
                problem("status_date", f"党籍状态为{Status(status).label}时，请填写状态变更日期")
        place = self.places.get(code)
        if place.__class__ is str:
            problem("organization_code", place)  # type: ignore[arg-type]
            place = None
        since = dates.get("since")
        if since is None and place is not None and joined is not None:
            since = max(joined, place.founded or joined)  # type: ignore[union-attr]  # as create_member
        if since is not None and joined is not None and since < joined:
            problem("since", "到本组织日期不能早于入党日期")
        elif since is not None and since > self.today:
            problem("since", "到本组织日期不能晚于今天")
        if report.problem_count > before:
            return None
        assert isinstance(place, Place) and idn is not None and joined is not None and since is not None
        return Person(
            row,
            place.pk,
            name,
            idn.number,
            chosen.get("gender") or rules.gender_of(idn).value,
            chosen.get("ethnicity", HAN),
            native_place,
            birth or idn.birth_date,
            chosen["education"],
            chosen.get("degree", ""),
            chosen.get("occupation", ""),
            job,
            phone,
            address,
            category,
            joined,
            regularized,
            status,
            status_date,
            left_reason,
            bool(central),
            since,
            place.path,
        )

    def _id_number(self, row: int, value: Any, text: str, problem: Callable[[str, str], None]) -> IdNumber | None:
        """The row's ID number, parsed and remembered for the duplicate checks."""
        if not text:
            return None
        if isinstance(value, float | int) and not isinstance(value, bool) and value >= 2**53:
            problem("id_number", "公民身份号码被 Excel 存成了数字，后几位已丢失：请将该列设为文本格式后重新填写")
            return None
        try:
            idn = parse_id_number(text, today=self.today)
        except InvalidIdNumber as error:
            problem("id_number", str(error))
            return None
        self.id_keys.append(_pack(idn.number))
        self.id_rows.append(row)
        self.chunk_ids.append((row, idn.number))
        return idn

    def _date(self, value: Any) -> dt.date | str:
        """The cell as a date, or why it is not one (cached: dates repeat down a column)."""
        key = value if value.__class__ is str else (value.__class__, value)  # 1, 1.0 and True differ
        found = self.dates.get(key)
        if found is None:
            try:
                found = cell_date(value)
            except ValueError as error:
                found = str(error)
            if len(self.dates) > 200_000:
                self.dates.clear()
            self.dates[key] = found
        return found


def _pack(number: str) -> int:
    """An 18-character ID number as one 64-bit integer (the check character X as 10)."""
    last = number[17]
    return int(number[:17]) * 11 + (10 if last == "X" else int(last))


def _unpack(key: int) -> str:
    first17, last = divmod(key, 11)
    return f"{first17:017d}" + ("X" if last == 10 else str(last))


def _choice_map(enum: type[Any]) -> dict[str, str]:
    """Label or code → code; 民族 also without its final 族 (汉, 土家)."""
    mapping: dict[str, str] = {}
    for choice in enum:
        mapping[str(choice.value)] = str(choice.value)
        mapping[str(choice.label)] = str(choice.value)
        if enum is Ethnicity and str(choice.label).endswith("族"):
            mapping.setdefault(str(choice.label)[:-1], str(choice.value))
    return mapping


def _choice_problem(name: str, enum: type[Any]) -> str:
    """The message for a value outside the list ("{}" is the value); short lists are spelled out."""
    label = services.CHOICES[name][1]
    labels = "、".join(str(choice.label) for choice in enum)
    if len(labels) > 80:
        return f"{label}“{{}}”不在可选范围内，请从模板的下拉列表中选择"
    return f"{label}“{{}}”不在可选范围内，可填：{labels}"


# Writing

MEMBER_FIELDS = (
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "ethnicity",
    "native_place",
    "birth_date",
    "id_number",
    "id_hash",
    "id_tail",
    "education",
    "degree",
    "occupation",
    "job",
    "phone",
    "phone_hash",
    "phone_tail",
    "address",
    "category",
    "joined_date",
    "regularized_date",
    "is_central_household",
    "status",
    "status_date",
    "status_reason",
    "left_reason",
    "organization_id",
    "org_path",
    "created_at",
    "updated_at",
)
PERIOD_FIELDS = ("organization_id", "start", "end", "reason")  # after the member's id
STATUS_PERIOD_FIELDS = ("status", "start", "end", "reason", "left_reason")


class _Batch(NamedTuple):
    """Rows ready for the tables, each starting with the member's id: drawn from the sequence by the
    checking side on PostgreSQL (where the batch is then encoded: ``_Encoded``), None elsewhere
    (given on insert)."""

    members: list[tuple[Any, ...]]
    periods: list[tuple[Any, ...]]
    statuses: list[tuple[Any, ...]]


def _batch(people: list[Person], id_hashes: list[uuid.UUID], ids: list[int | None], now: dt.datetime) -> _Batch:
    """The members with their open membership and status periods."""
    numbers = encrypt_all([p.id_number for p in people])
    phones = [p.phone for p in people if p.phone]
    sealed, hashed = iter(encrypt_all(phones)), iter(lookup_hashes(phones))
    return _Batch(
        members=[
            _member_row(pk, p, now, number, id_hash, (next(sealed), next(hashed)) if p.phone else (None, None))
            for pk, p, number, id_hash in zip(ids, people, numbers, id_hashes, strict=True)
        ],
        periods=[(pk, p.organization, p.since, None, PERIOD_REASON) for pk, p in zip(ids, people, strict=True)],
        statuses=[
            (pk, p.status, p.status_date or p.joined_date, None, "", p.left_reason)
            for pk, p in zip(ids, people, strict=True)
        ],
    )


class _Encoded(NamedTuple):
    """A batch as the data of three binary COPYs (PostgreSQL), encoded on the checking side: the
    writer thread only sends bytes, so it no longer waits for the GIL while PostgreSQL waits for
    it (0.3 s of a 10^5-row import, measured)."""

    members: bytes
    periods: bytes
    statuses: bytes
    rows: int


def _encoded(batch: _Batch) -> "_Batch | _Encoded":
    writer = RowWriter()
    if not writer.postgres:
        return batch
    return _Encoded(
        writer.encode(Member, ("id", *MEMBER_FIELDS), batch.members),
        writer.encode(MembershipPeriod, ("member_id", *PERIOD_FIELDS), batch.periods),
        writer.encode(StatusPeriod, ("member_id", *STATUS_PERIOD_FIELDS), batch.statuses),
        len(batch.members),
    )


def _write(batch: "_Batch | _Encoded") -> int:
    """Write one batch (inside the batches' transaction): COPY on PostgreSQL, where the rows carry
    their ids (ids of a batch rolled back are simply skipped); elsewhere bulk_create gives the ids."""
    writer = RowWriter()
    if isinstance(batch, _Encoded):
        writer.write_encoded(Member, ("id", *MEMBER_FIELDS), batch.members)
        writer.write_encoded(MembershipPeriod, ("member_id", *PERIOD_FIELDS), batch.periods)
        writer.write_encoded(StatusPeriod, ("member_id", *STATUS_PERIOD_FIELDS), batch.statuses)
        return batch.rows
    ids = [member.pk for member in _bulk_create(Member, ("id", *MEMBER_FIELDS), batch.members)]
    periods = [(pk, *row[1:]) for pk, row in zip(ids, batch.periods, strict=True)]
    statuses = [(pk, *row[1:]) for pk, row in zip(ids, batch.statuses, strict=True)]
    writer.write(MembershipPeriod, ("member_id", *PERIOD_FIELDS), periods)
    writer.write(StatusPeriod, ("member_id", *STATUS_PERIOD_FIELDS), statuses)
    return len(batch.members)


def _bulk_create(model: type[M], fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[M]:
    """The portable path (SQLite): model instances, their ids set by the database."""
    return model._default_manager.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows])


def _member_row(
    pk: int | None, person: Person, now: dt.datetime, number_sealed: bytes, id_hash: uuid.UUID, phone: tuple[Any, Any]
) -> tuple[Any, ...]:
    """The member's columns, personal data encrypted as ``EncryptedTextField`` stores it (the ID
    number sealed and hashed, the phone number sealed and hashed: done for the whole batch at once)."""
    (_, organization, name, number, gender, ethnicity, native_place, birth_date, education, degree,
     occupation, job, _, address, category, joined, regularized, status, status_date, left_reason,
     central, _, org_path) = person  # fmt: skip
    pinyin, initials = name_keys(name)
    return (
        pk,
        name,
        pinyin,
        initials,
        gender,
        ethnicity,
        native_place,
        birth_date,
        number_sealed,
        id_hash,
        number[-4:],
        education,
        degree,
        occupation,
        job,
        *phone,
        person.phone[-4:],
        address,
        category,
        joined,
        regularized,
        central,
        status,
        status_date,
        "",
        left_reason,
        organization,
        org_path,
        now,
        now,
    )
