import datetime as dt
import re

import pytest

from dangjian.core.dates import add_months, add_years, age_on, parse_date

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2023, 3, 1), 12, D(2024, 3, 1)),  # one year is a calendar year, not 365 days
        (D(2024, 3, 31), 3, D(2024, 6, 30)),  # three months from 31 March is 30 June
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 11, 15), 2, D(2024, 1, 15)),
        (D(2024, 3, 15), -3, D(2023, 12, 15)),
    ],
)
def test_add_months_is_calendar_arithmetic(start, months, expected):
    assert add_months(start, months) == expected


def test_add_years_from_29_february_lands_on_28_february():
    assert add_years(D(2008, 2, 29), 18) == D(2026, 2, 28)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [(D(2008, 5, 1), D(2026, 4, 30), 17), (D(2008, 5, 1), D(2026, 5, 1), 18), (D(1949, 12, 31), D(2026, 11, 23), 76)],
)
def test_age_on_counts_completed_years(birth, on, age):
    assert age_on(birth, on) == age


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2005, 8, 1), D(2005, 8, 1)),
        (dt.datetime(2005, 8, 1, 9, 30), D(2005, 8, 1)),  # what openpyxl reads from a date cell
        (38565, D(2005, 8, 1)),  # an Excel serial number (1900 date system)
        (38565.75, D(2005, 8, 1)),  # the fraction is the time of day
        (61, D(1900, 3, 1)),  # after Excel's phantom 1900-02-29
        (1, D(1900, 1, 1)),
        ("2005-08-01", D(2005, 8, 1)),
        ("2005/8/1", D(2005, 8, 1)),
        ("2005.8.1", D(2005, 8, 1)),
        ("2005.08", D(2005, 8, 1)),  # month only: the first day
        ("2005-8", D(2005, 8, 1)),
        ("2005年8月1日", D(2005, 8, 1)),
        ("2005年8月", D(2005, 8, 1)),
        ("2005 年 8 月 1 日", D(2005, 8, 1)),
        ("20050801", D(2005, 8, 1)),
        ("  2005-08-01\t", D(2005, 8, 1)),
        ("2005.08.01", D(2005, 8, 1)),
        ("2005/08/01", D(2005, 8, 1)),
        ("2005-1-10", D(2005, 1, 10)),  # ten characters, but not the two-digit form
    ],
)
def test_parse_date_reads_the_forms_people_type(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("八月一日", "日期“八月一日”无法识别，请按 2005-08-01 填写"),
        ("2005-08/01", "日期“2005-08/01”无法识别，请按 2005-08-01 填写"),  # mixed separators
        ("05-8-1", "日期“05-8-1”无法识别，请按 2005-08-01 填写"),  # two-digit years are ambiguous
        ("2005-02-30", "日期“2005-02-30”不存在，请检查年、月、日"),
        ("2005/02/30", "日期“2005/02/30”不存在，请检查年、月、日"),
        ("2005-+8-01", "日期“2005-+8-01”无法识别，请按 2005-08-01 填写"),  # int() would take it
        ("2005-08- 1", "日期“2005-08- 1”无法识别，请按 2005-08-01 填写"),
        ("2005年13月", "日期“2005年13月”不存在，请检查年、月、日"),
        ("", "日期为空，请按 2005-08-01 填写"),
        ("   ", "日期为空，请按 2005-08-01 填写"),
        (None, "日期为空，请按 2005-08-01 填写"),
        (0, "日期“0”无法识别，请按 2005-08-01 填写"),
        (-5, "日期“-5”无法识别，请按 2005-08-01 填写"),
        (60, "日期“60”无法识别，请按 2005-08-01 填写"),  # 1900-02-29 does not exist
        (10**9, "日期“1000000000”无法识别，请按 2005-08-01 填写"),
        (float("nan"), "日期“nan”无法识别，请按 2005-08-01 填写"),
        (True, "日期“True”无法识别，请按 2005-08-01 填写"),  # a checkbox cell is not a date
    ],
)
def test_parse_date_says_what_it_expected(value, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_date(value)
