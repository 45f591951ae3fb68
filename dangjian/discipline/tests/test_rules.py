"""The rules of 党纪处分 (RULES.md §6.1, §1.2), table by table, at their boundaries."""

import dataclasses
import datetime as dt
from typing import Any

import pytest

from dangjian.discipline import rules
from dangjian.discipline.models import SanctionKind as K

D = dt.date
TODAY = D(2026, 6, 15)


@pytest.mark.parametrize(
    ("kind", "decided", "months", "extension", "until"),
    [
        # RULES.md §6.1: 警告 1 year, 严重警告 1.5 years, 撤销党内职务 2 years, by the calendar.
        (K.WARNING, D(2024, 3, 15), None, None, D(2025, 3, 15)),
        (K.WARNING, D(2024, 2, 29), None, None, D(2025, 2, 28)),  # no 29 February: the month's last day
        (K.SERIOUS_WARNING, D(2024, 1, 10), None, None, D(2025, 7, 10)),
        (K.SERIOUS_WARNING, D(2023, 8, 31), None, None, D(2025, 2, 28)),
        (K.REMOVAL_FROM_POST, D(2024, 1, 10), None, None, D(2026, 1, 10)),
        (K.PROBATION, D(2024, 1, 31), 12, None, D(2025, 1, 31)),
        (K.PROBATION, D(2024, 1, 31), 24, None, D(2026, 1, 31)),
        (K.PROBATION, D(2024, 1, 31), 12, 12, D(2026, 1, 31)),  # extended: never beyond 2 years
        (K.EXPULSION, D(2024, 2, 29), None, None, D(2029, 2, 28)),  # 5 years without re-joining
    ],
)
def test_effect_periods_are_calendar_periods(kind, decided, months, extension, until):
    assert rules.effect_until(kind, decided, months, extension) == until


def test_post_restriction_lasts_two_years_after_restoration():
    assert rules.post_restriction_until(D(2025, 2, 28)) == D(2027, 2, 28)


FACTS = rules.SanctionFacts(
    name="张三",
    kind=K.WARNING,
    decided_on=D(2026, 1, 10),
    reason="违反组织纪律",
    months=None,
    joined_date=D(2020, 7, 1),
    regularized_date=D(2021, 7, 1),
    on_roll=True,
    status_label="正常",
)


def facts(**changes: Any) -> rules.SanctionFacts:
    return dataclasses.replace(FACTS, **changes)


OPEN = rules.OpenProbation(D(2025, 3, 1), D(2026, 3, 1))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({}, None, None),
        ({"kind": "demotion"}, "kind", "请选择处分种类"),
        ({"reason": "  "}, "reason", "请填写处分事由"),
        ({"reason": "长" * 501}, "reason", "处分事由不能超过500个字"),
        ({"decided_on": None}, "decided_on", "请填写处分决定日期"),
        ({"decided_on": TODAY}, None, None),  # today is allowed
        ({"decided_on": TODAY + dt.timedelta(days=1)}, "decided_on", "处分决定日期不能晚于今天"),
        ({"decided_on": D(2020, 7, 1)}, None, None),  # the joining day itself
        ({"decided_on": D(2020, 6, 30)}, "decided_on", "处分决定日期不能早于张三的入党日期2020-07-01"),
        # 留党察看: 12 or 24 months (RULES.md §6.1), and only that sanction takes months.
        ({"kind": K.PROBATION, "months": 12}, None, None),
        ({"kind": K.PROBATION, "months": 24}, None, None),
        ({"kind": K.PROBATION, "months": 18}, "months", "留党察看期限为一年（12个月）或二年（24个月）"),
        ({"kind": K.PROBATION, "months": None}, "months", "留党察看期限为一年"),
        ({"months": 12}, "months", "只有留党察看填写察看期限"),
        # Out of the party: nothing more.
        ({"on_roll": False, "status_label": "出党"}, None, "张三的党籍状态为出党，已不是党员，不能再给予党纪处分"),
    ],
)
def test_a_new_sanction(changes, field, message):
    problems = rules.sanction_problems(facts(**changes), TODAY)
    if message is None:
        assert problems == {}
    else:
        assert message in problems[field], problems


@pytest.mark.parametrize(
    ("kind", "regularized", "decided", "refused"),
    [
        # RULES.md §1.2: 预备党员 are not given 留党察看; the serious case is cancellation.
        (K.PROBATION, D(2021, 7, 1), D(2021, 7, 1), False),  # 正式 from the regularization day
        (K.PROBATION, D(2021, 7, 1), D(2021, 6, 30), True),  # the day before: still 预备
        (K.PROBATION, None, D(2026, 1, 10), True),
        (K.EXPULSION, None, D(2026, 1, 10), True),
        (K.EXPULSION, D(2021, 7, 1), D(2021, 6, 30), True),
        (K.WARNING, None, D(2026, 1, 10), False),
    ],
)
def test_probationary_members_are_not_given_probation_or_expulsion(kind, regularized, decided, refused):
    months = 12 if kind == K.PROBATION else None
    problems = rules.sanction_problems(
        facts(kind=kind, regularized_date=regularized, decided_on=decided, months=months), TODAY
    )
    assert ("kind" in problems) == refused, problems
    if refused and kind == K.PROBATION:
        assert f"张三在{decided:%Y-%m-%d}是预备党员，预备党员不适用留党察看" in problems["kind"]
        assert "《中国共产党发展党员工作细则》" in problems["kind"]
    if refused and kind == K.EXPULSION:
        assert "应取消预备党员资格" in problems["kind"]


@pytest.mark.parametrize(
    ("kind", "decided", "field"),
    [
        (K.WARNING, D(2025, 3, 1), "kind"),  # the day it starts: during
        (K.SERIOUS_WARNING, D(2026, 2, 28), "kind"),
        (K.REMOVAL_FROM_POST, D(2026, 3, 2), "kind"),  # past the end but not restored: still open
        (K.PROBATION, D(2025, 9, 1), "kind"),
        (K.PROBATION, D(2025, 2, 1), "kind"),  # a second 留党察看 while one is open, whatever the date
        (K.WARNING, D(2025, 2, 28), None),  # before it: an earlier sanction entered late
        (K.EXPULSION, D(2025, 9, 1), None),  # the consequence RULES.md names
        (K.EXPULSION, D(2025, 2, 28), "decided_on"),
    ],
)
def test_during_probation_only_expulsion(kind, decided, field):
    months = 12 if kind == K.PROBATION else None
    problems = rules.sanction_problems(facts(kind=kind, decided_on=decided, months=months, open_probation=OPEN), TODAY)
    if field is None:
        assert problems == {}
        return
    assert list(problems) == [field]
    if field == "kind":
        assert "张三正在留党察看期间（2025-03-01起，2026-03-01期满）" in problems["kind"]
        assert "察看期间又违犯党纪应当给予处分的，应开除党籍（《中国共产党纪律处分条例》）" in problems["kind"]
    else:
        assert problems["decided_on"] == "开除党籍的日期不能早于留党察看的决定日期2025-03-01"


PROBATION = rules.ProbationFacts(
    kind=K.PROBATION,
    decided_on=D(2024, 1, 31),
    months=12,
    extension_months=None,
    extended_on=None,
    ending="",
    ended_on=None,
)


def probation(**changes: Any) -> rules.ProbationFacts:
    return dataclasses.replace(PROBATION, **changes)


REASON = "期满仍不具备恢复党员权利的条件"


@pytest.mark.parametrize(
    ("changes", "date", "field", "message"),
    [
        ({}, D(2025, 1, 31), None, None),  # on its end date
        ({}, D(2025, 1, 30), "date", "留党察看2025-01-31期满，期满时才能决定延长（不能早于2025-01-31）"),
        ({}, D(2026, 1, 30), None, None),  # the last day of the extended year
        ({}, D(2026, 1, 31), "date", "延长决定日期2026-01-31已在延长后的期满日2026-01-31之后"),
        ({}, TODAY + dt.timedelta(days=1), "date", "决定日期不能晚于今天"),
        ({}, None, "date", "请填写延长决定日期"),
        (
            {"months": 24},
            D(2026, 1, 31),
            None,
            "二年的留党察看不能延长：留党察看最长不超过二年（《中国共产党纪律处分条例》）",
        ),
        (
            {"extension_months": 12, "extended_on": D(2025, 1, 31)},
            D(2025, 6, 1),
            None,
            "该留党察看已于2025-01-31延长一年，只能延长一次，总期限不超过二年",
        ),
        (
            {"ending": "restored", "ended_on": D(2025, 1, 31)},
            D(2025, 2, 1),
            None,
            "已于2025-01-31恢复党员权利，已经结束",
        ),
        ({"kind": K.WARNING, "months": None}, D(2025, 2, 1), None, "只有留党察看可以延长"),
    ],
)
def test_extension(changes, date, field, message):
    problems = rules.extension_problems(probation(**changes), date, REASON, TODAY)
    if field is None and message is None:
        assert problems == {}
        return
    assert message in problems[field], problems


def test_extension_needs_its_reason():
    assert rules.extension_problems(probation(), D(2025, 1, 31), " ", TODAY) == {
        "reason": "请写明延长理由（期满时仍不具备恢复党员权利的条件）"
    }


@pytest.mark.parametrize(
    ("changes", "date", "message"),
    [
        ({}, D(2025, 1, 31), None),  # the end date itself
        ({}, D(2025, 1, 30), "留党察看2025-01-31期满，期满前不能恢复党员权利"),
        ({"extension_months": 12, "extended_on": D(2025, 1, 31)}, D(2026, 1, 30), "（含延长的一年）2026-01-31期满"),
        ({"extension_months": 12, "extended_on": D(2025, 1, 31)}, D(2026, 1, 31), None),
        ({"months": 24}, D(2026, 1, 30), "2026-01-31期满，期满前不能恢复党员权利"),
        ({}, TODAY + dt.timedelta(days=1), "恢复党员权利的日期不能晚于今天"),
        (
            {"ending": "expelled", "ended_on": D(2024, 6, 1)},
            D(2025, 2, 1),
            "该留党察看已于2024-06-01开除党籍，已经结束",
        ),
    ],
)
def test_restoration_only_at_the_end(changes, date, message):
    problems = rules.restoration_problems(probation(**changes), date, TODAY)
    if message is None:
        assert problems == {}
    else:
        assert any(message in text for text in problems.values()), problems
