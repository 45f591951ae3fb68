"""The tree page's search and its switch for abolished organizations, and what the restructuring
wizard offers: only choices that can be taken."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.members.services import create_party_group
from dangjian.orgs import restructure
from dangjian.orgs.models import OrgKind, UnitCategory
from dangjian.orgs.services import create_organization


def _org(world, parent, name, code, kind=OrgKind.BRANCH):
    return create_organization(
        actor=world.county_admin,
        parent=parent,
        name=name,
        code=code,
        kind=kind,
        unit_category=UnitCategory.COMMUNITY,
        founded_date=dt.date(1990, 1, 1),
    )


def _abolish(world, organization):
    restructure.abolish_organization(actor=world.county_admin, organization=organization, date=dt.date(2020, 6, 30))


def test_abolished_organizations_stay_out_of_the_tree_unless_asked_for(world):
    old = _org(world, world.town, "中共坪塘镇旧街社区支部委员会", "T1-OLD")
    _abolish(world, old)
    client = world.client(world.county_admin)
    hidden = client.get(f"/orgs/{world.town.pk}/children/")
    assert [node.organization.pk for node in hidden.context["children"]] == [world.village.pk, world.community.pk]
    assert "另有1个已撤销的组织未显示" in hidden.content.decode()
    shown = client.get(f"/orgs/{world.town.pk}/children/", {"abolished": "1"})
    assert old.pk in [node.organization.pk for node in shown.context["children"]]
    assert "已撤销的组织未显示" not in shown.content.decode()


def test_a_node_whose_only_children_are_abolished_offers_nothing_to_expand(world):
    committee = _org(world, world.town, "中共坪塘镇工业园区委员会", "T1-P", kind=OrgKind.COMMITTEE)
    _abolish(world, _org(world, committee, "中共坪塘镇工业园区旧厂支部委员会", "T1-P-1"))
    client = world.client(world.county_admin)
    expand = f'hx-get="/orgs/{committee.pk}/children/'
    assert expand not in client.get(f"/orgs/{world.town.pk}/children/").content.decode()
    shown = client.get(f"/orgs/{world.town.pk}/children/", {"abolished": "1"}).content.decode()
    assert f'{expand}?abolished=1"' in shown  # and deeper levels keep the switch


def test_the_tree_page_hides_abolished_children_of_the_root_too(world):
    _abolish(world, _org(world, world.county, "中共示范县旧机关委员会", "C0-OLD", kind=OrgKind.COMMITTEE))
    client = world.client(world.county_admin)
    assert [n.organization.pk for n in client.get("/orgs/").context["children"]] == [
        world.town.pk,
        world.other_town.pk,
    ]
    assert len(client.get("/orgs/", {"abolished": "1"}).context["children"]) == 3


def test_the_search_finds_by_name_short_name_or_the_start_of_the_code_within_the_scope(world):
    county = world.client(world.county_admin)
    town = world.client(world.town_admin)

    def found(client, query, **more):
        return [node.organization.pk for node in client.get("/orgs/", {"q": query, **more}).context["results"]]

    assert found(county, "古山") == [world.other_town.pk]
    assert found(town, "古山") == []  # outside the town's scope
    assert found(county, "县委") == [world.county.pk]  # its short name
    assert found(county, "t1-") == [world.village.pk, world.community.pk]  # codes from their start
    assert found(county, "V1") == []  # not from the middle of a code
    page = county.get("/orgs/", {"q": "兴丰"})
    (village,) = page.context["results"]
    assert [o.pk for o in village.trail] == [world.county.pk, world.town.pk]
    (seen_from_town,) = town.get("/orgs/", {"q": "兴丰"}).context["results"]
    assert [o.pk for o in seen_from_town.trail] == [world.town.pk]  # the county is not in its scope

    old = _org(world, world.town, "中共坪塘镇兴丰旧街支部委员会", "T1-OLD")
    _abolish(world, old)
    assert found(county, "兴丰") == [world.village.pk]
    assert found(county, "兴丰", abolished="1") == [world.village.pk, old.pk]
    refused = county.get("/orgs/", {"q": "旧街"}).content.decode()
    assert "未找到与“旧街”相符的党组织" in refused and "勾选“显示已撤销的组织”" in refused


def test_the_search_reads_the_same_number_of_queries_for_one_match_or_many(world):
    client = world.client(world.county_admin)
    client.get("/orgs/", {"q": "兴丰"})  # the session and the settings are read once
    with CaptureQueriesContext(connection) as one:
        client.get("/orgs/", {"q": "兴丰"})
    for number in range(8):
        _org(world, world.town, f"中共兴丰第{number}支部委员会", f"T1-X{number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/orgs/", {"q": "兴丰"})
    assert len(response.context["results"]) == 9
    assert len(many) == len(one)


def test_the_tree_switch_costs_no_query_more_whether_abolished_ones_show_or_not(world):
    for number in range(4):
        _abolish(world, _org(world, world.town, f"中共坪塘镇旧第{number}支部委员会", f"T1-O{number}"))
    client = world.client(world.county_admin)
    client.get(f"/orgs/{world.town.pk}/children/")  # the session and the settings are read once
    with CaptureQueriesContext(connection) as hidden:
        fewer = client.get(f"/orgs/{world.town.pk}/children/")
    with CaptureQueriesContext(connection) as shown:
        more = client.get(f"/orgs/{world.town.pk}/children/", {"abolished": "1"})
    assert (len(fewer.context["children"]), len(more.context["children"])) == (2, 6)
    assert len(shown) == len(hidden)


def test_a_change_of_kind_offers_only_what_the_organization_may_become(world):
    client = world.client(world.town_admin)
    under_town = client.get(f"/orgs/{world.village.pk}/restructure/change_kind/").context["form"]
    offered = [value for value, _ in under_town.fields["kind"].choices]
    assert OrgKind.BRANCH not in offered and OrgKind.COMMITTEE in offered
    general = _org(world, world.town, "中共坪塘镇联合总支部委员会", "T1-G", kind=OrgKind.GENERAL_BRANCH)
    branch = _org(world, general, "中共坪塘镇联合第一支部委员会", "T1-G-1")
    under_general = client.get(f"/orgs/{branch.pk}/restructure/change_kind/").context["form"]
    assert [value for value, _ in under_general.fields["kind"].choices] == [
        OrgKind.JOINT_BRANCH,
        OrgKind.TEMPORARY_BRANCH,
    ]


def test_a_split_asks_which_party_groups_move_only_where_there_are_some(world):
    client = world.client(world.town_admin)
    page = client.get(f"/members/split/{world.village.pk}/")
    assert "party_groups" not in page.context["form"].fields
    assert "整体拆分出去的党小组" not in page.content.decode()
    create_party_group(actor=world.branch_admin, organization=world.village, name="第一党小组")
    assert "party_groups" in client.get(f"/members/split/{world.village.pk}/").context["form"].fields


def test_the_wizards_fields_are_all_styled_whichever_kind_adds_them(world):
    client = world.client(world.town_admin)
    split = client.get(f"/members/split/{world.village.pk}/").context["form"]
    assert "form-control" in split.fields["new_name"].widget.attrs["class"]
    assert "form-select" in split.fields["new_kind"].widget.attrs["class"]
    assert split.fields["members"].widget.attrs["class"] == "form-check-input"
    merge = client.get(f"/orgs/{world.town.pk}/restructure/merge/").context["form"]
    assert merge.fields["sources"].widget.attrs["class"] == "form-check-input"
    assert merge.fields["target"].widget.attrs["class"] == "form-check-input"
