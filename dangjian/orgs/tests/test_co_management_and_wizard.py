"""Co-management (属地共管), the restructuring wizard's preview and confirm, and the API operations."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dangjian.core.errors import DomainError
from dangjian.core.models import User
from dangjian.core.services import create_user
from dangjian.elections.models import Term
from dangjian.elections.services import start_term
from dangjian.members.models import Member
from dangjian.orgs import restructure
from dangjian.orgs.models import CoManagement, Organization, Restructuring
from dangjian.orgs.services import add_co_management, create_organization, end_co_management, update_organization

DAY = dt.date(2025, 10, 1)


def test_a_co_manager_sees_the_profile_and_counts_never_the_members(world):
    link = add_co_management(
        actor=world.county_admin,
        organization=world.enterprise,
        co_manager=world.town,
        kind="territorial",
        since=dt.date(2024, 1, 1),
    )
    client = world.client(world.town_admin)
    page = client.get(f"/orgs/{world.enterprise.pk}/")
    assert page.status_code == 200
    assert page.context["totals"]["members"] == 1  # counted, not listed
    assert client.get(f"/members/{world.zhaoliu.pk}/").status_code == 404
    assert world.zhaoliu.name not in client.get("/members/", {"q": "赵"}).content.decode()
    assert client.get("/api/v1/members/", {"organization": world.enterprise.pk}).json()["count"] == 0
    town_page = client.get(f"/orgs/{world.town.pk}/").content.decode()
    assert "共管：" in town_page and world.enterprise.name in town_page
    end_co_management(actor=world.county_admin, link=link, until=dt.date(2025, 1, 1))
    assert client.get(f"/orgs/{world.enterprise.pk}/").status_code == 404


def test_a_co_manager_changes_nothing_in_the_co_managed_organization(world):
    add_co_management(
        actor=world.county_admin,
        organization=world.enterprise,
        co_manager=world.town,
        kind="territorial",
        since=dt.date(2024, 1, 1),
    )
    actor, enterprise = world.town_admin, world.enterprise
    before = Organization.objects.get(pk=enterprise.pk).name
    attempts = [
        lambda: update_organization(actor=actor, organization=enterprise, name="改名"),
        lambda: create_organization(
            actor=actor, parent=enterprise, name="下级", code="X1", kind="branch", unit_category="village"
        ),
        lambda: start_term(actor=actor, organization=enterprise, start=dt.date(2024, 3, 1)),
        lambda: restructure.merge_organizations(actor=actor, sources=[enterprise], target=world.village, date=DAY),
        lambda: restructure.move_organization(actor=actor, organization=enterprise, new_parent=world.town, date=DAY),
        lambda: create_user(actor=actor, username="co_user", display_name="共管", home_organization=enterprise),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="共管"):
            attempt()
    client = world.client(actor)
    assert client.get(f"/orgs/{enterprise.pk}/edit/").status_code == 403
    assert client.get(f"/orgs/{enterprise.pk}/restructure/move/").status_code == 403
    assert "restructure-actions" not in client.get(f"/orgs/{enterprise.pk}/").content.decode()
    response = client.patch(
        f"/api/v1/organizations/{enterprise.pk}/", {"name": "改名"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Organization.objects.get(pk=enterprise.pk).name == before
    assert not Term.objects.filter(organization=enterprise).exists()
    assert not User.objects.filter(username="co_user").exists()
    assert Organization.objects.get_parent(Organization.objects.get(pk=enterprise.pk)) == world.other_town


def test_co_management_needs_both_in_scope_and_makes_sense(world):
    with pytest.raises(Http404):  # the enterprise is outside the town
        add_co_management(
            actor=world.town_admin,
            organization=world.enterprise,
            co_manager=world.town,
            kind="territorial",
            since=dt.date(2024, 1, 1),
        )
    with pytest.raises(DomainError, match="本就是"):
        add_co_management(
            actor=world.county_admin,
            organization=world.village,
            co_manager=world.town,
            kind="territorial",
            since=dt.date(2024, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        add_co_management(
            actor=world.branch_admin,
            organization=world.village,
            co_manager=world.community,
            kind="territorial",
            since=dt.date(2024, 1, 1),
        )
    assert not CoManagement.objects.exists()


def test_the_wizard_previews_without_writing_then_confirms(world):
    client = world.client(world.town_admin)
    data = {"date": "2025-10-01", "sources": [str(world.village.pk)], "target": str(world.community.pk)}
    preview = client.post(f"/orgs/{world.town.pk}/restructure/merge/", data | {"action": "preview"})
    assert preview.context["plan"].counts["member"] == 2
    assert "确认办理" in preview.content.decode()
    assert Member.objects.get(pk=world.zhangsan.pk).organization == world.village
    done = client.post(f"/orgs/{world.town.pk}/restructure/merge/", data | {"action": "confirm"})
    assert done["Location"] == f"/orgs/{world.community.pk}/"
    assert Member.objects.get(pk=world.zhangsan.pk).organization == world.community
    page = client.get(f"/orgs/{world.community.pk}/").content.decode()
    assert "撤并" in page  # the restructuring record on the page


def test_the_wizard_shows_problems_and_offers_no_confirmation(world):
    client = world.client(world.town_admin)
    preview = client.post(
        f"/orgs/{world.village.pk}/restructure/move/",
        {"date": "2025-10-01", "new_parent": world.village.pk, "action": "confirm"},
    )
    body = preview.content.decode()
    assert "确认办理" not in body
    assert "它自己或它的下级" in body or "不在您的管理范围内" in body
    assert not Restructuring.objects.exists()


def test_the_split_wizard_moves_the_chosen_members(world):
    client = world.client(world.town_admin)
    done = client.post(
        f"/members/split/{world.village.pk}/",
        {
            "date": "2025-10-01",
            "members": [world.lisi.pk],
            "new_name": "中共兴丰村第二支部委员会",
            "new_code": "T1-V1b",
            "new_kind": "branch",
            "new_unit_category": "village",
            "action": "confirm",
        },
    )
    new = Organization.objects.get(code="T1-V1b")
    assert done["Location"] == f"/orgs/{new.pk}/"
    assert Member.objects.get(pk=world.lisi.pk).organization == new


def test_the_api_previews_and_carries_out_a_merge(world):
    client = world.client(world.town_admin)
    body = {"date": "2025-10-01", "sources": [world.village.pk], "target": world.community.pk}
    preview = client.post("/api/v1/restructurings/merge/", body | {"preview": True}, content_type="application/json")
    assert preview.status_code == 200
    assert preview.json()["counts"] == {"member": 2}
    assert preview.json()["routes"] == [
        {"from": world.village.name, "to": world.community.name, "counts": {"member": 2}}
    ]
    assert not Restructuring.objects.exists()
    done = client.post("/api/v1/restructurings/merge/", body, content_type="application/json")
    assert done.status_code == 201
    assert done.json()["summary"]["counts"] == {"member": 2}
    assert [r["id"] for r in client.get("/api/v1/restructurings/").json()["results"]] == [done.json()["id"]]
    refused = client.post(
        "/api/v1/restructurings/merge/",
        {"date": "2025-10-02", "sources": [world.community.pk], "target": world.community.pk},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "并入它自己" in refused.content.decode()


def test_covered_units_and_co_management_through_the_api(world):
    client = world.client(world.county_admin)
    url = f"/api/v1/organizations/{world.enterprise.pk}/"

    def post(path, body):
        return client.post(url + path, body, content_type="application/json")

    added = post("covered-units/", {"name": "三环颜料有限公司", "unit_category": "non_public_enterprise"})
    assert added.status_code == 201, added.content
    [unit] = added.json()["covered_units"]
    assert unit["name"] == "三环颜料有限公司"
    assert post("covered-units/", {"name": "三环颜料有限公司", "unit_category": "non_public_enterprise"}).json() == {
        "name": ["已登记“三环颜料有限公司”"]
    }
    assert set(post("covered-units/", {"name": "", "unit_category": "nonsense"}).json()) == {"name", "unit_category"}
    unknown = post("covered-units/remove/", {"unit": 999999})
    assert unknown.status_code == 400 and "999999" in unknown.json()["unit"][0]
    assert post("covered-units/remove/", {"unit": unit["id"]}).json()["covered_units"] == []

    linked = post("co-managers/", {"co_manager": world.town.pk, "kind": "territorial", "since": "2024-01-01"})
    assert linked.status_code == 201, linked.content
    [link] = linked.json()["co_managed_by"]
    assert (link["co_manager_name"], link["kind"], link["since"]) == (world.town.name, "territorial", "2024-01-01")
    assert client.get(f"/api/v1/organizations/{world.enterprise.pk}/").json()["co_managed_by"] == [link]
    itself = post("co-managers/", {"co_manager": world.enterprise.pk, "kind": "territorial", "since": "2024-01-01"})
    assert itself.json() == {"co_manager": ["组织不能共管自己"]}
    early = post("co-managers/end/", {"link": link["id"], "until": "2023-01-01"})
    assert early.json() == {"until": ["终止日期不能早于起始日期"]}
    assert post("co-managers/end/", {"link": link["id"], "until": "2025-01-01"}).json()["co_managed_by"] == []
    assert CoManagement.objects.get(pk=link["id"]).until == dt.date(2025, 1, 1)


def test_the_co_manager_cannot_touch_the_units_or_links_through_the_api(world):
    add_co_management(
        actor=world.county_admin, organization=world.enterprise, co_manager=world.town, kind="territorial", since=DAY
    )
    client = world.client(world.town_admin)
    url = f"/api/v1/organizations/{world.enterprise.pk}/"
    assert client.get(url).status_code == 200  # seen…
    unit = client.post(
        url + "covered-units/", {"name": "某公司", "unit_category": "village"}, content_type="application/json"
    )
    assert unit.status_code == 403  # …never changed
    assert "共管" in unit.json()["detail"]
    assert not world.enterprise.covered_units.exists()
