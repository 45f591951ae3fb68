"""The month tally follows every change the services make to meetings, reads as the meetings
themselves do, and is rebuilt the same from scratch (the command, the migration, a bulk load)."""

import importlib
from io import StringIO
from typing import Any

from django.apps import apps
from django.core.management import call_command

from dangjian.meetings import compliance, services, tally
from dangjian.meetings.models import MeetingKind, MonthTally, Presence
from dangjian.members.models import PartyGroup

from .conftest import D, record

AFTER_ALL = D(2027, 1, 1)  # every meeting below is held before it
LECTURER = {"lecturer": "王书记", "lecturer_post": "镇党委书记"}


def rows() -> list[tuple[Any, ...]]:
    rows = MonthTally.objects.values_list("organization_id", "year", "months", "last_held")
    return sorted(rows, key=lambda row: (row[0], row[1]))


def from_meetings(path: str, year: int) -> tally.Held:
    """What compliance reads from the meetings directly (a day in the past of an open year)."""
    group_kinds = set(MeetingKind.objects.values_list("pk", flat=True))
    return tally.Held(
        counts=compliance._counts(path, year, AFTER_ALL),
        groups_met=compliance._groups_met(path, year, AFTER_ALL, group_kinds),
        last=compliance._last_meetings(path, AFTER_ALL),
    )


def held(by_kind: tally.ByKind) -> dict[tuple[int, str], list[int]]:
    """The tally keeps the months (all zeros) of a kind held only by meetings that do not count."""
    found = {(org, kind): tally.months(text) for org, kinds in by_kind.items() for kind, text in kinds.items()}
    return {key: months for key, months in found.items() if any(months)}


def same(read: tally.Held, direct: tally.Held) -> None:
    assert held(read.counts) == held(direct.counts)
    assert held(read.groups_met) == held(direct.groups_met)
    assert read.last == direct.last


def test_the_tally_follows_recording_marking_and_deleting(world: Any, committee: list[Any]) -> None:
    group = PartyGroup.objects.create(organization=world.village, name="第一党小组")
    record(world, world.village, D(2026, 3, 10), "theme_day", "general_assembly", "lecture", **LECTURER)
    record(world, world.village, D(2026, 3, 20), "theme_day")
    record(world, world.village, D(2026, 5, 6), "group", party_group=group)
    record(world, world.village, D(2025, 12, 28), "general_assembly")
    below_quorum = record(world, world.village, D(2026, 6, 2), "committee")
    mistake = record(world, world.community, D(2026, 6, 9), "theme_day")
    path = world.county.path
    found = tally.read(path, 2026)
    same(found, from_meetings(path, 2026))
    village = world.village.pk
    theme_day, assembly, committee_kind, group_kind = (
        str(MeetingKind.objects.get(code=code).pk) for code in ("theme_day", "general_assembly", "committee", "group")
    )
    months = {kind: tally.months(text) for kind, text in found.counts[village].items()}
    assert months[theme_day][2] == 2  # March
    assert months[assembly] == [0, 0, 1] + [0] * 9  # last December's is last year's
    assert months[committee_kind] == [0] * 12  # below its quorum: held, not counted
    assert found.counts[village][theme_day] == "0,0,2,0,0,0,0,0,0,0,0,0"  # as the tally keeps it
    assert tally.months(found.groups_met[village][group_kind])[4] == 1  # May
    assert found.last[village] == D(2026, 6, 2)  # the last meeting, counted or not
    assert tally.months(tally.read(path, 2025).counts[village][assembly])[11] == 1

    services.mark_attendance(
        actor=world.county_admin,
        meeting=below_quorum,
        marks={person.pk: (Presence.PRESENT, "") for person in committee[:2]},
    )
    assert tally.months(tally.read(path, 2026).counts[village][committee_kind])[5] == 1  # 2 of 3: it counts now
    services.delete_meeting(actor=world.county_admin, meeting=mistake, reason="误录")
    after = tally.read(path, 2026)
    assert world.community.pk not in after.last
    same(after, from_meetings(path, 2026))


def test_the_tally_answers_compliance_as_the_meetings_do(world: Any, monkeypatch: Any) -> None:
    """The same year as of the same day, from the meetings (a day in the past) and through the
    tally (that day being today), duty for duty, cell for cell."""
    record(world, world.village, D(2026, 1, 12), "theme_day", "general_assembly")
    record(world, world.village, D(2026, 2, 3), "theme_day")
    record(world, world.community, D(2026, 4, 20), "lecture", **LECTURER)
    as_of = D(2026, 11, 30)

    def read() -> list[Any]:
        return [
            (
                row.organization.pk,
                [(d.rule.pk, d.span, d.held, d.owed, d.duty) for d in row.duties],
                [cell.colour for cell in row.cells],
                row.last_meeting,
                row.silent,
            )
            for row in compliance.year_of(world.county_admin, world.county, 2026, as_of)
        ]

    from_meetings = read()
    monkeypatch.setattr(compliance.timezone, "localdate", lambda: as_of)
    assert read() == from_meetings
    assert any(row[3] for row in from_meetings)


def test_rebuilding_writes_what_the_services_kept(world: Any, committee: list[Any]) -> None:
    record(world, world.village, D(2026, 3, 10), "theme_day", "general_assembly")
    record(world, world.village, D(2026, 4, 8), "committee")
    record(world, world.community, D(2025, 7, 1), "lecture", **LECTURER)
    kept = rows()
    assert kept

    MonthTally.objects.all().delete()
    out = StringIO()
    call_command("recount_meetings", stdout=out)
    assert rows() == kept
    assert f"{len(kept)}行" in out.getvalue()

    MonthTally.objects.all().delete()
    migration = importlib.import_module("dangjian.meetings.migrations.0003_month_tally")
    migration.count(apps, None)
    assert rows() == kept
