"""The standards as effective-dated data: the national one shipped, a province's own from a date,
a month read with the standard in force on its first day, and the checks of a standard."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.dues import rules, standards
from dangjian.dues.models import DuesStandard
from dangjian.dues.rules import Category

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_national_standard_is_shipped_and_gives_the_published_examples() -> None:
    national = standards.in_force(D(2026, 3, 15))
    assert national is not None and national.region == ""
    assert rules.monthly_amount(national.as_rules(), Category.IN_SERVICE, Decimal("5400")) == Decimal("81.00")
    assert rules.monthly_amount(national.as_rules(), Category.IN_SERVICE, Decimal("11500")) == Decimal("230.00")


def test_a_province_s_standard_governs_its_months_from_its_first_day_and_earlier_months_keep_theirs() -> None:
    national = standards.in_force(D(2026, 1, 1))
    assert national is not None
    local = DuesStandard.objects.create(
        name="某省农民党员党费标准",
        region="某省",
        valid_from=D(2026, 7, 1),
        in_service_brackets=national.in_service_brackets,
        retired_brackets=national.retired_brackets,
        farmer_amount=Decimal("0.50"),
        basis="某省委组织部通知",
    )
    assert standards.in_force(D(2026, 6, 30), "某省") == national  # before it: the national one
    assert standards.in_force(D(2026, 7, 20), "某省") == local  # read from the month's first day
    assert standards.in_force(D(2026, 7, 20), "另一省") == national
    june, july = (standards.in_force(D(2026, month, 1), "某省") for month in (6, 7))
    assert june is not None and july is not None
    assert rules.monthly_amount(june.as_rules(), Category.FARMER, None) == Decimal("0.20")
    assert rules.monthly_amount(july.as_rules(), Category.FARMER, None) == Decimal("0.50")


def test_a_standard_with_broken_brackets_is_refused_with_the_reason() -> None:
    standard = DuesStandard(
        name="有误的标准",
        valid_from=D(2027, 1, 1),
        in_service_brackets=[["5000", "0.01"], ["3000", "0.005"], [None, "0.02"]],
        retired_brackets="0.5%",
        basis="测试",
    )
    with pytest.raises(ValidationError) as refused:
        standard.full_clean()
    assert refused.value.message_dict["in_service_brackets"] == ["第2档的上限应大于上一档"]
    assert refused.value.message_dict["retired_brackets"] == ["应为各档上限和比例的列表"]
