"""Compliance as tables across month, quarter and year boundaries: an organization founded
mid-quarter, one merged away mid-quarter, a rule changed mid-year, a meeting back-filled after its
period ended; the colour of each month; the 党委书记's own 党课."""

import datetime as dt
from typing import Any

import pytest

from dangjian.meetings import compliance
from dangjian.meetings.models import ComplianceRule, MeetingKind
from dangjian.meetings.rules import Colour, Duty
from dangjian.orgs.models import OrgKind, UnitCategory
from dangjian.orgs.services import create_organization

from .conftest import D, record

END = D(2026, 11, 30)  # read as of the end of November: every month but December has ended


@pytest.fixture(autouse=True, params=["meetings", "tally"])
def counted_from(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every case twice: read from the meetings (``END`` lies in the past) and through the month
    tally (``END`` is today, as on the day these pages are read)."""
    if request.param == "tally":
        monkeypatch.setattr(compliance.timezone, "localdate", lambda: END)
    return str(request.param)


def only(*rules: tuple[str, str, int, dt.date, dt.date | None]) -> None:
    """Replace the rule table with these (kind, period, minimum, valid from, valid to) for branches."""
    ComplianceRule.objects.all().delete()
    for code, period, minimum, since, until in rules:
        ComplianceRule.objects.create(
            applies_to="branch",
            kind=MeetingKind.objects.get(code=code),
            period=period,
            min_count=minimum,
            valid_from=since,
            valid_to=until,
            basis="测试",
        )


def standing(world: Any, organization: Any, as_of: dt.date = END) -> compliance.OrgYear:
    found = compliance.one(world.county_admin, organization, 2026, as_of)
    assert found is not None
    return found


def table(row: compliance.OrgYear) -> dict[tuple[str, str], tuple[int, int, Duty]]:
    return {(d.rule.kind.code, f"{d.span.start:%m}-{d.span.end:%m}"): (d.held, d.owed, d.duty) for d in row.duties}


def test_quarters_count_the_meetings_held_in_them_by_the_day_held(world: Any) -> None:
    only(("general_assembly", "quarter", 1, D(2019, 1, 1), None))
    record(world, world.village, D(2026, 3, 31), "general_assembly")  # the last day of Q1
    record(world, world.village, D(2026, 7, 1), "general_assembly")  # the first day of Q3
    record(world, world.village, D(2026, 10, 15), "general_assembly")
    assert table(standing(world, world.village)) == {
        ("general_assembly", "01-03"): (1, 1, Duty.DONE),
        ("general_assembly", "04-06"): (0, 1, Duty.OVERDUE),
        ("general_assembly", "07-09"): (1, 1, Duty.DONE),
        ("general_assembly", "10-12"): (1, 1, Duty.DONE),
    }
    # As of 30 September the fourth quarter has not begun: nothing is shown for it yet.
    assert ("general_assembly", "10-12") not in table(standing(world, world.village, D(2026, 9, 30)))


def test_a_branch_founded_mid_quarter_owes_from_the_first_whole_period(world: Any) -> None:
    only(("general_assembly", "quarter", 1, D(2019, 1, 1), None), ("theme_day", "month", 1, D(2019, 1, 1), None))
    branch = create_organization(
        actor=world.county_admin,
        parent=world.town,
        name="中共新建村支部委员会",
        code="T1-V9",
        kind=OrgKind.BRANCH,
        unit_category=UnitCategory.VILLAGE,
        founded_date=D(2026, 5, 10),
    )
    found = table(standing(world, branch))
    assert ("general_assembly", "01-03") not in found or found["general_assembly", "01-03"][2] == Duty.NONE
    assert found["general_assembly", "04-06"] == (0, 0, Duty.NONE)  # founded in Q2: nothing that quarter
    assert found["general_assembly", "07-09"] == (0, 1, Duty.OVERDUE)
    assert found["theme_day", "05-05"] == (0, 0, Duty.NONE)  # founded mid-May
    assert found["theme_day", "06-06"] == (0, 1, Duty.OVERDUE)
    assert found["theme_day", "04-04"] == (0, 0, Duty.NONE)  # not yet founded


def test_a_branch_merged_away_mid_quarter_owes_nothing_for_that_quarter(world: Any) -> None:
    only(("general_assembly", "quarter", 1, D(2019, 1, 1), None), ("theme_day", "month", 1, D(2019, 1, 1), None))
    type(world.community).objects.filter(pk=world.community.pk).update(abolished_date=D(2026, 5, 10))
    world.community.refresh_from_db()
    record(world, world.community, D(2026, 4, 20), "theme_day", "general_assembly")
    found = table(standing(world, world.community))
    assert found["theme_day", "04-04"] == (1, 1, Duty.DONE)
    assert found["theme_day", "05-05"] == (0, 0, Duty.NONE)
    assert found["theme_day", "06-06"] == (0, 0, Duty.NONE)
    assert found["general_assembly", "01-03"] == (0, 1, Duty.OVERDUE)
    assert found["general_assembly", "04-06"] == (1, 0, Duty.NONE)  # held, but not owed
    assert not standing(world, world.community).silent  # abolished: no longer expected to meet


def test_a_rule_changed_mid_year_governs_from_its_first_period(world: Any) -> None:
    # 主题党日 monthly until June, then (a province's change) quarterly: the first half keeps its rule.
    only(("theme_day", "month", 1, D(2019, 1, 1), D(2026, 6, 30)), ("theme_day", "quarter", 2, D(2026, 7, 1), None))
    for day in (D(2026, 1, 10), D(2026, 2, 10), D(2026, 8, 5)):
        record(world, world.village, day, "theme_day")
    found = table(standing(world, world.village))
    assert [k for k in found if k[1].startswith(("01", "02", "03", "04", "05", "06"))] == [
        ("theme_day", f"{m:02}-{m:02}") for m in range(1, 7)
    ]
    assert found["theme_day", "01-01"] == (1, 1, Duty.DONE)
    assert found["theme_day", "03-03"] == (0, 1, Duty.OVERDUE)
    assert found["theme_day", "07-09"] == (1, 2, Duty.OVERDUE)
    assert found["theme_day", "10-12"] == (0, 2, Duty.NOT_YET)
    # The year before is read with the rule of its time, whatever was decided since.
    assert len(compliance.rules_in_force(2025)) == 1


def test_a_meeting_backfilled_after_its_period_ended_counts_in_its_own_period(world: Any) -> None:
    only(("theme_day", "month", 1, D(2019, 1, 1), None))
    assert standing(world, world.village).cells[0].colour == Colour.RED
    meeting = record(world, world.village, D(2026, 1, 20), "theme_day")  # typed in ten months later
    assert meeting.backfilled
    row = standing(world, world.village)
    assert row.cells[0].colour == Colour.GREEN
    assert [c.colour for c in row.cells[1:10]] == [Colour.RED] * 9
    assert row.cells[10].colour == Colour.YELLOW  # November: due on its last day, not yet overdue
    assert row.cells[11].colour == Colour.BLANK  # December has not begun on 30 November


def test_silence_turns_the_current_month_yellow(world: Any) -> None:
    only(("review", "year", 1, D(2019, 1, 1), None))
    record(world, world.village, D(2026, 9, 1), "other")
    row = standing(world, world.village, D(2026, 11, 10))
    assert row.silent and row.cells[10].colour == Colour.YELLOW
    record(world, world.village, D(2026, 11, 1), "other")
    assert not standing(world, world.village, D(2026, 11, 10)).silent


def test_a_committee_meeting_is_owed_only_where_there_is_a_committee(world: Any, committee: list[Any]) -> None:
    ComplianceRule.objects.exclude(kind__code="committee").delete()
    assert table(standing(world, world.village))["committee", "03-03"] == (0, 1, Duty.OVERDUE)
    assert table(standing(world, world.community)) == {}


def test_each_party_group_owes_its_own_meeting(world: Any) -> None:
    from dangjian.members.models import PartyGroup

    ComplianceRule.objects.exclude(kind__code="group").delete()
    one = PartyGroup.objects.create(organization=world.village, name="第一党小组")
    two = PartyGroup.objects.create(organization=world.village, name="第二党小组")
    for group in (one, one):
        record(world, world.village, D(2026, 11, 3), "group", party_group=group)
    assert table(standing(world, world.village))["group", "11-11"][:2] == (1, 2)  # two by one group: one met
    record(world, world.village, D(2026, 11, 4), "group", party_group=two)
    assert table(standing(world, world.village))["group", "11-11"] == (2, 2, Duty.DONE)


def test_the_committee_secretary_s_own_lecture(world: Any) -> None:
    from dangjian.elections.models import Officer, Position, Term

    ComplianceRule.objects.exclude(applies_to="committee").delete()
    term = Term.objects.create(organization=world.town, number=1, start=D(2022, 1, 1), expected_end=D(2027, 1, 1))
    Officer.objects.create(term=term, member=world.wangfang, position=Position.SECRETARY, since=D(2022, 1, 1))
    lecture = {"lecturer_post": "镇党委书记"}
    record(world, world.village, D(2026, 6, 1), "lecture", lecturer="李老师", **lecture)  # not the secretary
    assert table(standing(world, world.town))["lecture", "01-12"] == (0, 1, Duty.NOT_YET)
    record(world, world.village, D(2026, 6, 2), "lecture", lecturer_member=world.wangfang, **lecture)
    assert table(standing(world, world.town))["lecture", "01-12"] == (1, 1, Duty.DONE)


def test_the_heat_map_is_the_subtree_in_scope(world: Any) -> None:
    rows = compliance.year_of(world.town_admin, world.town, 2026, END)
    assert {r.organization.pk for r in rows} == {world.town.pk, world.village.pk, world.community.pk}
    assert compliance.year_of(world.other_admin, world.town, 2026, END) == []


@pytest.mark.parametrize("year", [2025])
def test_a_past_year_is_read_as_it_ended(world: Any, year: int) -> None:
    only(("theme_day", "month", 1, D(2019, 1, 1), None))
    row = compliance.one(world.county_admin, world.village, year, D(year + 1, 1, 1))
    assert row is not None and [c.colour for c in row.cells] == [Colour.RED] * 12
