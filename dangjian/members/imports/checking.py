"""Checking the rows (steps 2 and 4 of the package's map): ``_Checker`` reads the header, checks
each chunk cell by cell with the rules ``create_member`` applies, resolves the chunk's organization
cells through the actor's write scope (``Place``: where a row may go, or why not), counts and keeps
the problems, hands each valid chunk to the writing side while nothing is wrong, and at the end
finds the ID numbers used twice in the file (packed as integers: ``_pack``, ``_unpack``) and, when
the import fails, those already registered (``_registered``).
"""

import datetime as dt
import itertools
import operator
import uuid
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.bulk import Batches, RowWriter
from dangjian.core.crypto import lookup_hashes
from dangjian.core.dates import date_problem, date_range
from dangjian.core.errors import ErrorCollector
from dangjian.core.excel import FileProblem, Problem, cell_date, cell_text
from dangjian.core.idnumber import IdNumber, InvalidIdNumber, parse_id_number
from dangjian.core.text import text_problem
from dangjian.orgs.models import Organization

from .. import rules, services
from ..models import Member, Status
from . import base
from .base import (
    CENTRAL_AT,
    CHOICES,
    COLUMN_ORDER,
    COLUMNS,
    DATE_AT,
    DATE_KINDS,
    HAN,
    HEADER,
    ID_ELSEWHERE,
    NORMAL,
    POSITION,
    REQUIRED,
    REQUIRED_AT,
    STATUS_DATE_AT,
    TEXT_LIMITS,
    YES_NO,
    _choice_map,
    _choice_problem,
)
from .reporting import ImportReport
from .writing import Person, _batch, _encoded


@dataclass(frozen=True)
class Place:
    """An organization a row names: where it may go, or why not."""

    pk: int
    path: str
    founded: dt.date | None


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
        if len(report.problems) < base.KEEP_PROBLEMS:
            report.problems.append(Problem(row, HEADER.get(name, ""), cell_text(value), reason))
        if row >= len(self.flagged):
            self.flagged.extend(bytes(max(row + 1 - len(self.flagged), base.CHUNK)))
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
            self.writes.add(
                _encoded(_batch(people, [of_row[person.row] for person in people], ids, self.now, self.actor.pk))
            )

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
        for start in range(0, len(self.id_keys), base.CHUNK):
            numbers = [_unpack(key) for key in self.id_keys[start : start + base.CHUNK]]
            hashes = lookup_hashes(numbers)
            registered = {row[0]: row for row in _registered(hashes)} if hashes else {}
            if not registered:
                continue
            pks = [row[1] for row in registered.values()]
            visible = set(scope.scoped(self.actor, Member.objects.filter(pk__in=pks)).values_list("pk", flat=True))
            for row, number, id_hash in zip(self.id_rows[start : start + base.CHUNK], numbers, hashes, strict=True):
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
            self.ids += writer.reserve_ids(Member, max(count, min(expected, 4 * base.CHUNK)))
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
