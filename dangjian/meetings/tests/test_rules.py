"""The rules of organizational life as tables (RULES.md §4, §6.2; RULES-2.md §2, §7)."""

import datetime as dt

import pytest

from dangjian.meetings import rules
from dangjian.meetings.rules import Colour, Duty, Span

D = dt.date
Q1 = Span(D(2026, 1, 1), D(2026, 3, 31))
JAN = Span(D(2026, 1, 1), D(2026, 1, 31))
YEAR = Span(D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.parametrize(
    ("period", "in_quarter", "first", "last", "count"),
    [
        ("month", None, Span(D(2026, 1, 1), D(2026, 1, 31)), Span(D(2026, 12, 1), D(2026, 12, 31)), 12),
        ("quarter", None, Q1, Span(D(2026, 10, 1), D(2026, 12, 31)), 4),
        ("half_year", None, Span(D(2026, 1, 1), D(2026, 6, 30)), Span(D(2026, 7, 1), D(2026, 12, 31)), 2),
        ("year", None, YEAR, YEAR, 1),
        ("year", 4, Span(D(2026, 10, 1), D(2026, 12, 31)), Span(D(2026, 10, 1), D(2026, 12, 31)), 1),
    ],
)
def test_the_periods_of_a_year(period: str, in_quarter: int | None, first: Span, last: Span, count: int) -> None:
    spans = rules.periods(period, 2026, in_quarter)
    assert (spans[0], spans[-1], len(spans)) == (first, last, count)


def test_february_of_a_leap_year_ends_on_the_29th() -> None:
    assert rules.periods("month", 2028)[1] == Span(D(2028, 2, 1), D(2028, 2, 29))


@pytest.mark.parametrize(
    ("minimum", "span", "founded", "abolished", "expected"),
    [
        (1, JAN, None, None, 1),
        (1, JAN, D(2025, 6, 1), None, 1),  # existed the whole month
        (1, JAN, D(2026, 1, 1), None, 1),  # founded on the first day: the whole month
        (1, JAN, D(2026, 1, 15), None, 0),  # founded mid-month: nothing that month
        (1, Q1, D(2026, 2, 10), None, 0),  # founded mid-quarter: no 党员大会 that quarter
        (4, YEAR, D(2026, 7, 1), None, 2),  # founded on 1 July: 2 of the year's 4 党课 (184/365 → 2.01)
        (4, YEAR, D(2026, 10, 1), None, 1),  # 92/365 of 4 = 1.0: one
        (1, Q1, None, D(2026, 2, 10), 0),  # merged away mid-quarter: nothing that quarter
        (1, JAN, None, D(2026, 2, 1), 1),  # abolished on 1 February: January whole
        (1, JAN, None, D(2026, 1, 31), 0),  # abolished on the 31st: the 31st missing
        (4, YEAR, None, D(2026, 7, 1), 1),  # abolished on 1 July: 181/365 of 4 = 1.98 → 1
        (1, JAN, D(2026, 3, 1), None, 0),  # not yet founded
    ],
)
def test_what_an_organization_owes_in_a_period(
    minimum: int, span: Span, founded: dt.date | None, abolished: dt.date | None, expected: int
) -> None:
    assert rules.owed(minimum, span, founded, abolished) == expected


@pytest.mark.parametrize(
    ("held", "owed", "as_of", "expected"),
    [
        (0, 0, D(2026, 2, 1), Duty.NONE),
        (1, 1, D(2026, 1, 5), Duty.DONE),
        (2, 1, D(2026, 2, 5), Duty.DONE),
        (0, 1, D(2026, 2, 1), Duty.OVERDUE),  # the month ended short
        (0, 1, D(2026, 1, 31), Duty.DUE),  # the last day: due, not yet overdue
        (0, 1, D(2026, 1, 22), Duty.DUE),  # 9 days left < 10 reminder days
        (0, 1, D(2026, 1, 21), Duty.NOT_YET),  # 10 days left
        (0, 1, D(2025, 12, 25), Duty.NOT_YET),  # before the period
        (3, 4, D(2027, 1, 1), Duty.OVERDUE),
    ],
)
def test_the_status_of_a_duty(held: int, owed: int, as_of: dt.date, expected: Duty) -> None:
    span = JAN if owed < 4 else YEAR
    assert rules.duty(held, owed, span, as_of, due_soon_days=10) == expected


@pytest.mark.parametrize(
    ("duties", "silent", "expected"),
    [
        ([Duty.DONE, Duty.DONE], False, Colour.GREEN),
        ([Duty.DONE, Duty.OVERDUE], False, Colour.RED),
        ([Duty.DUE, Duty.OVERDUE], True, Colour.RED),
        ([Duty.DONE, Duty.DUE], False, Colour.YELLOW),
        ([Duty.DONE], True, Colour.YELLOW),  # 静默: nothing of any kind for 30 days
        ([Duty.DONE, Duty.NOT_YET], False, Colour.BLANK),  # still open, not yet due
        ([Duty.NONE], False, Colour.BLANK),
        ([], False, Colour.BLANK),
    ],
)
def test_the_colour_of_a_month(duties: list[Duty], silent: bool, expected: Colour) -> None:
    assert rules.colour(duties, silent=silent) == expected


@pytest.mark.parametrize(
    ("held", "entered", "days", "expected"),
    [
        (D(2026, 3, 1), D(2026, 3, 1), 7, False),
        (D(2026, 3, 1), D(2026, 3, 8), 7, False),
        (D(2026, 3, 1), D(2026, 3, 9), 7, True),
    ],
)
def test_backfilled_after_the_setting_s_days(held: dt.date, entered: dt.date, days: int, expected: bool) -> None:
    assert rules.is_backfilled(held, entered, days) is expected


@pytest.mark.parametrize(
    ("present", "size", "expected"),
    [(3, 5, True), (2, 5, False), (2, 4, False), (3, 4, True), (2, 3, True), (0, 0, False)],
)
def test_a_committee_meeting_needs_more_than_half(present: int, size: int, expected: bool) -> None:
    # 支部工作条例 第十二条: 须有半数以上委员到会 — exactly half is not enough.
    assert rules.quorum_met(present, size) is expected


def test_two_kinds_neither_of_which_allows_the_other_cannot_be_one_meeting() -> None:
    combines = {"theme_day": {"general_assembly"}, "general_assembly": set(), "committee": set()}
    names = {"theme_day": "主题党日", "general_assembly": "支部党员大会", "committee": "支部委员会"}
    assert rules.combination_problem(["theme_day", "general_assembly"], combines, names) is None
    assert rules.combination_problem(["general_assembly", "committee"], combines, names) == (
        "“支部委员会”与“支部党员大会”不能合并为一次会议召开"
    )


@pytest.mark.parametrize(
    ("took_part", "excused", "missed", "expected"),
    [(0, 0, 3, True), (1, 0, 5, False), (0, 1, 5, False), (0, 0, 0, False)],
)
def test_six_months_without_organizational_life(took_part: int, excused: int, missed: int, expected: bool) -> None:
    assert rules.lapsed(took_part, excused, missed) is expected


@pytest.mark.parametrize(
    ("as_of", "start"),
    [(D(2026, 8, 31), D(2026, 3, 1)), (D(2026, 11, 30), D(2026, 6, 1)), (D(2026, 11, 15), D(2026, 5, 16))],
)
def test_the_lapse_window_is_six_calendar_months_to_the_day(as_of: dt.date, start: dt.date) -> None:
    assert rules.lapse_window(as_of, 6) == Span(start, as_of)


def test_a_past_year_is_read_once_it_is_over_and_this_year_as_of_today() -> None:
    assert rules.reading_day(2025, D(2026, 12, 2)) == D(2026, 1, 1)
    assert rules.reading_day(2026, D(2026, 12, 2)) == D(2026, 12, 2)
