"""No member's name reaches a login outside whose scope the member is, through any field of any
API answer or page: nested officers, group members, introducers, the people of a transfer or a
sanction. Crawled over the demo county, where every app has put its data, as every demo login."""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import built_for_the_module
from dangjian.core import scope
from dangjian.core.models import User
from dangjian.demo.activity import build_activity
from dangjian.demo.generator import build_county
from dangjian.demo.users import ensure_demo_users, ensure_staff_logins
from dangjian.elections.models import Officer
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.transfers.models import MobileMember, Transfer, TransferKind, TransferState
from dangjian.urls import router

LOGINS = ("pingtang", "gushan", "branch", "member", "sysadmin", "secadmin", "auditor")
DETAILS_PER_LIST = 5


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def text_nodes(html: str) -> Iterator[str]:
    for text in re.findall(r">([^<>]+)<", html):
        yield text.strip()
    for value in re.findall(r'(?:title|value|data-[\w-]+)="([^"]+)"', html):
        yield value.strip()


def api_answers(client: Client) -> Iterator[tuple[str, Any]]:
    for _prefix, _viewset, basename in router.registry:
        url = reverse(f"{basename}-list")  # DRF names every route by its basename
        answer = client.get(url)
        if answer.status_code != 200:
            continue
        body = answer.json()
        yield url, body
        rows = body.get("results", body) if isinstance(body, dict) else body
        for row in rows[:DETAILS_PER_LIST] if isinstance(rows, list) else []:
            if isinstance(row, dict) and "id" in row:
                detail = client.get(f"{url}{row['id']}/")
                if detail.status_code == 200:
                    yield f"{url}{row['id']}/", detail.json()


def pages(client: Client, user: User) -> Iterator[tuple[str, str]]:
    urls = ["/", "/orgs/", "/elections/terms/", "/elections/structure/", "/transfers/", "/transfers/all/"]
    urls += ["/transfers/mobile/", "/transfers/mobile/?side=in", "/development/", "/development/due/", "/discipline/"]
    organizations = scope.scoped(user, Organization.objects.order_by("path"))[:8]
    urls += [f"/orgs/{organization.pk}/" for organization in organizations]
    for url in urls:
        page = client.get(url)
        if page.status_code == 200 and page["Content-Type"].startswith("text/html"):
            yield url, page.content.decode()


@pytest.fixture(scope="module")
def county(_world_keys: Any, django_db_blocker: Any) -> Iterator[None]:
    """A county with every procedure's records, built once for the module: the tests only read it."""

    def build() -> None:
        today = timezone.localdate()
        build_county(members=1200, seed=2, today=today, progress=lambda _: None)
        build_activity(seed=2, today=today, logins=ensure_staff_logins())  # transfers, files, sanctions…
        ensure_demo_users()

    yield from built_for_the_module(django_db_blocker, build)


def shown_by_design(user: User) -> set[str]:
    """Names a login sees by design of a member outside its scope: both sides of a transfer see
    its member (docs/transfers.md), the organization a mobile member flows into sees the record."""
    transfers = scope.scoped(user, Transfer.objects.all()).values_list("member_name", flat=True)
    mobile = scope.scoped(user, MobileMember.objects.all()).values_list("member__name", flat=True)
    return {*transfers, *mobile}


def moved_away_holding_a_post() -> set[str]:
    """Members received elsewhere who still hold a post of the branch they left (see the xfail
    below): set aside here until that is fixed, so the crawl keeps finding everything else."""
    moved = Transfer.objects.filter(state=TransferState.ACCEPTED, kind=TransferKind.INSIDE)
    return set(
        Officer.objects.filter(until__isnull=True, member__in=moved.values("member"))
        .exclude(term__organization=F("member__organization"))
        .values_list("member__name", flat=True)
    )


def test_no_member_name_leaves_the_scope_through_a_nested_field_or_a_page(county):
    everyone = dict(Member.objects.values_list("pk", "name"))
    leaks = []
    for username in LOGINS:
        user = User.objects.get(username=username)
        visible = set(scope.scoped(user, Member.objects.all()).values_list("name", flat=True))
        visible |= shown_by_design(user) | moved_away_holding_a_post()
        forbidden = {name for name in everyone.values() if name not in visible}
        assert forbidden, username
        client = Client()
        client.force_login(user)
        for url, body in api_answers(client):
            leaks += [(username, url, text) for text in set(strings(body)) if text in forbidden]
        for url, html in pages(client, user):
            leaks += [(username, url, text) for text in set(text_nodes(html)) if text in forbidden]
    where = sorted({(username, url) for username, url, _ in leaks})
    names = sorted({text for *_, text in leaks})[:10]
    assert not leaks, json.dumps({"where": where, "names": names}, ensure_ascii=False)


@pytest.mark.xfail(
    strict=True,
    reason="transfers.services.accept_transfer moves the member (members.moves.move_member) but leaves "
    "their posts (elections.Officer) in the branch they left open: that branch's committee then names a "
    "member of another town to its own town's login. Once posts end on the day of the move, remove this "
    "mark and moved_away_holding_a_post above.",
)
def test_a_member_received_elsewhere_holds_no_post_in_the_branch_left(county):
    assert moved_away_holding_a_post() == set()
