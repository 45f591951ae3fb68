"""The annual report's form (表式) as data: which tables, which rows and columns, which bands and
which checks (审核公式). The official tables changed in 2014, 2017, 2019 and 2021 and will change
again, so each version is a JSON file in ``forms/`` with the first year it applies to; a new
version is a new file, never an edit of a past one (a past year's report keeps its own form).

A cell counts the subjects (members, organizations) of its column's population that meet both its
row's and its column's conditions. A condition names dimensions (``populations.DIMENSIONS``) and
the values that qualify, or a named group of values (``"@college"``).
"""

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

FORMS_DIR = Path(__file__).parent / "forms"

Condition = dict[str, tuple[Any, ...]]


class FormError(Exception):
    """A form file that does not make sense (a developer's error, found when it is loaded)."""


@dataclass(frozen=True)
class Line:
    """A row or a column of a table."""

    key: str
    label: str
    when: Condition
    population: str = ""  # columns only: where this column counts, if not the table's
    indent: int = 0
    group: str = ""  # the spanning header above a run of columns


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    unit: str
    population: str
    rows: tuple[Line, ...]
    columns: tuple[Line, ...]
    placeholder: str = ""  # why the system does not produce this table yet

    def row(self, key: str) -> Line:
        return next(line for line in self.rows if line.key == key)

    def column(self, key: str) -> Line:
        return next(line for line in self.columns if line.key == key)

    def population_of(self, column: Line) -> str:
        return column.population or self.population


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    max: int | None = None  # ages: the band's top age, inclusive
    before: dt.date | None = None  # dates: the band ends the day before


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    kind: str  # formula, nonnegative, subtree
    formula: str = ""
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    code: str
    name: str
    valid_from: int
    source: str
    bands: dict[str, tuple[Band, ...]]
    tables: tuple[Table, ...]
    checks: tuple[Check, ...]
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def table(self, code: str) -> Table:
        for table in self.tables:
            if table.code == code:
                return table
        raise KeyError(code)


CELL_REF = re.compile(r"^([0-9A-Za-z]+):([a-z0-9_*]+):([a-z0-9_*]+)$")


def _condition(raw: dict[str, Any], groups: dict[str, tuple[str, ...]], where: str) -> Condition:
    condition: Condition = {}
    for dimension, values in raw.items():
        if isinstance(values, str):
            if not values.startswith("@") or values[1:] not in groups:
                raise FormError(f"{where}: unknown group {values!r}")
            values = groups[values[1:]]
        condition[dimension] = tuple(values)
    return condition


def _line(raw: dict[str, Any], groups: dict[str, tuple[str, ...]], where: str) -> Line:
    return Line(
        key=raw["key"],
        label=raw["label"],
        when=_condition(raw.get("when", {}), groups, f"{where}.{raw['key']}"),
        population=raw.get("population", ""),
        indent=raw.get("indent", 0),
        group=raw.get("group", ""),
    )


def parse(raw: dict[str, Any]) -> Form:
    groups = {name: tuple(values) for name, values in raw.get("groups", {}).items()}
    bands = {
        name: tuple(
            Band(
                key=b["key"],
                label=b["label"],
                max=b.get("max"),
                before=dt.date.fromisoformat(b["before"]) if "before" in b else None,
            )
            for b in items
        )
        for name, items in raw.get("bands", {}).items()
    }
    tables = tuple(
        Table(
            code=t["code"],
            title=t["title"],
            unit=t.get("unit", "人"),
            population=t.get("population", ""),
            rows=tuple(_line(r, groups, f"表{t['code']}") for r in t["rows"]),
            columns=tuple(_line(c, groups, f"表{t['code']}") for c in t["columns"]),
            placeholder=t.get("placeholder", ""),
        )
        for t in raw["tables"]
    )
    checks = tuple(
        Check(
            code=c["code"],
            name=c["name"],
            kind=c["kind"],
            formula=c.get("formula", ""),
            cells=tuple(c.get("cells", ())),
        )
        for c in raw.get("checks", ())
    )
    form = Form(
        code=raw["code"],
        name=raw["name"],
        valid_from=raw["valid_from"],
        source=raw.get("source", ""),
        bands=bands,
        tables=tables,
        checks=checks,
        groups=groups,
    )
    _validate(form)
    return form


def _validate(form: Form) -> None:
    from .populations import DIMENSIONS, POPULATIONS

    codes = [t.code for t in form.tables]
    if len(set(codes)) != len(codes):
        raise FormError(f"表式{form.code}: duplicate table codes")
    for table in form.tables:
        for line in (*table.rows, *table.columns):
            populations = {table.population_of(line)} if line in table.columns else set()
            for population in populations:
                if population not in POPULATIONS:
                    raise FormError(f"表{table.code}.{line.key}: unknown population {population!r}")
            for dimension in line.when:
                if dimension not in DIMENSIONS:
                    raise FormError(f"表{table.code}.{line.key}: unknown dimension {dimension!r}")
        for column in table.columns:
            for row in table.rows:
                population = table.population_of(column)
                for dimension in (*row.when, *column.when):
                    if dimension not in POPULATIONS[population]:
                        raise FormError(f"表{table.code}.{row.key}.{column.key}: {population} has no {dimension}")
    for check in form.checks:
        for term in terms_of(check):
            if not CELL_REF.match(term):
                raise FormError(f"审核公式{check.code}: bad cell {term!r}")


def terms_of(check: Check) -> list[str]:
    if check.kind == "formula":
        return [t for t in re.split(r"\s*[-+=]\s*", check.formula.strip()) if t and not t.isdigit()]
    return list(check.cells)


@cache
def all_forms() -> tuple[Form, ...]:
    forms = [parse(json.loads(path.read_text("utf-8"))) for path in sorted(FORMS_DIR.glob("*.json"))]
    return tuple(sorted(forms, key=lambda f: f.valid_from))


def form_for(year: int) -> Form:
    """The form in force for the report of ``year``: the latest whose first year is not after it."""
    candidates = [form for form in all_forms() if form.valid_from <= year]
    if not candidates:
        return all_forms()[0]  # years before the earliest form we ship are reported on it
    return candidates[-1]
