"""Setting up, changing and deleting organizations."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dangjian.core.errors import DomainError
from dangjian.orgs.models import Organization, OrgKind, UnitCategory
from dangjian.orgs.services import (
    create_organization,
    create_root_organization,
    delete_organization,
    update_organization,
)


def new_branch(world, parent=None, actor=None, **overrides):
    values = {
        "name": "中共坪塘镇新合村支部委员会",
        "code": "T1-V9",
        "kind": OrgKind.BRANCH,
        "unit_category": UnitCategory.VILLAGE,
    }
    return create_organization(actor=actor or world.town_admin, parent=parent or world.town, **(values | overrides))


def test_it_adds_a_child_in_tree_order(world):
    branch = new_branch(world)
    assert Organization.objects.get_parent(branch) == world.town
    assert branch.path.startswith(world.town.path)
    assert branch.depth == world.town.depth + 1


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"code": "T1"}, "code", "已被使用"),
        ({"code": "有空格 的代码"}, "code", "字母、数字"),
        ({"name": ""}, "name", "请填写名称"),
        ({"kind": "cell"}, "kind", "不在可选范围内"),
        ({"founded_date": dt.date(2099, 1, 1)}, "founded_date", "不能晚于今天"),
        ({"abolished_date": dt.date(2020, 1, 1)}, "abolished_date", "不能带撤销日期"),
    ],
)
def test_bad_input_is_refused_by_field(world, overrides, field, text):
    count = Organization.objects.count()
    with pytest.raises(DomainError) as refused:
        new_branch(world, **overrides)
    assert any(text in m for m in refused.value.errors[field]), refused.value.errors
    assert Organization.objects.count() == count


def test_nothing_is_set_up_under_a_branch(world):
    with pytest.raises(DomainError) as refused:
        new_branch(world, parent=world.village)
    assert "党支部下不能再设立党组织" in refused.value.errors["kind"][0]


def test_branch_admins_and_members_do_not_set_up_organizations(world):
    for user in (world.branch_admin, world.member_user):
        with pytest.raises(PermissionDenied):
            new_branch(world, actor=user)


def test_a_parent_outside_the_scope_is_404(world):
    with pytest.raises(Http404):
        new_branch(world, parent=world.other_town)


def test_a_branch_with_members_cannot_become_a_committee(world):
    with pytest.raises(DomainError) as refused:
        update_organization(actor=world.town_admin, organization=world.village, kind=OrgKind.COMMITTEE)
    assert "现有2名党员" in refused.value.errors["holds_members_directly"][0]


def test_a_committee_with_a_committee_below_cannot_become_a_general_branch(world):
    with pytest.raises(DomainError) as refused:
        update_organization(actor=world.county_admin, organization=world.county, kind=OrgKind.GENERAL_BRANCH)
    assert "党总支下只能设立党支部一级组织" in refused.value.errors["kind"][0]


def test_abolishing_needs_an_empty_organization(world):
    with pytest.raises(DomainError) as refused:
        update_organization(actor=world.town_admin, organization=world.village, abolished_date=dt.date(2025, 1, 1))
    assert "还有2名党员" in refused.value.errors["abolished_date"][0]
    empty = new_branch(world)
    update_organization(actor=world.town_admin, organization=empty, abolished_date=dt.date(2025, 1, 1))
    assert Organization.objects.get(pk=empty.pk).abolished_date == dt.date(2025, 1, 1)


def test_profile_changes_are_saved(world):
    update_organization(actor=world.town_admin, organization=world.village, short_name="兴丰村党支部", code="XF")
    world.village.refresh_from_db()
    assert (world.village.short_name, world.village.code) == ("兴丰村党支部", "XF")


def test_delete_is_soft_and_refused_while_anything_remains(world):
    with pytest.raises(DomainError, match="还有2名党员"):
        delete_organization(actor=world.town_admin, organization=world.village)
    with pytest.raises(DomainError, match="不能删除您当前所在的组织"):
        delete_organization(actor=world.town_admin, organization=world.town)
    empty = new_branch(world)
    delete_organization(actor=world.town_admin, organization=empty)
    assert Organization.objects.get(pk=empty.pk).deleted_at is not None
    assert world.client(world.town_admin).get(f"/orgs/{empty.pk}/").status_code == 404


def test_there_is_one_root(world):
    with pytest.raises(DomainError, match="已有顶层党组织"):
        create_root_organization(
            name="中共另一县委员会", code="X", kind=OrgKind.COMMITTEE, unit_category=UnitCategory.ORGAN
        )
