"""The checks (审核公式) run with every report, live or submitted.

Three kinds, named in the form's data: a *formula* (cells summed with signs on each side of "=";
``*`` in the row or column place runs the formula for every row or column of that table); *no
negative cell*; and the *subtree* check (the node's figures are its children's plus its own
members'; a child that has submitted counts with its submitted figures). A failed formula is
explained member by member: each side's cells list their members, and the members counted a
different number of times on the two sides are the difference.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from . import engine
from .definition import Check, Form
from .engine import CellKey, Report

TERM = re.compile(r"([+-]?)\s*([^\s+\-=]+)")


@dataclass(frozen=True)
class Term:
    sign: int
    ref: str  # "table:row:column", or a number

    def value(self, report: Report) -> int:
        return int(self.ref) if self.ref.isdigit() else report.value(self.ref)


@dataclass
class Failure:
    """One instance of a check that does not hold: what it compares and the numbers."""

    label: str  # the row or column the instance is about ("" for a single instance)
    left: int
    right: int
    cells: list[CellKey]
    terms: list[Term] = field(default_factory=list)
    detail: str = ""  # for the subtree check: which child

    @property
    def difference(self) -> int:
        return self.left - self.right


@dataclass
class Result:
    check: Check
    failures: list[Failure]
    instances: int

    @property
    def passed(self) -> bool:
        return not self.failures


def _side(text: str) -> list[Term]:
    return [Term(-1 if sign == "-" else 1, ref) for sign, ref in TERM.findall(text)]


def _expand(form: Form, left: list[Term], right: list[Term]) -> Iterable[tuple[str, list[Term], list[Term]]]:
    wild = next((t.ref for t in (*left, *right) if "*" in t.ref), None)
    if wild is None:
        yield "", left, right
        return
    table_code, row, _column = wild.split(":")
    table = form.table(table_code)
    lines = table.rows if row == "*" else table.columns
    for line in lines:

        def fill(terms: list[Term], key: str = line.key) -> list[Term]:
            return [Term(t.sign, t.ref.replace("*", key)) for t in terms]

        yield line.label, fill(left), fill(right)


def run(report: Report, submitted_parts: dict[str, dict[CellKey, int]] | None = None) -> list[Result]:
    """Every check of the report's form on its figures. ``submitted_parts``: the figures of
    children that have submitted (their path → cells), used by the subtree check in place of the
    children's live figures."""
    results = []
    for check in report.form.checks:
        if check.kind == "formula":
            results.append(_formula(report, check))
        elif check.kind == "nonnegative":
            negative = [key for key, value in report.figures.items() if value < 0]
            failures = [Failure(label=key, left=report.value(key), right=0, cells=[key]) for key in negative]
            results.append(Result(check, failures, len(report.figures)))
        elif check.kind == "subtree":
            results.append(_subtree(report, check, submitted_parts or {}))
    return results


def _formula(report: Report, check: Check) -> Result:
    left_text, right_text = check.formula.split("=")
    failures, instances = [], 0
    for label, left, right in _expand(report.form, _side(left_text), _side(right_text)):
        instances += 1
        lhs = sum(t.sign * t.value(report) for t in left)
        rhs = sum(t.sign * t.value(report) for t in right)
        if lhs != rhs:
            cells = [t.ref for t in (*left, *right) if not t.ref.isdigit()]
            failures.append(
                Failure(
                    label=label, left=lhs, right=rhs, cells=cells, terms=[*left, *[Term(-t.sign, t.ref) for t in right]]
                )
            )
    return Result(check, failures, instances)


def _subtree(report: Report, check: Check, submitted: dict[str, dict[CellKey, int]]) -> Result:
    from dangjian.orgs.models import Organization

    names = dict(Organization.objects.filter(path__in=[p for p in report.parts if p]).values_list("path", "name"))
    failures = []
    for key in check.cells:
        total = 0
        for path, figures in report.parts.items():
            source = submitted.get(path, figures)
            total += source.get(key, 0)
        # A child that submitted but has no live members any more still counts as submitted.
        total += sum(figures.get(key, 0) for path, figures in submitted.items() if path not in report.parts)
        if total != report.value(key):
            live = {path: figures.get(key, 0) for path, figures in report.parts.items()}
            differing = [
                f"{names.get(path, path)}：报送{submitted[path].get(key, 0)}，现为{live.get(path, 0)}"
                for path in submitted
                if submitted[path].get(key, 0) != report.parts.get(path, {}).get(key, 0)
            ]
            failures.append(
                Failure(label=key, left=report.value(key), right=total, cells=[key], detail="；".join(differing))
            )
    return Result(check, failures, len(check.cells))


def explain(report: Report, failure: Failure, limit: int = 50) -> list[tuple[int, int]]:
    """The subjects behind a formula's difference: (id, how many more times the left side counts
    them than the right), at most ``limit``, found in the database (each cell's subjects with its
    sign, summed per subject)."""
    parts: list[str] = []
    params: list[Any] = []
    for term in failure.terms:
        if term.ref.isdigit():
            continue
        found = engine.subjects_sql(report.form, term.ref, report.organization, report.day)
        if found is None:
            continue
        sql, values = found
        parts.append(f"SELECT subject_id, {int(term.sign)} AS weight FROM ({sql}) s{len(parts)}")
        params.extend(values)
    if not parts:
        return []
    union = " UNION ALL ".join(parts)
    query = (
        f"SELECT subject_id, SUM(weight) FROM ({union}) u GROUP BY subject_id "
        f"HAVING SUM(weight) <> 0 ORDER BY subject_id LIMIT {int(limit)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [(subject, int(weight)) for subject, weight in cursor.fetchall()]


def failed(results: list[Result]) -> list[Result]:
    return [r for r in results if not r.passed]


def as_of_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
