"""Reading the sheet (step 1 of the package's map): the workbook is opened by
``core.excel.read_sheet`` in ``import_members``; here its rows become chunks of data rows
(``_chunks``: the header, the first row that is not blank, goes to the checker; a first chunk of
``FIRST_CHUNK`` rows, then ``CHUNK`` at a time; blank rows skipped by ``blank``), the time spent
reading added to the report's timings.
"""

import itertools
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from dangjian.core.excel import FileProblem, Problem

from . import base
from .base import NO_ROWS
from .reporting import ImportReport

if TYPE_CHECKING:
    from .checking import _Checker


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
    size = min(base.FIRST_CHUNK, base.CHUNK)  # the database waits for the first batch: a small one gets it going sooner
    while True:
        started = clock()
        lines = list(itertools.islice(rows, size))
        size = base.CHUNK
        read += clock() - started
        report.timings["read"] = read
        if not lines:
            return
        if chunk := [(number, values) for number, values in lines if not blank(values)]:
            yield chunk


def blank(values: Sequence[Any]) -> bool:
    return not any(values) and all(value is None or value == "" for value in values)
