"""The report of an import (``ImportReport``): rows read, members created, every problem counted
and the first ``KEEP_PROBLEMS`` kept in sheet order (for the annotated workbook that
``members.import_files`` draws, and the job's page), the sheet's header as read, what went wrong
with the file or the write, and the seconds spent reading, checking and writing. ``Progress`` is
the callback that is given the report after each chunk.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dangjian.core.excel import Problem


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


def _add_all(report: ImportReport, problems: list[Problem]) -> None:
    report.problems += problems
    report.problem_count += len(problems)
    report.problem_rows += len({problem.row for problem in problems})
