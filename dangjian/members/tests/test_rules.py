"""Member data rules (RULES.md §1.2 age and probation, §8 age bands, §9 ID numbers)."""

import datetime as dt
from typing import Any

import pytest

from dangjian.core.idnumber import parse_id_number
from dangjian.members.models import Category
from dangjian.members.rules import MemberFacts, age_band_birth_ranges, member_problems

D = dt.date
TODAY = D(2026, 11, 23)
WOMAN_1990 = parse_id_number("430122199003150026")  # born 1990-03-15, female


def facts(**overrides):
    values: dict[str, Any] = {
        "id_number": WOMAN_1990,
        "gender": "2",
        "birth_date": D(1990, 3, 15),
        "category": Category.FULL,
        "joined_date": D(2015, 7, 1),
        "regularized_date": D(2016, 7, 1),
    }
    return MemberFacts(**(values | overrides))


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"birth_date": D(1990, 3, 16)}, "birth_date", "不一致"),
        ({"gender": "1"}, "gender", "第17位应为女"),
        ({"joined_date": D(2027, 1, 1), "regularized_date": None}, "joined_date", "晚于今天"),
        ({"joined_date": D(2008, 3, 14), "regularized_date": None}, "joined_date", "未满18周岁"),
        ({"category": Category.PROBATIONARY}, "regularized_date", "预备党员不能有转正日期"),
        ({"regularized_date": D(2016, 6, 30)}, "regularized_date", "满一年"),
        ({"regularized_date": D(2027, 1, 1)}, "regularized_date", "晚于今天"),
    ],
)
def test_member_problems_name_the_field_and_reason(overrides, field, text):
    problems = member_problems(facts(**overrides), TODAY)
    assert field in problems
    assert text in problems[field]


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"joined_date": D(2008, 3, 15), "regularized_date": D(2009, 3, 15)},  # exactly 18; exactly one year
        {"category": Category.PROBATIONARY, "regularized_date": None, "joined_date": D(2026, 6, 1)},
        {"gender": None, "birth_date": None},  # derived from the ID number instead
    ],
)
def test_consistent_facts_have_no_problems(overrides):
    assert member_problems(facts(**overrides), TODAY) == {}


def test_age_bands_are_birth_date_ranges():
    bands = {band.label: band for band in age_band_birth_ranges(D(2025, 12, 31))}
    # 30 and under: born after 1994-12-31; 31–35: born 1989-12-31 < b ≤ 1994-12-31; 61+: ≤ 1964-12-31
    assert bands["30岁及以下"].after == D(1994, 12, 31)
    assert bands["30岁及以下"].until is None
    assert (bands["31-35岁"].after, bands["31-35岁"].until) == (D(1989, 12, 31), D(1994, 12, 31))
    assert bands["61岁及以上"].after is None
    assert bands["61岁及以上"].until == D(1964, 12, 31)
    assert len(bands) == 8
