"""The tree pages: counts per subtree, lazy children, breadcrumbs inside the scope."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.orgs.models import Organization, OrgKind, UnitCategory
from dangjian.orgs.services import create_organization


def test_the_tree_counts_branches_and_members_per_subtree(world):
    response = world.client(world.county_admin).get("/orgs/")
    counts = {node.organization.name: node.counts for node in response.context["children"]}
    assert counts["中共坪塘镇委员会"] == {"branches": 2, "members": 3}
    assert counts["中共古山镇委员会"] == {"branches": 1, "members": 1}
    assert response.context["root"].counts == {"branches": 3, "members": 4}


def test_children_load_on_demand_with_their_counts(world):
    response = world.client(world.county_admin).get(f"/orgs/{world.town.pk}/children/")
    counts = {node.organization.name: node.counts["members"] for node in response.context["children"]}
    assert counts == {"中共兴丰村支部委员会": 2, "中共新街社区支部委员会": 1}


def test_tree_queries_do_not_grow_with_the_number_of_children(world):
    client = world.client(world.county_admin)
    client.get(f"/orgs/{world.town.pk}/children/")  # the session and the settings are read once
    with CaptureQueriesContext(connection) as few:
        client.get(f"/orgs/{world.town.pk}/children/")
    for number in range(8):
        create_organization(
            actor=world.county_admin,
            parent=world.town,
            name=f"中共第{number}支部委员会",
            code=f"T1-N{number}",
            kind=OrgKind.BRANCH,
            unit_category=UnitCategory.VILLAGE,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/orgs/{world.town.pk}/children/")
    assert len(response.context["children"]) == 10
    assert len(many) == len(few)


def test_the_breadcrumb_starts_at_the_scope(world):
    county_view = world.client(world.county_admin).get(f"/orgs/{world.village.pk}/")
    assert [o.name for o in county_view.context["lineage"]] == [
        "中共示范县委员会",
        "中共坪塘镇委员会",
        "中共兴丰村支部委员会",
    ]
    town_view = world.client(world.town_admin).get(f"/orgs/{world.village.pk}/")
    assert [o.name for o in town_view.context["lineage"]] == ["中共坪塘镇委员会", "中共兴丰村支部委员会"]
    assert "中共示范县委员会" not in town_view.content.decode()


def test_the_form_sets_up_an_organization_and_shows_rule_errors(world):
    client = world.client(world.town_admin)
    refused = client.post(
        f"/orgs/{world.village.pk}/new/", {"name": "x", "code": "T1-X", "kind": "branch", "unit_category": "village"}
    )
    assert "党支部下不能再设立党组织" in refused.content.decode()
    created = client.post(
        f"/orgs/{world.town.pk}/new/",
        {
            "name": "中共坪塘镇正塘社区支部委员会",
            "code": "T1-C2",
            "kind": "branch",
            "unit_category": "community",
            "founded_date": "2003-05-01",
        },
    )
    organization = Organization.objects.get(code="T1-C2")
    assert created["Location"] == f"/orgs/{organization.pk}/"


def test_deleting_an_occupied_organization_explains_why(world):
    client = world.client(world.town_admin)
    response = client.post(f"/orgs/{world.village.pk}/delete/", follow=True)
    assert "不能删除：还有2名党员" in response.content.decode()
    assert Organization.objects.get(pk=world.village.pk).deleted_at is None


def test_out_of_scope_pages_say_so_in_chinese(world):
    response = world.client(world.branch_admin).get(f"/orgs/{world.community.pk}/")
    assert response.status_code == 404
    assert "不在您的管理范围内" in response.content.decode()
    refused = world.client(world.member_user).get(f"/orgs/{world.village.pk}/edit/")
    assert refused.status_code == 403
    assert "您当前的角色无权修改党组织信息" in refused.content.decode()


def test_a_branch_administrator_may_register_members_but_not_organizations(world):
    body = world.client(world.branch_admin).get(f"/orgs/{world.village.pk}/").content.decode()
    assert "登记党员" in body
    assert "设立下级组织" not in body
    assert f"/orgs/{world.village.pk}/edit/" not in body


def test_deleting_an_empty_organization_returns_to_its_parent(world):
    empty = create_organization(
        actor=world.town_admin,
        parent=world.town,
        name="中共误录支部委员会",
        code="T1-X9",
        kind=OrgKind.BRANCH,
        unit_category=UnitCategory.VILLAGE,
    )
    response = world.client(world.town_admin).post(f"/orgs/{empty.pk}/delete/")
    assert response["Location"] == f"/orgs/{world.town.pk}/"
    assert Organization.objects.get(pk=empty.pk).deleted_at is not None
