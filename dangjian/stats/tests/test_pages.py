"""The report and drill-down pages per role, and submission upward (报送) from submitting to the
difference after a late correction."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dangjian.core import inbox
from dangjian.core.errors import DomainError
from dangjian.core.models import InboxItem, InboxState
from dangjian.members import services as members
from dangjian.stats import checks, engine, services
from dangjian.stats.models import Submission, SubmissionState


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 2, 10))


def figure(html: str, key: str) -> int:
    found = re.search(rf'data-cell="{re.escape(key)}">(\d+)<', html)
    assert found, key
    return int(found.group(1))


def test_the_report_shows_each_figure_linked_to_its_members(world, today):
    html = world.client(world.town_admin).get("/stats/").content.decode()
    assert "统计截止 2025年12月31日" in html  # in February the year before is at work
    assert figure(html, "2:total:total") == 3 and figure(html, "2:total:female") == 1
    assert "全部通过" in html
    cell = (
        world.client(world.town_admin)
        .get(f"/stats/cell/?org={world.town.pk}&date=2025-12-31&cell=2:total:female")
        .content.decode()
    )
    assert re.findall(r'data-subject="(\d+)"', cell) == [str(world.wangfang.pk)]
    assert '<strong data-testid="figure">1</strong>' in cell


@pytest.mark.parametrize(
    ("user", "org", "status"),
    [
        ("county_admin", "town", 200),
        ("town_admin", "town", 200),
        ("other_admin", "town", 404),  # out of scope answers like nonexistent
        ("branch_admin", "town", 404),
        ("member_user", "village", 403),
        ("system_admin", "county", 403),
    ],
)
def test_who_sees_which_report(world, today, user, org, status):
    client = world.client(getattr(world, user))
    pk = getattr(world, org).pk
    assert client.get(f"/stats/?org={pk}").status_code == status
    assert client.get(f"/stats/cell/?org={pk}&cell=2:total:total").status_code == status


def test_the_drill_down_lists_only_what_the_scope_allows(world, today):
    client = world.client(world.county_admin)
    html = client.get(f"/stats/cell/?org={world.county.pk}&date=2025-12-31&cell=16:total:branch").content.decode()
    assert len(re.findall(r'data-subject="', html)) == 3
    assert client.get(f"/stats/cell/?org={world.county.pk}&cell=9:total:total").status_code == 404  # placeholder
    assert client.get(f"/stats/cell/?org={world.county.pk}&cell=2:nobody:total").status_code == 404
    assert client.get("/stats/?org=99999999").status_code == 404
    assert client.get("/stats/?org=abc").status_code == 404


@pytest.mark.parametrize(
    ("raw", "message"),
    [("2025-13-01", "无法识别"), ("2999-01-01", "不能晚于今天"), ("1900-01-01", "不能早于"), ("<script>", "无法识别")],
)
def test_a_bad_date_is_explained_and_a_default_used(world, today, raw, message):
    answer = world.client(world.town_admin).get("/stats/", {"date": raw})
    assert answer.status_code == 200
    assert message in answer.content.decode() and "<script>" not in answer.content.decode().split("<main")[1]


def test_submission_upward_from_submitting_to_the_difference_after_a_correction(world, today):
    town, county = world.client(world.town_admin), world.client(world.county_admin)
    answer = town.post("/stats/submit/", {"org": world.town.pk, "year": 2025}, follow=True)
    assert "已报送上级党组织" in answer.content.decode()
    submission = Submission.objects.get(organization=world.town, year=2025)
    assert submission.figures["2:total:total"] == 3 and submission.submitted_by == world.town_admin
    assert sorted(services.unpack_ids(submission.roll)) == sorted([world.zhangsan.pk, world.lisi.pk, world.wangfang.pk])
    # Twice is refused; the county sees it among its children.
    with pytest.raises(DomainError, match="已报送"):
        services.submit(actor=world.town_admin, organization=world.town, year=2025)
    overview = county.get("/stats/submissions/?year=2025").content.decode()
    assert "已报送 1 / 2" in overview
    # A late correction: 李四's education is corrected in January.
    members.update_member(actor=world.county_admin, member=world.lisi, education="bachelor")
    detail = county.get(f"/stats/submission/{submission.pk}/").content.decode()
    assert 'data-cell="4:total:bachelor"' in detail and "李四</a>（学历）" in detail.split('data-testid="edited"')[1]
    # The subtree check now sees the submitted figures against the live ones of the county.
    live = engine.compute(world.county, dt.date(2025, 12, 31))
    assert checks.failed(services.run_checks(live)) == []  # the county counts the submitted town: same totals
    # Only the level above returns, with a reason.
    with pytest.raises(DomainError, match="上级党组织"):
        services.return_submission(actor=world.town_admin, submission=submission, reason="自己退回")
    with pytest.raises(DomainError, match="退回原因"):
        services.return_submission(actor=world.county_admin, submission=submission, reason=" ")
    county.post(f"/stats/submission/{submission.pk}/return/", {"reason": "学历情况有误，请核对后重报"})
    submission.refresh_from_db()
    assert submission.state == SubmissionState.RETURNED and submission.return_reason == "学历情况有误，请核对后重报"
    inbox.refresh(sources=["stats"])  # what the service asks for when its transaction commits
    due = InboxItem.objects.get(source="stats", state=InboxState.OPEN)
    assert due.organization_id == world.town.pk and "学历情况有误" in due.title
    again = services.submit(actor=world.town_admin, organization=world.town, year=2025)
    inbox.refresh(sources=["stats"])
    assert not InboxItem.objects.filter(source="stats", state=InboxState.OPEN).exists()
    assert again.figures["4:total:bachelor"] == 1
    assert world.client(world.other_admin).get(f"/stats/submission/{again.pk}/").status_code == 404


def test_a_report_cannot_be_submitted_before_its_year_ends_nor_by_the_top(world, today):
    with pytest.raises(DomainError, match="截止日期过后"):
        services.submit(actor=world.town_admin, organization=world.town, year=2026)
    with pytest.raises(DomainError, match="最高一级"):
        services.submit(actor=world.county_admin, organization=world.county, year=2025)
    assert not Submission.objects.exists()


def test_a_child_changed_after_submitting_fails_the_subtree_check(world, today):
    services.submit(actor=world.town_admin, organization=world.town, year=2025)
    members.change_status(actor=world.county_admin, member=world.lisi, status="deceased", date=dt.date(2025, 11, 1))
    live = engine.compute(world.county, dt.date(2025, 12, 31))
    failed = {r.check.code: r for r in checks.failed(services.run_checks(live))}
    assert set(failed) == {"S-1"}
    assert "坪塘镇委员会：报送3，现为2" in failed["S-1"].failures[0].detail
    # A failing check needs the reason before the county's child (the town) could submit again.
    Submission.objects.update(state=SubmissionState.RETURNED, returned_at=timezone.now(), return_reason="重报")
    assert services.submit(actor=world.town_admin, organization=world.town, year=2025).figures["1:total:died"] == 1


def test_a_large_subtree_s_report_waits_for_the_worker_and_shows_what_it_kept(world, today, monkeypatch):
    from dangjian.stats import dashboard, tasks
    from dangjian.stats.models import Snapshot

    monkeypatch.setattr(dashboard, "LIVE_LIMIT", 3)  # the county (4 members) is large, the town (3) not
    monkeypatch.setattr(tasks, "compute_snapshot", SimpleNamespace(enqueue=lambda pk: None))  # no worker here
    client = world.client(world.county_admin)
    waiting = client.get("/stats/").content.decode()
    assert 'data-testid="report-waiting"' in waiting and 'http-equiv="refresh"' in waiting
    snapshot = Snapshot.objects.get(organization=world.county, day=dt.date(2025, 12, 31))
    tasks.run(snapshot.pk)  # what the worker does
    shown = client.get("/stats/").content.decode()
    assert figure(shown, "2:total:total") == 4 and "后台统计于" in shown
    # The town is small: counted now.
    assert "计算于" in world.client(world.town_admin).get("/stats/").content.decode()
