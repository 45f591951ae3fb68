"""The transfer and mobile-member rules as tables (RULES.md §3)."""

import datetime as dt

import pytest

from dangjian.transfers import rules
from dangjian.transfers.rules import AcceptFacts, ContactAlert

D = dt.date


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (1, "壹"),
        (10, "壹拾"),
        (15, "壹拾伍"),
        (30, "叁拾"),
        (90, "玖拾"),
        (100, "壹佰"),
        (105, "壹佰零伍"),
        (180, "壹佰捌拾"),
        (1001, "壹仟零壹"),
        (2026, "贰仟零贰拾陆"),
    ],
)
def test_capital_numerals_as_the_letter_writes_days_and_ages(n, text):
    assert rules.capital_number(n) == text


def test_the_dues_month_is_written_in_capitals():
    assert rules.capital_month(D(2026, 3, 17)) == "贰零贰陆年叁月"
    assert rules.capital_month(D(2025, 12, 1)) == "贰零贰伍年壹拾贰月"


@pytest.mark.parametrize(
    ("lineage", "expected"),
    [
        ([(1, "committee"), (2, "committee"), (3, "branch")], 2),  # the town 党委 above the branch
        ([(1, "committee"), (2, "working_committee"), (3, "general_branch"), (4, "branch")], 2),
        ([(1, "committee"), (3, "branch")], 1),  # a branch directly under the county
        ([(1, "committee")], 1),  # a 党委 holding members directly sends for itself
        ([(5, "branch")], None),
    ],
)
def test_the_sending_committee_is_the_nearest_party_committee(lineage, expected):
    assert rules.approving_committee(lineage) == expected


@pytest.mark.parametrize(
    ("days", "problem"),
    [(None, "请填写"), (0, "至少1天"), (1, None), (30, None), (90, None), (91, "不超过90天")],
)
def test_letter_validity_is_at_most_three_months(days, problem):
    found = rules.valid_days_problem(days, 90)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(
    ("date", "field_message"),
    [
        (D(2026, 1, 10), None),
        (D(2026, 1, 31), None),  # the last valid day
        (D(2026, 2, 1), "已于2026-01-31过期"),
        (D(2026, 1, 9), "不能早于介绍信开具日期"),
        (D(2026, 3, 1), "不能晚于今天"),
    ],
)
def test_acceptance_within_the_letter_validity(date, field_message):
    facts = AcceptFacts(issued=D(2026, 1, 10), valid_until=D(2026, 1, 31), date=date, today=D(2026, 2, 20))
    problems = rules.accept_problems(facts)
    assert (not problems) if field_message is None else field_message in problems["date"]


@pytest.mark.parametrize(
    ("accepted", "receipt", "today", "overdue"),
    [
        (D(2026, 1, 31), None, D(2026, 2, 28), False),  # one month from 31 January is 28 February
        (D(2026, 1, 31), None, D(2026, 3, 1), True),
        (D(2026, 1, 31), D(2026, 2, 3), D(2026, 6, 1), False),
        (None, None, D(2026, 6, 1), False),
    ],
)
def test_the_receipt_is_due_within_one_month(accepted, receipt, today, overdue):
    assert rules.receipt_overdue(accepted, receipt, today) is overdue


@pytest.mark.parametrize(
    ("last_contact", "suspended", "today", "alert"),
    [
        (D(2025, 1, 1), None, D(2025, 6, 30), ContactAlert.NONE),
        (D(2025, 1, 1), None, D(2025, 7, 1), ContactAlert.SUSPEND),  # 6 months without contact
        (D(2025, 1, 1), None, D(2027, 6, 30), ContactAlert.SUSPEND),
        (D(2025, 1, 1), None, D(2027, 7, 1), ContactAlert.REMOVE),  # 6 months + 2 years
        (D(2025, 1, 1), D(2026, 3, 1), D(2028, 2, 28), ContactAlert.NONE),  # suspended: wait 2 years
        (D(2025, 1, 1), D(2026, 3, 1), D(2028, 3, 1), ContactAlert.REMOVE),
    ],
)
def test_out_of_contact_members_are_listed_for_suspension_then_removal(last_contact, suspended, today, alert):
    assert rules.contact_alert(last_contact, suspended, today) == alert


def test_the_certificate_is_reviewed_once_a_year():
    assert not rules.review_due(D(2025, 3, 1), None, D(2026, 3, 1))
    assert rules.review_due(D(2025, 3, 1), None, D(2026, 3, 2))
    assert not rules.review_due(D(2024, 3, 1), D(2025, 12, 1), D(2026, 3, 2))
