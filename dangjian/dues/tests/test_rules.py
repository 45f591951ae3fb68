"""The monthly amount at every bracket edge (RULES.md §2: the rate applies to the whole base, the upper
bounds are inclusive), for in-service and retired members and every fixed category; the rounding
settings; a local standard; the checks of a standard's brackets."""

from dataclasses import replace
from decimal import Decimal

import pytest

from dangjian.dues import rules
from dangjian.dues.rules import Category, Rounding

D = Decimal
NATIONAL = rules.Standard(
    in_service=rules.parsed([["3000", "0.005"], ["5000", "0.01"], ["10000", "0.015"], [None, "0.02"]]),
    retired=rules.parsed([["5000", "0.005"], [None, "0.01"]]),
    retired_base_share=D("1"),
    farmer_amount=D("0.20"),
    small_fixed_amount=D("0.20"),
    rounding=Rounding.FEN_HALF_UP,
)


@pytest.mark.parametrize(
    ("base", "owed"),
    [
        ("0", "0.00"),
        ("2999.99", "15.00"),  # 0.5% of 2,999.99 = 14.99995
        ("3000.00", "15.00"),  # the bound is inclusive: still 0.5%
        ("3000.01", "30.00"),  # 1% of the whole base, not of the part above 3,000
        ("5000.00", "50.00"),
        ("5000.01", "75.00"),  # 1.5% of 5,000.01 = 75.00015
        ("5400", "81.00"),  # the published example
        ("10000.00", "150.00"),
        ("10000.01", "200.00"),
        ("11500", "230.00"),  # the published example
    ],
)
def test_in_service_members_pay_the_rate_of_their_bracket_on_the_whole_base(base: str, owed: str) -> None:
    for category in (Category.IN_SERVICE, Category.ANNUAL_SALARY, Category.NO_FIXED_INCOME):
        assert rules.monthly_amount(NATIONAL, category, D(base)) == D(owed)


@pytest.mark.parametrize(
    ("pension", "owed"),
    [("0", "0.00"), ("2999.99", "15.00"), ("3000.01", "15.00"), ("5000.00", "25.00"), ("5000.01", "50.00")],
)
def test_retired_members_pay_half_a_percent_up_to_5000_and_one_percent_above(pension: str, owed: str) -> None:
    assert rules.monthly_amount(NATIONAL, Category.RETIRED, D(pension)) == D(owed)


def test_a_local_standard_may_count_part_of_a_pension_and_set_the_farmers_amount() -> None:
    university = replace(NATIONAL, retired_base_share=D("0.30"), farmer_amount=D("0.50"))
    assert rules.monthly_amount(university, Category.RETIRED, D("8000")) == D("12.00")  # 0.5% of 2,400
    assert rules.monthly_amount(university, Category.FARMER, None) == D("0.50")


@pytest.mark.parametrize("category", [Category.STUDENT, Category.UNEMPLOYED, Category.RELIEF, Category.SUBSISTENCE])
def test_the_fixed_categories_pay_two_jiao(category: Category) -> None:
    assert not category.has_base
    assert rules.monthly_amount(NATIONAL, category, None) == D("0.20")


def test_a_base_is_required_where_the_rate_applies_and_refused_where_the_amount_is_fixed() -> None:
    with pytest.raises(ValueError, match="needs a base"):
        rules.monthly_amount(NATIONAL, Category.IN_SERVICE, None)
    with pytest.raises(ValueError, match="needs a base"):
        rules.monthly_amount(NATIONAL, Category.RETIRED, D("-1"))
    with pytest.raises(ValueError, match="takes no base"):
        rules.monthly_amount(NATIONAL, Category.FARMER, D("1000"))


@pytest.mark.parametrize(
    ("rounding", "base", "owed"),
    [
        (Rounding.FEN_HALF_UP, "2999.99", "15.00"),
        (Rounding.FEN_DOWN, "2999.99", "14.99"),
        (Rounding.JIAO_HALF_UP, "4321", "43.20"),  # 43.21
        (Rounding.JIAO_HALF_UP, "4350", "43.50"),
        (Rounding.JIAO_HALF_UP, "1010", "5.10"),  # 5.05: half up
    ],
)
def test_the_rounding_is_the_standard_s_setting(rounding: Rounding, base: str, owed: str) -> None:
    assert rules.monthly_amount(replace(NATIONAL, rounding=rounding), Category.IN_SERVICE, D(base)) == D(owed)


@pytest.mark.parametrize(
    ("brackets", "problem"),
    [
        ([["3000", "0.005"], ["5000", "0.01"], ["10000", "0.015"], [None, "0.02"]], None),
        ([], "至少应有一档"),
        ([["3000", "0.005"]], "最后一档不应设上限（适用于高于上一档的全部基数）"),
        ([[None, "0.005"], ["5000", "0.01"]], "只有最后一档可以不设上限"),
        ([["5000", "0.005"], ["3000", "0.01"], [None, "0.02"]], "第2档的上限应大于上一档"),
        ([["3000", "1.5"], [None, "0.02"]], "第1档的比例应在0至1之间"),
        ([["三千", "0.005"], [None, "0.02"]], "第1档的上限或比例不是数字"),
        ([["3000"], [None, "0.02"]], "第1档应写明上限和比例"),
    ],
)
def test_a_standard_s_brackets_rise_and_end_open(brackets: list[list[str | None]], problem: str | None) -> None:
    assert rules.brackets_problem(brackets) == problem


def test_every_category_has_its_name_in_the_regulation_s_words() -> None:
    assert {category.label for category in Category} >= {"在职党员", "农民党员", "离退休干部、职工党员"}
    assert len({category.label for category in Category}) == len(Category)
