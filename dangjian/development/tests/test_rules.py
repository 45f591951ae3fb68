"""The rules of member development as tables, each at its boundary (RULES.md §1.2, §1.3)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.development import rules
from dangjian.development.rules import Ballot, Interval, PartyMemberFacts

D = dt.date
RULES = {rule.code: rule for rule in rules.DEFAULT_INTERVALS}


@pytest.mark.parametrize(
    ("code", "start", "end", "fails"),
    [
        # 年满十八岁 on the application date: the 18th birthday itself is enough.
        ("age", D(2005, 3, 1), D(2023, 3, 1), False),
        ("age", D(2005, 3, 1), D(2023, 2, 28), True),
        ("age", D(2004, 2, 29), D(2022, 2, 28), False),  # born on 29 February: of age on 28 February
        ("age", D(2004, 2, 29), D(2022, 2, 27), True),
        # 一个月内派人谈话 (advisory)
        ("talk", D(2023, 1, 31), D(2023, 2, 28), False),
        ("talk", D(2023, 1, 31), D(2023, 3, 1), True),
        # 积极分子满一年: one year from 2023-03-01 is 2024-03-01, not 365 days (2024-02-29)
        ("target_after_year", D(2023, 3, 1), D(2024, 3, 1), False),
        ("target_after_year", D(2023, 3, 1), D(2024, 2, 29), True),
        ("target_after_year", D(2022, 7, 15), D(2023, 7, 14), True),
        # 三个月内审批: three months from 31 March is 30 June
        ("approval_3m", D(2023, 3, 31), D(2023, 6, 30), False),
        ("approval_3m", D(2023, 3, 31), D(2023, 7, 1), True),
        ("approval_6m", D(2023, 8, 31), D(2024, 2, 29), False),  # leap February: its last day
        ("approval_6m", D(2023, 8, 31), D(2024, 3, 1), True),
        # 预备期一年
        ("probation_year", D(2023, 10, 10), D(2024, 10, 10), False),
        ("probation_year", D(2023, 10, 10), D(2024, 10, 9), True),
        ("regularization_approval", D(2024, 11, 30), D(2025, 2, 28), False),
        ("regularization_approval", D(2024, 11, 30), D(2025, 3, 1), True),
        ("activist_wait", D(2022, 1, 10), D(2022, 7, 10), False),
        ("activist_wait", D(2022, 1, 10), D(2022, 7, 9), True),
    ],
)
def test_interval_rules_at_their_boundary(code, start, end, fails):
    problem = rules.interval_problem(RULES[code], start, end)
    assert (problem is not None) == fails
    if problem is not None:
        assert RULES[code].source in problem  # the refusal cites the rule
        assert f"{end:%Y-%m-%d}" in problem


def test_interval_messages_say_the_limit_day():
    problem = rules.interval_problem(RULES["approval_3m"], D(2023, 3, 31), D(2023, 7, 1))
    assert "最迟应于2023-06-30办理" in str(problem)
    problem = rules.interval_problem(RULES["target_after_year"], D(2023, 3, 1), D(2024, 2, 29))
    assert "最早可于2024-03-01办理" in str(problem)


def test_day_rules_count_days():
    rule = Interval("x", 1, 2, False, 10, rules.Unit.DAYS, True, "测试")
    assert rules.interval_problem(rule, D(2023, 1, 1), D(2023, 1, 11)) is None
    assert rules.interval_problem(rule, D(2023, 1, 1), D(2023, 1, 12)) is not None


def test_the_migrations_ship_the_rules_table_of_rules_py():
    from importlib import import_module

    first = import_module("dangjian.development.migrations.0002_rule_table").ROWS
    publicity = import_module("dangjian.development.migrations.0004_publicity_rules").ROWS
    sources = import_module("dangjian.development.migrations.0005_rule_sources").SOURCES
    shipped = {row[0]: (*row[1:], "interval") for row in first} | {row[0]: row[1:] for row in publicity}
    for code, row in shipped.items():  # 0005 rewrote each shipped source, from what 0002/0004 wrote
        assert row[6] == sources[code][0]
        shipped[code] = (*row[:6], sources[code][1], row[7])
    for rule in rules.DEFAULT_INTERVALS:
        assert shipped[rule.code] == (
            rule.from_step,
            rule.to_step,
            rule.at_least,
            rule.amount,
            rule.unit,
            rule.blocking,
            rule.source,
            rule.kind,
        )
    assert len(shipped) == len(rules.DEFAULT_INTERVALS) == len(first) + len(publicity)
    # The publicity rows open where the service lets a publicity begin.
    assert {r.to_step: r.from_step for r in rules.DEFAULT_INTERVALS if r.kind == rules.PUBLICITY} == (
        rules.PUBLICITY_AFTER
    )


@pytest.mark.django_db
def test_rows_missing_from_the_rule_table_come_back_after_migrate_and_flush_edits_stay():
    """post_migrate (sent after ``migrate`` and after a flush) puts back the shipped rows that are
    gone, and leaves the county's edited rows as they are."""
    from django.core.management.sql import emit_post_migrate_signal

    from dangjian.development.models import IntervalRule

    IntervalRule.objects.filter(code="talk").update(amount=2, blocking=True)
    IntervalRule.objects.exclude(code="talk").delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert IntervalRule.objects.count() == len(rules.DEFAULT_INTERVALS)
    assert IntervalRule.objects.filter(code="talk", amount=2, blocking=True).exists()
    age = IntervalRule.objects.get(code="age")
    assert (age.amount, age.unit, age.blocking) == (18, rules.Unit.YEARS, True)


def test_the_25_steps_in_five_stages():
    assert len(rules.STEPS) == 25
    assert [s.number for s in rules.STEPS] == list(range(1, 26))
    assert [sum(1 for s in rules.STEPS if s.stage == stage) for stage in rules.Stage] == [2, 4, 5, 7, 7]


@pytest.mark.parametrize(
    ("assessments", "on", "missing"),
    [
        ((), D(2023, 1, 14), []),  # the first half year is not over yet
        ((), D(2023, 1, 15), [D(2023, 1, 15)]),  # it ends on the day: now it needs its assessment
        ((D(2022, 12, 20),), D(2023, 7, 15), [D(2023, 7, 15)]),
        ((D(2022, 12, 20), D(2023, 6, 20)), D(2023, 7, 15), []),
        ((D(2023, 1, 15), D(2023, 6, 20)), D(2023, 7, 15), [D(2023, 1, 15)]),  # two in the second half
        ((D(2022, 7, 15), D(2023, 1, 14)), D(2023, 7, 15), [D(2023, 7, 15)]),  # both in the first
    ],
)
def test_half_yearly_assessments(assessments, on, missing):
    activist = D(2022, 7, 15)
    assert rules.missing_assessments(activist, on, assessments) == missing
    problem = rules.assessments_problem(activist, on, assessments)
    assert (problem is None) == (not missing)
    if problem:
        assert "党支部应每半年对入党积极分子考察一次" in problem


def test_next_assessment_due():
    activist = D(2022, 7, 15)
    assert rules.next_assessment_due(activist, D(2022, 9, 1), []) == D(2023, 1, 15)
    assert rules.next_assessment_due(activist, D(2022, 9, 1), [D(2022, 8, 1)]) == D(2023, 7, 15)


def full(name, **changes):
    values = {"name": name, "is_full_member": True, "in_branch": True, "on_roll": True}
    return PartyMemberFacts(**(values | {"under_probation_discipline": False} | changes))


@pytest.mark.parametrize(
    ("introducers", "message"),
    [
        ([full("甲"), full("乙")], None),
        ([full("甲")], "应有2名正式党员作入党介绍人"),
        ([full("甲"), full("乙"), full("丙")], "应有2名正式党员作入党介绍人"),
        ([full("甲"), full("甲")], "不能是同一人"),
        ([full("甲"), full("乙", is_full_member=False)], "乙不是正式党员，不能担任入党介绍人"),
        ([full("甲"), full("乙", under_probation_discipline=True)], "乙受留党察看处分"),
        ([full("甲"), full("乙", in_branch=False)], "乙不是本支部的党员"),
        ([full("甲"), full("乙", on_roll=False)], "乙当前党籍状态不正常"),
    ],
)
def test_introducers(introducers, message):
    problems = rules.introducer_problems(introducers)
    if message is None:
        assert problems == []
    else:
        assert any(message in p for p in problems), problems


@pytest.mark.parametrize(
    ("contacts", "ok"),
    [
        ([full("甲")], True),
        ([full("甲"), full("乙")], True),
        ([], False),
        ([full("甲"), full("乙"), full("丙")], False),
    ],
)
def test_contacts_one_or_two(contacts, ok):
    assert (rules.contact_problems(contacts) == []) == ok


@pytest.mark.parametrize(
    ("days", "hours", "ok"),
    [(3, None, True), (2, None, False), (None, 24, True), (2, 23, False), (0, 0, False), (None, None, False)],
)
def test_training_three_days_or_24_hours(days, hours, ok):
    problem = rules.training_problem(days, hours)
    assert (problem is None) == ok
    if problem:
        assert "第十七条" in problem


@pytest.mark.parametrize(
    ("leaving", "ok"),
    [(None, True), (D(2023, 6, 30), True), (D(2023, 6, 29), False), (D(2023, 4, 1), False)],
)
def test_not_leaving_the_unit_within_three_months(leaving, ok):
    problem = rules.leaving_problem(D(2023, 3, 31), leaving)
    assert (problem is None) == ok


@pytest.mark.parametrize(
    ("months", "already", "ok"),
    [
        (6, False, True),
        (12, False, True),
        (5, False, False),
        (13, False, False),
        (None, False, False),
        (6, True, False),
    ],
)
def test_extension_once_six_to_twelve_months(months, already, ok):
    assert (rules.extension_problem(months, already) is None) == ok


def test_probation_end():
    assert rules.probation_end(D(2023, 10, 10)) == D(2024, 10, 10)
    assert rules.probation_end(D(2024, 2, 29)) == D(2025, 2, 28)
    assert rules.probation_end(D(2023, 8, 31), 6) == D(2025, 2, 28)


# --- votes (RULES.md §1.3) ---


@pytest.mark.parametrize(
    ("ballot", "quorum", "passed"),
    [
        (Ballot(expected=10, present=6, yes=6, no=0, abstain=0), True, True),
        (Ballot(expected=10, present=5, yes=5, no=0, abstain=0), False, False),  # half is not more than half
        (Ballot(expected=10, present=6, yes=5, no=1, abstain=0), True, False),  # yes 5 of 10 expected
        (Ballot(expected=10, present=6, yes=5, no=1, abstain=0, written_yes=1), True, True),  # written counts
        (Ballot(expected=10, present=5, yes=5, no=0, abstain=0, written_yes=3), False, False),  # not toward quorum
        (Ballot(expected=9, present=5, yes=5, no=0, abstain=0), True, True),
        (Ballot(expected=9, present=5, yes=4, no=1, abstain=0), True, False),
        (Ballot(expected=3, present=2, yes=2, no=0, abstain=0), True, True),
    ],
)
def test_vote_table(ballot, quorum, passed):
    result = rules.tally(ballot)
    assert (result.quorum, result.passed) == (quorum, passed)
    refusal = rules.vote_refusal(result)
    assert (refusal is None) == passed
    if refusal:
        assert f"应到会有表决权的正式党员{ballot.expected}人" in refusal


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        (Ballot(expected=5, present=6, yes=6, no=0, abstain=0), "超过应到会人数"),
        (Ballot(expected=9, present=6, yes=5, no=2, abstain=0), "超过实到会人数"),
        (Ballot(expected=9, present=8, yes=8, no=0, abstain=0, written_yes=2), "书面意见2份之和超过应到会人数"),
    ],
)
def test_inconsistent_counts_are_refused(ballot, message):
    refusal = rules.vote_refusal(rules.tally(ballot))
    assert refusal is not None and message in refusal


ballots = st.integers(min_value=0, max_value=200).flatmap(
    lambda expected: st.integers(min_value=0, max_value=expected).flatmap(
        lambda present: st.tuples(
            st.just(expected),
            st.just(present),
            st.integers(min_value=0, max_value=present).flatmap(
                lambda yes: st.tuples(st.just(yes), st.integers(min_value=0, max_value=present - yes))
            ),
            st.integers(min_value=0, max_value=expected - present),
        )
    )
)


@given(ballots)
def test_consistent_ballots_pass_exactly_by_strict_majorities(case):
    expected, present, (yes, no), written_yes = case
    ballot = Ballot(
        expected=expected, present=present, yes=yes, no=no, abstain=present - yes - no, written_yes=written_yes
    )
    result = rules.tally(ballot)
    assert result.problems == ()
    assert result.quorum == (present > expected / 2)
    assert result.passed == (present > expected / 2 and yes + written_yes > expected / 2)
    # The denominator is expected, not present: a pass always has a majority of everyone expected.
    if result.passed:
        assert 2 * (yes + written_yes) >= expected + 1
    assert (rules.vote_refusal(result) is None) == result.passed


@given(ballots, st.integers(min_value=1, max_value=20))
def test_one_more_expected_voter_never_turns_a_failed_vote_into_a_pass(case, more):
    expected, present, (yes, no), written_yes = case
    ballot = Ballot(
        expected=expected, present=present, yes=yes, no=no, abstain=present - yes - no, written_yes=written_yes
    )
    bigger = Ballot(
        expected=expected + more, present=present, yes=yes, no=no, abstain=present - yes - no, written_yes=written_yes
    )
    if not rules.tally(ballot).passed:
        assert not rules.tally(bigger).passed


@given(
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=100),
)
def test_impossible_counts_never_pass(expected, present, yes, no):
    ballot = Ballot(expected=expected, present=present, yes=yes, no=no, abstain=0)
    result = rules.tally(ballot)
    if present > expected or yes + no > present:
        assert not result.passed
        assert result.problems


# --- 预备期考察 (step 21), counted in calendar half years from the branch vote ---

JOINED = D(2023, 10, 10)  # probation: 2023-10-10 to 2024-10-10; half years end 2024-04-10, 2024-10-10


@pytest.mark.parametrize(
    ("joined", "extension", "assessments", "on", "missing"),
    [
        (JOINED, 0, (), D(2024, 4, 9), []),  # the first half year is not over yet
        (JOINED, 0, (), D(2024, 4, 10), [D(2024, 4, 10)]),  # over on the day it ends
        (JOINED, 0, (), D(2024, 10, 10), [D(2024, 4, 10), D(2024, 10, 10)]),
        (JOINED, 0, (D(2024, 3, 1), D(2024, 9, 1)), D(2024, 10, 10), []),
        (JOINED, 0, (D(2024, 4, 9), D(2024, 10, 9)), D(2024, 10, 10), []),  # the last day of each half
        (JOINED, 0, (D(2024, 4, 10), D(2024, 9, 1)), D(2024, 10, 10), [D(2024, 4, 10)]),  # both in the second
        (JOINED, 0, (D(2023, 10, 10), D(2024, 10, 10)), D(2024, 10, 10), [D(2024, 10, 10)]),  # day after the end
        # a vote held late: the time after the end of probation is not a half year to assess
        (JOINED, 0, (D(2024, 3, 1), D(2024, 9, 1)), D(2025, 6, 1), []),
        # extended by 6 months: a third half year, to 2025-04-10
        (JOINED, 6, (D(2024, 3, 1), D(2024, 9, 1)), D(2025, 4, 10), [D(2025, 4, 10)]),
        (JOINED, 6, (D(2024, 3, 1), D(2024, 9, 1), D(2025, 1, 15)), D(2025, 4, 10), []),
        # extended by 8 months (to 2025-06-10): the unfinished fourth half year needs nothing
        (JOINED, 8, (D(2024, 3, 1), D(2024, 9, 1), D(2025, 1, 15)), D(2025, 6, 10), []),
        # month ends: from 2023-08-31 the first half year ends on 2024-02-29 (leap year)
        (D(2023, 8, 31), 0, (D(2024, 2, 28), D(2024, 8, 30)), D(2024, 8, 31), []),
        (D(2023, 8, 31), 0, (D(2024, 2, 29), D(2024, 8, 30)), D(2024, 8, 31), [D(2024, 2, 29)]),
    ],
)
def test_probation_assessments_every_half_year(joined, extension, assessments, on, missing):
    end = rules.probation_end(joined, extension)
    problem = rules.probation_assessments_problem(joined, end, on, assessments)
    assert (problem is None) == (not missing)
    if problem:
        assert "每半年考察一次" in problem
        assert "截至" + "、".join(f"{day:%Y-%m-%d}" for day in missing) + "的半年内没有预备期考察记录" in problem


@pytest.mark.parametrize(
    ("assessments", "on", "due"),
    [
        ((), D(2024, 1, 1), D(2024, 4, 10)),
        ((), D(2024, 5, 1), D(2024, 4, 10)),  # missing: the overdue one first
        ((D(2024, 3, 1),), D(2024, 5, 1), D(2024, 10, 10)),
        ((D(2024, 3, 1), D(2024, 5, 1)), D(2024, 5, 1), None),  # the next half year would end after probation
        ((D(2024, 3, 1), D(2024, 9, 1)), D(2024, 11, 1), None),
        ((D(2024, 3, 1),), D(2024, 11, 1), D(2024, 10, 10)),
    ],
)
def test_next_probation_assessment_due(assessments, on, due):
    assert rules.next_probation_assessment_due(JOINED, D(2024, 10, 10), on, assessments) == due


# --- 公示: working days are Monday to Friday (no holiday calendar) ---


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (D(2024, 3, 4), D(2024, 3, 8), 5),  # Monday to Friday
        (D(2024, 3, 4), D(2024, 3, 7), 4),  # Monday to Thursday
        (D(2024, 3, 7), D(2024, 3, 13), 5),  # Thursday to Wednesday, across a weekend
        (D(2024, 3, 7), D(2024, 3, 12), 4),  # Thursday to Tuesday
        (D(2024, 3, 9), D(2024, 3, 10), 0),  # a weekend
        (D(2024, 3, 9), D(2024, 3, 15), 5),  # Saturday to Friday
        (D(2024, 3, 8), D(2024, 3, 15), 6),  # Friday to Friday
        (D(2024, 3, 4), D(2024, 3, 4), 1),
        (D(2024, 3, 5), D(2024, 3, 4), 0),  # end before start
        (D(2024, 3, 1), D(2024, 3, 31), 21),
        (D(2024, 9, 30), D(2024, 10, 4), 5),  # 国庆 counts: no holiday calendar (said in the warning)
    ],
)
def test_working_days(start, end, days):
    assert rules.working_days(start, end) == days


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 1, 1)), st.integers(min_value=0, max_value=60))
def test_working_days_count_each_weekday(start, length):
    end = start + dt.timedelta(days=length)
    by_hand = sum(1 for i in range(length + 1) if (start + dt.timedelta(days=i)).weekday() < 5)
    assert rules.working_days(start, end) == by_hand


OPENED = D(2022, 8, 1)  # step 6 of the full path: the target's publicity may begin from here


@pytest.mark.parametrize(
    ("periods", "on", "message"),
    [
        ([(D(2023, 7, 3), D(2023, 7, 7))], D(2023, 7, 15), None),  # Monday to Friday: 5
        ([(D(2023, 7, 6), D(2023, 7, 12))], D(2023, 7, 15), None),  # Thursday to Wednesday: 5
        ([(D(2023, 7, 6), D(2023, 7, 11))], D(2023, 7, 15), "只有4个工作日"),  # Thursday to Tuesday
        ([(D(2023, 7, 3), D(2023, 7, 6))], D(2023, 7, 15), "只有4个工作日"),  # Monday to Thursday
        ([], D(2023, 7, 15), "之后没有公示记录"),
        ([(D(2022, 7, 25), D(2022, 7, 29))], D(2023, 7, 15), "之后没有公示记录"),  # before it could begin
        ([(D(2023, 7, 10), D(2023, 7, 14))], D(2023, 7, 14), "应在公示期满后办理"),  # not over on the day
        ([(D(2023, 7, 10), D(2023, 7, 14))], D(2023, 7, 15), None),
        ([(D(2023, 7, 3), D(2023, 7, 5)), (D(2023, 7, 6), D(2023, 7, 12))], D(2023, 7, 15), None),  # one suffices
    ],
)
def test_publicity_of_five_working_days(periods, on, message):
    rule = RULES["publicity_target"]
    problem = rules.publicity_problem(rule, OPENED, on, periods)
    assert (problem is None) == (message is None)
    if problem:
        assert message in problem
        assert "公示期不少于5个工作日（按周一至周五计" in problem
        assert rule.source in problem
