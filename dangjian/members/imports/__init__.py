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

The package (at run time each submodule imports only those above it in this list):

- ``base``: the sheet's name and columns (``COLUMNS``, ``POSITION``, ``CHOICES``, ``DATES`` ...),
  the limits (``CHUNK``, ``FIRST_CHUNK``, ``KEEP_PROBLEMS``, ``SHOW_PROBLEMS``, ``INLINE_BYTES``),
  the messages (``NO_ROWS``, ``ID_ELSEWHERE``, ``RACE``) and the choice lists' mappings.
- ``reporting``: ``ImportReport`` (counts, problems, the header as read, timings) and ``Progress``.
- ``reading``: the sheet's rows in chunks after the header (``_chunks``, ``blank``).
- ``writing``: ``Person`` (a checked row) made into rows for the tables, encoded for COPY, and
  written (``_batch``, ``_encoded``, ``_write``).
- ``checking``: ``_Checker`` (the header, every cell of every row, the organization lookup, the
  problems, duplicate and registered ID numbers, the ids reserved for the new members).
- this ``__init__``: ``import_members``, which runs them in order and times each phase, and the
  names the rest of the project imports from ``dangjian.members.imports``.

Patching in tests: ``CHUNK``, ``FIRST_CHUNK`` and ``KEEP_PROBLEMS`` are read as ``base.NAME`` at
run time, so patch ``imports.base`` (the copies here are for reading only); ``INLINE_BYTES``,
``SHOW_PROBLEMS`` and ``import_members`` are read from this package by ``members.tasks``, so patch
them here; ``_registered`` is looked up in ``imports.checking``.
"""

import logging
import time
from typing import IO, Any

from django.db import IntegrityError
from django.utils import timezone

from dangjian.core import audit, scope
from dangjian.core.bulk import batches, heavy_row_work
from dangjian.core.excel import FileProblem, Problem, read_sheet
from dangjian.core.models import Event

from . import base
from .base import (
    CENTRAL_AT,
    CHOICES,
    CHUNK,
    COLUMN_ORDER,
    COLUMNS,
    DATE_AT,
    DATE_KINDS,
    DATES,
    FIELDS,
    FIRST_CHUNK,
    HAN,
    HEADER,
    ID_ELSEWHERE,
    INLINE_BYTES,
    KEEP_PROBLEMS,
    NO_ROWS,
    NORMAL,
    PERIOD_REASON,
    POSITION,
    RACE,
    REGULARIZED_AT,
    REQUIRED,
    REQUIRED_AT,
    SHEET,
    SHOW_PROBLEMS,
    STATUS_DATE_AT,
    TEXT_LIMITS,
    YES_NO,
    Column,
)
from .checking import Place, _Checker
from .reading import _chunks, blank
from .reporting import ImportReport, Progress, _add_all
from .writing import MEMBER_FIELDS, PERIOD_FIELDS, STATUS_PERIOD_FIELDS, Person, _write

__all__ = [
    "CENTRAL_AT",
    "CHOICES",
    "CHUNK",
    "COLUMNS",
    "COLUMN_ORDER",
    "DATES",
    "DATE_AT",
    "DATE_KINDS",
    "FIELDS",
    "FIRST_CHUNK",
    "HAN",
    "HEADER",
    "ID_ELSEWHERE",
    "INLINE_BYTES",
    "KEEP_PROBLEMS",
    "MEMBER_FIELDS",
    "NORMAL",
    "NO_ROWS",
    "PERIOD_FIELDS",
    "PERIOD_REASON",
    "POSITION",
    "RACE",
    "REGULARIZED_AT",
    "REQUIRED",
    "REQUIRED_AT",
    "SHEET",
    "SHOW_PROBLEMS",
    "STATUS_DATE_AT",
    "STATUS_PERIOD_FIELDS",
    "TEXT_LIMITS",
    "YES_NO",
    "Column",
    "ImportReport",
    "Person",
    "Place",
    "Progress",
    "blank",
    "import_members",
]

logger = logging.getLogger(__name__)


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

    large = sheet.streaming or report.expected_rows > base.CHUNK  # a thread is worth it for more than one batch
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
