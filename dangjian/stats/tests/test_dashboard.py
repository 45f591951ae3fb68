"""The dashboard (统计看板): its figures are the report's, the ten years are the report's of each
31 December, it answers only within the user's scope, and a large subtree is served from its
snapshot, which the task fills."""

import dataclasses
import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_id_number
from dangjian.members import moves
from dangjian.members import services as members
from dangjian.members.models import Member
from dangjian.stats import dashboard, definition, engine, tasks
from dangjian.stats.models import Snapshot, SnapshotState

TODAY = dt.date(2026, 3, 1)
YEAR_END = dt.date(2025, 12, 31)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


@pytest.fixture
def history(world: Any, today: None) -> Any:
    """Ten years with something in most of them: a member developed in 2018, one moved between
    the towns in 2021, one dead in 2019, one removed from the Party (除名) in 2023 and a
    record deleted (never counted)."""
    admin = world.county_admin
    newcomer = members.create_member(
        actor=admin,
        organization=world.community,
        name="陈静",
        id_number=make_id_number("1996-02-10", male=False, sequence=7),
        ethnicity="03",
        education="bachelor",
        category="full",
        joined_date=dt.date(2018, 6, 20),
        regularized_date=dt.date(2019, 6, 20),
    )
    deleted = members.create_member(
        actor=admin,
        organization=world.village,
        name="错录",
        id_number=make_id_number("1980-01-01", male=True, sequence=8),
        ethnicity="01",
        education="high_school",
        category="full",
        joined_date=dt.date(2010, 7, 1),
        regularized_date=dt.date(2011, 7, 1),
    )
    members.delete_member(actor=admin, member=deleted)
    members.change_status(actor=admin, member=world.zhaoliu, status="deceased", date=dt.date(2019, 5, 1))
    moves.move_member(world.lisi, world.enterprise, dt.date(2021, 3, 1), "组织关系转接")
    members.change_status(
        actor=admin, member=world.wangfang, status="left", date=dt.date(2023, 6, 1), left_reason="removed"
    )
    return newcomer


def roll_form(year: int) -> definition.Form:
    """The form with table 2 alone: engine.compute's 党员总数 without the other populations' cost."""
    form = definition.form_for(year)
    return dataclasses.replace(form, tables=(form.table("2"),), checks=())


def board(client: Any, organization: Any, day: dt.date = YEAR_END, method: str = "get") -> Any:
    send = getattr(client, method)
    return send(f"{reverse('stats:dashboard-data')}?org={organization.pk}&date={day.isoformat()}")


def test_every_figure_with_a_cell_is_the_reports(world, history):
    found = dashboard.series(world.county, YEAR_END)
    report = engine.compute(world.county, YEAR_END)
    charted = [
        *found["kpis"],
        *found["education"],
        *found["occupation"],
        *found["kinds"],
        *found["age"]["items"],
        *[item for item in found["funnel"] if "cell" in item],
    ]
    assert len(charted) > 30
    for item in charted:
        assert item["value"] == report.value(item["cell"]), item
    assert found["kpis"][0]["value"] == 3  # 张三, 李四 and 陈静: 赵六 died, 王芳 was removed
    # The pyramid's bands split the report's band by gender.
    age = found["age"]
    for male, female, item in zip(age["male"], age["female"], age["items"], strict=True):
        assert male + female == item["value"]
    assert sum(age["female"]) == report.value("2:total:female") == 1


def test_each_child_is_counted_as_its_own_report(world, history):
    children = dashboard.series(world.county, YEAR_END)["children"]
    by_id = {item["id"]: item["values"] for item in children["items"]}
    for town in (world.town, world.other_town):
        report = engine.compute(town, YEAR_END)
        values, total = by_id[town.pk], report.value("2:total:total")
        assert values["members"] == total
        assert values["developed"] == report.value("14:total:total")
        assert values["female"] == (round(report.value("2:total:female") / total * 100, 1) if total else 0)
        college = report.value("4:total:college")
        assert values["college"] == (round(college / total * 100, 1) if total else 0)
    assert by_id[world.town.pk]["members"] == 2 and by_id[world.other_town.pk]["members"] == 1
    assert children["own"] is None  # the county holds no member itself


def test_ten_year_ends_are_the_reports_of_each_31_december(world, history):
    ends = dashboard.year_ends(TODAY)
    assert ends == [dt.date(year, 12, 31) for year in range(2016, 2026)]
    assert dashboard.year_ends(YEAR_END)[-1] == YEAR_END
    for organization in (world.county, world.town, world.other_town):
        counted = dashboard.roll_on(organization, ends)
        expected = {end: engine.compute(organization, end, roll_form(end.year)).value("2:total:total") for end in ends}
        assert counted == expected, organization.name
    county = dashboard.roll_on(world.county, ends)
    assert [county[dt.date(y, 12, 31)] for y in (2016, 2018, 2019, 2023)] == [4, 5, 4, 3]


def test_the_page_names_the_organization_the_date_and_the_links(world, today):
    response = world.client(world.town_admin).get(reverse("stats:dashboard"), {"org": world.village.pk})
    assert response.status_code == 200
    body = response.content.decode()
    query = f"org={world.village.pk}&amp;date=2025-12-31"
    assert f"{reverse('stats:dashboard-data')}?{query}" in body
    for name in ("stats:report", "stats:workbook", "stats:pdf"):
        assert f"{reverse(name)}?{query}" in body
    assert "统计看板：中共兴丰村支部委员会" in body and "2025年12月31日" in body
    assert "js/stats-dashboard.js" in body and "<script>" not in body  # no inline script (CSP)
    # The organizations above, each to its own dashboard.
    assert f"{reverse('stats:dashboard')}?org={world.town.pk}&amp;date=2025-12-31" in body


def test_a_small_subtree_is_counted_live_and_each_figure_links_to_its_members(world, today):
    response = board(world.client(world.town_admin), world.town)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]  # polled: never cached
    found = response.json()
    assert (found["source"], found["state"], found["date"]) == ("live", "done", "2025-12-31")
    series = found["series"]
    members = series["kpis"][0]
    assert members["value"] == 3
    assert members["url"] == f"{reverse('stats:cell')}?org={world.town.pk}&date=2025-12-31&cell=2%3Atotal%3Atotal"
    assert "date=2016-12-31" in series["years"]["items"][0]["url"]
    children = {item["id"]: item["url"] for item in series["children"]["items"]}
    assert children[world.village.pk] == f"{reverse('stats:dashboard')}?org={world.village.pk}&date=2025-12-31"
    assert series["dues"]["rate"] is None and f"organization={world.town.pk}" in series["dues"]["url"]
    assert all("url" in item for item in series["funnel"] + series["meetings"]["items"])


def test_a_bad_date_is_said_and_the_default_used(world, today):
    found = (
        world.client(world.town_admin)
        .get(reverse("stats:dashboard-data"), {"org": world.town.pk, "date": "2025-13-40"})
        .json()
    )
    assert found["date"] == "2025-12-31" and "无法识别" in found["error"]


@pytest.mark.parametrize("name", ["stats:dashboard", "stats:dashboard-data"])
def test_outside_the_scope_is_not_found_and_a_member_is_refused(world, today, name):
    town = world.client(world.town_admin)
    assert town.get(reverse(name), {"org": world.other_town.pk}).status_code == 404
    assert town.get(reverse(name), {"org": "x"}).status_code == 404
    assert world.client(world.member_user).get(reverse(name)).status_code == 403
    assert world.client(world.no_role).get(reverse(name)).status_code == 403


def test_the_home_page_loads_the_board_for_readers_only(world, today):
    home = world.client(world.town_admin).get(reverse("home")).content.decode()
    assert f'data-url="{reverse("stats:dashboard-data")}?org={world.town.pk}&amp;date=2025-12-31"' in home
    assert "查看完整统计看板" in home
    member_home = world.client(world.member_user).get(reverse("home")).content.decode()
    assert "data-stats-board" not in member_home


def test_a_large_subtree_is_served_from_its_snapshot_which_the_task_fills(world, today, monkeypatch):
    monkeypatch.setattr(dashboard, "LIVE_LIMIT", 2)  # the town's 3 members are "many"
    queued: list[int] = []
    monkeypatch.setattr(tasks, "compute_snapshot", SimpleNamespace(enqueue=queued.append))  # the worker's queue
    client = world.client(world.town_admin)

    first = board(client, world.town).json()
    assert (first["source"], first["state"], first["series"]) == ("snapshot", "queued", None)
    snapshot = Snapshot.objects.get(organization=world.town, day=YEAR_END)
    assert queued == [snapshot.pk] and snapshot.org_path == world.town.path
    board(client, world.town)
    assert queued == [snapshot.pk]  # asked again while queued: not queued twice

    tasks.run(snapshot.pk)
    snapshot.refresh_from_db()
    report = engine.compute(world.town, YEAR_END)
    assert (snapshot.state, snapshot.progress, snapshot.members) == (SnapshotState.DONE, 100, 3)
    assert snapshot.figures == report.figures
    done = board(client, world.town).json()
    assert (done["source"], done["state"]) == ("snapshot", "done") and done["computed_at"]
    live = json.loads(json.dumps(dashboard.linked(dashboard.live(world.town, YEAR_END), world.town, YEAR_END)))
    assert done["series"] == live["series"]
    tasks.run(snapshot.pk)  # a second delivery of the task finds it done: nothing happens
    assert queued == [snapshot.pk]

    # 重新统计: queued again, the last figures shown meanwhile; the village (2 members) stays live.
    again = board(client, world.town, method="post").json()
    assert (again["state"], again["series"]) == ("queued", done["series"]) and queued == [snapshot.pk] * 2
    assert board(client, world.village).json()["source"] == "live"

    # A snapshot whose worker died is queued again when asked for.
    Snapshot.objects.filter(pk=snapshot.pk).update(requested_at=timezone.now() - dashboard.STALE_AFTER * 2)
    board(client, world.town)
    assert queued == [snapshot.pk] * 3


def test_a_failed_snapshot_says_so_and_keeps_nothing_half_written(world, today, monkeypatch):
    monkeypatch.setattr(dashboard, "LIVE_LIMIT", 2)
    monkeypatch.setattr(tasks, "compute_snapshot", SimpleNamespace(enqueue=lambda pk: None))
    board(world.client(world.town_admin), world.town)
    snapshot = Snapshot.objects.get(organization=world.town, day=YEAR_END)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(dashboard, "series", broken)
    tasks.run(snapshot.pk)
    snapshot.refresh_from_db()
    assert snapshot.state == SnapshotState.FAILED and snapshot.figures == {} and "重新统计" in snapshot.message
    found = board(world.client(world.town_admin), world.town).json()
    assert (found["state"], found["series"]) == ("failed", None) and found["message"] == snapshot.message


def test_the_roll_size_counts_no_further_than_asked(world):
    assert dashboard.roll_size(world.county) == Member.objects.filter(deleted_at__isnull=True).count() == 4
    assert dashboard.roll_size(world.county, 2) == 2
    assert not dashboard.is_large(world.county)
