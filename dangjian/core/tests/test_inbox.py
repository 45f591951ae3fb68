"""The one inbox (待办, core.inbox): refreshing from a source opens, updates, closes and reopens
items as the docstring says, and twice changes nothing; the items are read through the scope;
dismissing needs a reason and a role that writes; the pages, the API, the home page's card and
the daily command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIRequestFactory, force_authenticate

from dangjian.core import inbox
from dangjian.core.errors import DomainError
from dangjian.core.inbox_api import InboxItemViewSet
from dangjian.core.models import InboxItem, InboxState, Role
from dangjian.orgs.restructure import move_organization

TODAY = timezone.localdate


@pytest.fixture
def fake(monkeypatch):
    """A source of our own ("fake"): what it yields is what the test puts in ``due`` (key → Due)."""
    due: dict[str, inbox.Due] = {}

    def compute(today, path):
        return [item for item in due.values() if path is None or item.org_path.startswith(path)]

    monkeypatch.setitem(inbox._SOURCES, "fake", inbox.Source("fake", "测试事项", compute))
    return due


def put(fake, organization, key, *, title="", days=0, kind="待办测试"):
    fake[key] = inbox.Due(
        key=key,
        organization_id=organization.pk,
        org_path=organization.path,
        kind=kind,
        title=title or f"{organization.name}：{key}",
        due=TODAY() + dt.timedelta(days=days),
        link="/orgs/",
    )


def counts(outcomes):
    return [(o.opened, o.updated, o.closed) for o in outcomes]


def item(key):
    return InboxItem.objects.get(source="fake", key=key)


def test_refresh_opens_updates_and_closes_and_twice_changes_nothing(world, fake):
    put(fake, world.village, "a", days=-3)
    put(fake, world.enterprise, "b", days=10)
    assert counts(inbox.refresh(sources=["fake"])) == [(2, 0, 0)]
    assert counts(inbox.refresh(sources=["fake"])) == [(0, 0, 0)]
    a = item("a")
    assert (a.state, a.org_path, a.organization_id, a.closed_at) == ("open", world.village.path, world.village.pk, None)
    put(fake, world.village, "a", title="改过的标题", days=-3)
    assert counts(inbox.refresh(sources=["fake"])) == [(0, 1, 0)]
    assert item("a").title == "改过的标题" and item("a").opened_at == a.opened_at
    del fake["b"]  # the work was done
    assert counts(inbox.refresh(sources=["fake"])) == [(0, 0, 1)]
    b = item("b")
    assert b.state == InboxState.DONE and b.closed_at is not None
    assert counts(inbox.refresh(sources=["fake"])) == [(0, 0, 0)]
    put(fake, world.enterprise, "b", days=40)  # due again (the next period of the same obligation)
    assert counts(inbox.refresh(sources=["fake"])) == [(1, 0, 0)]
    assert item("b").state == InboxState.OPEN and item("b").closed_at is None


def test_a_dismissed_item_stays_dismissed_until_its_deadline_moves_later(world, fake):
    put(fake, world.village, "a", days=-3)
    inbox.refresh(sources=["fake"])
    inbox.dismiss_item(actor=world.branch_admin, item=item("a"), reason="已线下办结")
    put(fake, world.village, "a", title="新的说法", days=-5)  # earlier deadline: still dismissed
    inbox.refresh(sources=["fake"])
    assert (item("a").state, item("a").title) == (InboxState.DISMISSED, "新的说法")
    del fake["a"]
    assert counts(inbox.refresh(sources=["fake"])) == [(0, 0, 0)]  # done meanwhile: it stays as it was
    assert item("a").state == InboxState.DISMISSED
    put(fake, world.village, "a", days=30)
    assert counts(inbox.refresh(sources=["fake"])) == [(1, 0, 0)]
    reopened = item("a")
    assert (reopened.state, reopened.dismissed_reason, reopened.dismissed_by) == (InboxState.OPEN, "", None)


def test_a_refresh_under_a_path_touches_that_subtree_only(world, fake):
    put(fake, world.village, "village")
    put(fake, world.enterprise, "enterprise")
    inbox.refresh(sources=["fake"])
    fake.clear()
    assert counts(inbox.refresh(sources=["fake"], path=world.town.path)) == [(0, 0, 1)]
    assert item("village").state == InboxState.DONE
    assert item("enterprise").state == InboxState.OPEN
    # An item whose organization moved into the subtree is found by its key, not opened twice.
    put(fake, world.community, "enterprise")
    assert counts(inbox.refresh(sources=["fake"], path=world.town.path)) == [(0, 1, 0)]
    assert item("enterprise").organization_id == world.community.pk


def test_refresh_soon_refreshes_after_the_commit_and_not_while_paused(world, fake, django_capture_on_commit_callbacks):
    put(fake, world.village, "a")
    with django_capture_on_commit_callbacks(execute=True):
        inbox.refresh_soon("fake", world.village.path)
        assert not InboxItem.objects.filter(source="fake").exists()  # not before the commit
    assert item("a").state == InboxState.OPEN
    with django_capture_on_commit_callbacks() as scheduled, inbox.paused():
        inbox.refresh_soon("fake")
    assert scheduled == []


def test_an_unknown_source_is_refused(db):
    with pytest.raises(ValueError, match="nope"):
        inbox.refresh(sources=["nope"])
    with pytest.raises(Exception, match="没有名为 nope 的待办来源"):
        call_command("refresh_inbox", "--source", "nope", stdout=StringIO())


def test_each_user_sees_the_items_of_their_subtree_only(world, fake):
    put(fake, world.village, "village", days=-1)
    put(fake, world.community, "community", days=5)
    put(fake, world.enterprise, "enterprise", days=-2)
    put(fake, world.county, "county", days=1)
    inbox.refresh(sources=["fake"])

    def keys(user):
        return {i.key for i in inbox.items_for(user, source="fake")}

    assert keys(world.county_admin) == {"village", "community", "enterprise", "county"}
    assert keys(world.town_admin) == {"village", "community"}
    assert keys(world.branch_admin) == {"village"}
    assert keys(world.other_admin) == {"enterprise"}
    for nobody in (world.member_user, world.system_admin, world.security_admin, world.audit_admin, world.no_role):
        assert keys(nobody) == set()
    [group] = [g for g in inbox.groups(world.town_admin) if g.source == "fake"]
    assert (group.label, group.count, group.overdue) == ("测试事项", 2, 1)
    assert [i.key for i in inbox.overdue_first(world.county_admin, 5)] == ["enterprise", "village"]
    outside = item("enterprise")
    with pytest.raises(Http404):
        inbox.get_item(world.town_admin, outside.pk)
    with pytest.raises(Http404):
        inbox.dismiss_item(actor=world.town_admin, item=outside, reason="不归我们办")
    assert item("enterprise").state == InboxState.OPEN


def test_dismissing_needs_a_reason_and_a_role_that_writes(world, fake):
    put(fake, world.village, "a")
    inbox.refresh(sources=["fake"])
    with pytest.raises(DomainError) as refused:
        inbox.dismiss_item(actor=world.branch_admin, item=item("a"), reason="  ")
    assert refused.value.errors == {"reason": ["请填写忽略此事项的理由"]}
    with pytest.raises(DomainError, match="不能超过200个字"):
        inbox.dismiss_item(actor=world.branch_admin, item=item("a"), reason="理" * 201)
    with pytest.raises(Http404):  # a 党员 reads no inbox: not even in the scope
        inbox.dismiss_item(actor=world.member_user, item=item("a"), reason="不想办")
    assert item("a").state == InboxState.OPEN
    dismissed = inbox.dismiss_item(actor=world.town_admin, item=item("a"), reason="已由镇党委线下办结")
    assert (dismissed.state, dismissed.dismissed_by, dismissed.dismissed_reason) == (
        InboxState.DISMISSED,
        world.town_admin,
        "已由镇党委线下办结",
    )
    with pytest.raises(DomainError, match=r"已于.*忽略"):
        inbox.dismiss_item(actor=world.town_admin, item=item("a"), reason="再忽略一次")


def test_dismissing_without_a_writing_role_is_refused(world, fake, monkeypatch):
    put(fake, world.village, "a")
    inbox.refresh(sources=["fake"])
    # No role today reads members without writing them: one is made for the test.
    monkeypatch.setattr(Role, "writes_members", property(lambda role: False))
    with pytest.raises(PermissionDenied, match="无权忽略待办事项"):
        inbox.dismiss_item(actor=world.branch_admin, item=item("a"), reason="理由")


def test_the_page_groups_the_items_and_shows_the_overdue_first_in_red(world, fake):
    put(fake, world.village, "late", title="张三的事项已逾期", days=-4, kind="逾期类")
    put(fake, world.village, "soon", title="李四的事项将到期", days=3, kind="到期类")
    inbox.refresh(sources=["fake"])
    client = world.client(world.branch_admin)
    page = client.get(reverse("inbox:list"))
    body = page.content.decode()
    assert [row.item.key for row in page.context["rows"]] == ["late", "soon"]
    assert "逾期4天" in body and "3天后到期" in body and "测试事项" in body
    assert body.index("张三的事项已逾期") < body.index("李四的事项将到期")
    only = client.get(reverse("inbox:list"), {"source": "fake", "kind": "到期类"})
    assert [row.item.key for row in only.context["rows"]] == ["soon"]
    ignored = client.get(reverse("inbox:list"), {"source": "nope", "kind": "x" * 5000, "state": "nonsense"})
    assert ignored.status_code == 200 and len(ignored.context["rows"]) == 2
    assert world.client(world.member_user).get(reverse("inbox:list")).status_code == 403
    assert world.client(world.system_admin).get(reverse("inbox:list")).status_code == 403


def test_dismissing_through_the_page_keeps_the_form_on_a_refusal(world, fake):
    put(fake, world.village, "a", days=-1)
    inbox.refresh(sources=["fake"])
    client = world.client(world.branch_admin)
    url = reverse("inbox:dismiss", args=[item("a").pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and "请填写忽略此事项的理由" in refused.content.decode()
    assert item("a").state == InboxState.OPEN
    done = client.post(url, {"reason": "已线下办结"})
    assert done.status_code == 302 and item("a").state == InboxState.DISMISSED
    listed = client.get(reverse("inbox:list"), {"state": "dismissed"}).content.decode()
    assert "已线下办结" in listed
    outside = world.client(world.other_admin).post(url, {"reason": "越界"})
    assert outside.status_code == 404


def test_the_home_page_shows_the_counts_and_the_first_overdue_items(world, fake):
    put(fake, world.village, "late", title="张三的事项已逾期", days=-2)
    put(fake, world.village, "later", title="李四的事项未到期", days=20)
    inbox.refresh(sources=["fake"])
    page = world.client(world.town_admin).get(reverse("home"))
    card = page.context["inbox"]
    assert (card["total"], card["overdue"]) == (2, 1)
    assert [row.item.key for row in card["rows"]] == ["late"]
    body = page.content.decode()
    assert 'data-testid="inbox-card"' in body and "张三的事项已逾期" in body and "李四的事项未到期" not in body
    assert world.client(world.other_admin).get(reverse("home")).context["inbox"]["total"] == 0
    assert world.client(world.member_user).get(reverse("home")).context.get("inbox") is None


def _api(user, method, action, **kwargs):
    factory = APIRequestFactory()
    pk = kwargs.pop("pk", None)
    request = getattr(factory, method)("/api/v1/inbox/", kwargs.pop("data", None), format="json")
    force_authenticate(request, user=user)
    view = InboxItemViewSet.as_view({method: action})
    return view(request, **({"pk": str(pk)} if pk else {}))


def test_the_api_lists_retrieves_counts_and_dismisses_within_the_scope(world, fake):
    put(fake, world.village, "village", days=-1)
    put(fake, world.enterprise, "enterprise")
    inbox.refresh(sources=["fake"])
    listed = _api(world.town_admin, "get", "list")
    assert [row["key"] for row in listed.data["results"]] == ["village"]
    row = listed.data["results"][0]
    assert (row["source_label"], row["state"], row["overdue_days"]) == ("测试事项", "open", 1)
    outside = item("enterprise").pk
    assert _api(world.town_admin, "get", "retrieve", pk=outside).status_code == 404
    assert _api(world.town_admin, "post", "dismiss", pk=outside, data={"reason": "越界"}).status_code == 404
    refused = _api(world.town_admin, "post", "dismiss", pk=item("village").pk, data={"reason": ""})
    assert refused.status_code == 400 and refused.data == {"reason": ["请填写忽略此事项的理由"]}
    done = _api(world.town_admin, "post", "dismiss", pk=item("village").pk, data={"reason": "已办"})
    assert (done.status_code, done.data["state"], done.data["dismissed_by_name"]) == (200, "dismissed", "town_admin")
    summary = _api(world.county_admin, "get", "summary")
    assert [(g["source"], g["count"]) for g in summary.data if g["source"] == "fake"] == [("fake", 1)]
    assert _api(world.member_user, "get", "list").data["count"] == 0


def test_items_follow_their_organization_when_it_moves(world, fake):
    put(fake, world.village, "a")
    inbox.refresh(sources=["fake"])
    move_organization(actor=world.county_admin, organization=world.village, new_parent=world.other_town, date=TODAY())
    world.village.refresh_from_db()
    assert item("a").org_path == world.village.path
    assert {i.key for i in inbox.items_for(world.other_admin, source="fake")} == {"a"}
    assert not inbox.items_for(world.town_admin, source="fake").exists()


def test_the_command_prints_the_counts_per_source(world, fake):
    put(fake, world.village, "a")
    out = StringIO()
    call_command("refresh_inbox", "--source", "fake", "--date", TODAY().isoformat(), stdout=out)
    assert "测试事项（fake）：新增 1，更新 0，办结 0" in out.getvalue()
    call_command("refresh_inbox", "--source", "fake", stdout=out)
    assert "测试事项（fake）：新增 0，更新 0，办结 0" in out.getvalue()


def test_the_task_refreshes_like_the_command(world, fake):
    put(fake, world.village, "a")
    result = inbox.refresh_inbox.enqueue(sources=["fake"])
    assert result.return_value == {"fake": [1, 0, 0]}


def test_the_worker_refreshes_when_it_starts_and_once_a_day(world, fake):
    from dangjian.members.management.commands import worker

    put(fake, world.village, "a")
    assert worker.refresh_inbox(None) == TODAY()
    assert item("a").state == InboxState.OPEN
    del fake["a"]
    assert worker.refresh_inbox(TODAY()) == TODAY()  # refreshed today already: not again
    assert item("a").state == InboxState.OPEN
    assert worker.refresh_inbox(TODAY() - dt.timedelta(days=1)) == TODAY()  # a new day
    assert item("a").state == InboxState.DONE


def test_a_failing_source_leaves_the_others_current(world, fake, monkeypatch):
    def broken(today, path):
        raise RuntimeError("source broke")

    monkeypatch.setitem(inbox._SOURCES, "broken", inbox.Source("broken", "坏的来源", broken))
    put(fake, world.village, "a")
    with pytest.raises(RuntimeError, match="source broke"):
        inbox.refresh(sources=["broken", "fake"])
    assert item("a").state == InboxState.OPEN
