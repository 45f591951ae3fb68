"""Restructuring: merge, split, move, change kind, abolish — previews, refusals, nothing lost."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dangjian.core.errors import DomainError
from dangjian.members.integrity import problems
from dangjian.members.models import Member, MembershipPeriod, PartyGroup, Status
from dangjian.members.services import change_status, create_party_group
from dangjian.orgs import restructure
from dangjian.orgs.models import Organization, OrgKind, Restructuring, RestructuringItem, UnitCategory
from dangjian.orgs.services import create_organization

DAY = dt.date(2025, 10, 1)


def branch(world, name, code, parent=None):
    return create_organization(
        actor=world.county_admin,
        parent=parent or world.town,
        name=name,
        code=code,
        kind=OrgKind.BRANCH,
        unit_category=UnitCategory.VILLAGE,
        founded_date=dt.date(1990, 1, 1),
    )


def test_a_merge_previews_then_moves_everyone_and_abolishes_the_sources(world):
    plan = restructure.plan_merge(actor=world.town_admin, sources=[world.village], target=world.community, date=DAY)
    assert plan.problems == []
    assert plan.counts["member"] == 2
    assert [(r.origin, r.destination, r.labelled) for r in plan.routes()] == [
        (world.village.name, world.community.name, [("党员", 2)])
    ]
    assert MembershipPeriod.objects.filter(end__isnull=False).count() == 0  # a preview writes nothing
    record = restructure.merge_organizations(
        actor=world.town_admin, sources=[world.village], target=world.community, date=DAY
    )
    for member in (world.zhangsan, world.lisi):
        member.refresh_from_db()
        assert member.organization == world.community
        assert member.org_path == world.community.path
        closed, opened = member.periods.order_by("start")
        assert (closed.organization, closed.end, opened.organization, opened.start, opened.end) == (
            world.village,
            DAY,
            world.community,
            DAY,
            None,
        )
    world.village.refresh_from_db()
    assert world.village.abolished_date == DAY
    moved = RestructuringItem.objects.filter(restructuring=record, item_type="member")
    assert {(i.item_id, i.from_organization_id, i.to_organization_id) for i in moved} == {
        (world.zhangsan.pk, world.village.pk, world.community.pk),
        (world.lisi.pk, world.village.pk, world.community.pk),
    }
    assert record.actor == world.town_admin
    assert problems() == []


def test_a_merge_into_a_new_organization_sets_it_up_first(world):
    second = branch(world, "中共新合村支部委员会", "T1-V2")
    record = restructure.merge_organizations(
        actor=world.town_admin,
        sources=[world.village, second],
        date=DAY,
        new_parent=world.town,
        new_fields={
            "name": "中共兴合村支部委员会",
            "code": "T1-V3",
            "kind": OrgKind.BRANCH,
            "unit_category": UnitCategory.VILLAGE,
            "founded_date": DAY,
        },
    )
    assert record.subject.name == "中共兴合村支部委员会"
    assert set(Member.objects.filter(organization=record.subject).values_list("name", flat=True)) == {"张三", "李四"}
    assert problems() == []


def test_a_new_organization_takes_the_merged_ones_place_unless_they_have_different_parents(world):
    fields = {"name": "中共兴合村支部委员会", "code": "T1-V3", "kind": OrgKind.BRANCH, "unit_category": "village"}
    second = branch(world, "中共新合村支部委员会", "T1-V2")
    record = restructure.merge_organizations(
        actor=world.county_admin, sources=[world.village, second], date=DAY, new_fields=fields
    )
    assert Organization.objects.get_parent(record.subject) == world.town
    elsewhere = branch(world, "中共外镇村支部委员会", "T2-V9", parent=world.other_town)
    with pytest.raises(DomainError, match="不在同一上级之下"):
        restructure.merge_organizations(
            actor=world.county_admin,
            sources=[record.subject, elsewhere],
            date=DAY,
            new_fields=fields | {"code": "T1-V4"},
        )
    assert not Organization.objects.filter(code="T1-V4").exists()


def test_a_merge_carries_sub_organizations_and_their_members_along(world):
    general = create_organization(
        actor=world.county_admin,
        parent=world.town,
        name="中共某村总支部委员会",
        code="T1-G",
        kind=OrgKind.GENERAL_BRANCH,
        unit_category=UnitCategory.VILLAGE,
    )
    restructure.move_organization(actor=world.town_admin, organization=world.village, new_parent=general, date=DAY)
    other = create_organization(
        actor=world.county_admin,
        parent=world.town,
        name="中共另村总支部委员会",
        code="T1-G2",
        kind=OrgKind.GENERAL_BRANCH,
        unit_category=UnitCategory.VILLAGE,
    )
    restructure.merge_organizations(actor=world.town_admin, sources=[general], target=other, date=DAY)
    world.village.refresh_from_db()
    assert Organization.objects.get_parent(world.village) == other
    assert Member.objects.get(pk=world.zhangsan.pk).org_path == world.village.path
    assert problems() == []


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("into_itself", "并入它自己"),
        ("into_child", "它自己的下级"),
        ("future", "晚于今天"),
        ("above_branch", "不直接管理党员"),
    ],
)
def test_merges_that_make_no_sense_are_refused_and_change_nothing(world, case, message):
    arguments = {
        "into_itself": {"sources": [world.village], "target": world.village, "date": DAY},
        "into_child": {"sources": [world.town], "target": world.village, "date": DAY},
        "future": {"sources": [world.village], "target": world.community, "date": dt.date(2099, 1, 1)},
        "above_branch": {"sources": [world.village], "target": world.town, "date": DAY},
    }[case]
    actor = world.county_admin
    with pytest.raises(DomainError) as refused:
        restructure.merge_organizations(actor=actor, **arguments)
    assert any(message in m for m in refused.value.errors[None]), refused.value.errors
    assert Restructuring.objects.count() == 0
    assert Member.objects.get(pk=world.zhangsan.pk).organization == world.village


def test_restructuring_outside_the_scope_is_404_and_without_the_right_403(world):
    with pytest.raises(Http404):
        restructure.merge_organizations(
            actor=world.town_admin, sources=[world.enterprise], target=world.village, date=DAY
        )
    with pytest.raises(PermissionDenied):
        restructure.merge_organizations(
            actor=world.branch_admin, sources=[world.village], target=world.community, date=DAY
        )


def test_a_split_moves_the_chosen_members_and_groups_into_a_new_branch(world):
    group = create_party_group(
        actor=world.branch_admin, organization=world.village, name="第一党小组", member_ids=[world.lisi.pk]
    )
    record = restructure.split_organization(
        actor=world.town_admin,
        source=world.village,
        date=DAY,
        party_group_ids=[group.pk],
        new_fields={
            "name": "中共兴丰村第二支部委员会",
            "code": "T1-V1b",
            "kind": OrgKind.BRANCH,
            "unit_category": UnitCategory.VILLAGE,
            "founded_date": DAY,
        },
    )
    world.lisi.refresh_from_db()
    assert world.lisi.organization == record.subject
    assert world.lisi.party_group == group
    assert PartyGroup.objects.get(pk=group.pk).organization == record.subject
    assert Member.objects.get(pk=world.zhangsan.pk).organization == world.village  # not chosen, stays
    assert problems() == []


def test_a_group_moves_without_the_deceased_who_stay_behind_outside_any_group(world):
    group = create_party_group(
        actor=world.branch_admin,
        organization=world.village,
        name="第一党小组",
        member_ids=[world.zhangsan.pk, world.lisi.pk],
    )
    change_status(actor=world.town_admin, member=world.lisi, status=Status.DECEASED, date=dt.date(2025, 1, 1))
    restructure.merge_organizations(actor=world.town_admin, sources=[world.village], target=world.community, date=DAY)
    zhangsan, lisi = Member.objects.get(pk=world.zhangsan.pk), Member.objects.get(pk=world.lisi.pk)
    assert (zhangsan.organization, zhangsan.party_group) == (world.community, group)
    assert (lisi.organization, lisi.party_group) == (world.village, None)  # the record stays where it was
    assert lisi.history.first().history_change_reason == "组织调整：撤并"
    assert problems() == []


def test_moving_a_subtree_rewrites_every_path_below_it(world):
    restructure.move_organization(
        actor=world.county_admin, organization=world.town, new_parent=world.other_town, date=DAY
    )
    world.town.refresh_from_db()
    world.village.refresh_from_db()
    assert world.village.path.startswith(world.other_town.path)
    assert Member.objects.get(pk=world.zhangsan.pk).org_path == world.village.path
    assert problems() == []


@pytest.mark.parametrize(
    ("mover", "organization", "new_parent", "message"),
    [
        ("county_admin", "town", "village", "它自己或它的下级"),
        ("county_admin", "town", "town", "它自己或它的下级"),
        ("county_admin", "village", "town", "已经在"),
        ("county_admin", "town", "community", "党支部下不能再设立党组织"),
        ("town_admin", "town", "county", "不能调整您当前所在组织"),
    ],
)
def test_moves_that_would_break_the_tree_are_refused(world, mover, organization, new_parent, message):
    actor = getattr(world, mover)
    refusal: type[Exception] = Http404 if mover == "town_admin" else DomainError  # the county is outside a town
    with pytest.raises(refusal) as refused:
        restructure.move_organization(
            actor=actor, organization=getattr(world, organization), new_parent=getattr(world, new_parent), date=DAY
        )
    if isinstance(refused.value, DomainError):
        assert any(message in m for m in refused.value.errors[None]), refused.value.errors
    assert problems() == []


def test_change_kind_keeps_history_and_refuses_to_orphan_members(world):
    with pytest.raises(DomainError, match="先拆分到下级支部"):
        restructure.change_kind(
            actor=world.town_admin, organization=world.village, kind=OrgKind.GENERAL_BRANCH, date=DAY
        )
    restructure.change_kind(
        actor=world.town_admin,
        organization=world.village,
        kind=OrgKind.GENERAL_BRANCH,
        date=DAY,
        holds_members_directly=True,
        setup_approval="坪组〔2025〕12号",
    )
    world.village.refresh_from_db()
    assert world.village.kind == OrgKind.GENERAL_BRANCH
    assert world.village.history.filter(kind=OrgKind.BRANCH).exists()


def test_abolish_only_what_is_empty(world):
    with pytest.raises(DomainError, match="还有2名党员"):
        restructure.abolish_organization(actor=world.town_admin, organization=world.village, date=DAY)
    empty = branch(world, "中共空支部委员会", "T1-E")
    restructure.abolish_organization(actor=world.town_admin, organization=empty, date=DAY)
    empty.refresh_from_db()
    assert empty.abolished_date == DAY


def test_a_members_timeline_shows_where_they_came_from(world):
    restructure.merge_organizations(actor=world.town_admin, sources=[world.village], target=world.community, date=DAY)
    came = list(restructure.history_of("member", world.zhangsan.pk))
    assert [(c.from_organization, c.to_organization) for c in came] == [(world.village, world.community)]
    page = world.client(world.town_admin).get(f"/members/{world.zhangsan.pk}/").content.decode()
    assert "组织调整：撤并" in page


def test_merged_groups_keep_unique_names_and_their_history_says_why_they_moved(world):
    second = branch(world, "中共新合村支部委员会", "T1-V2")
    PartyGroup.objects.create(organization=world.community, name="第一党小组")
    moved = create_party_group(
        actor=world.town_admin, organization=world.village, name="第一党小组", member_ids=[world.zhangsan.pk]
    )
    PartyGroup.objects.create(organization=second, name="第一党小组")
    PartyGroup.objects.create(organization=second, name="第二党小组")
    restructure.merge_organizations(
        actor=world.town_admin, sources=[world.village, second], target=world.community, date=DAY
    )
    assert sorted(PartyGroup.objects.filter(organization=world.community).values_list("name", flat=True)) == sorted(
        [
            "第一党小组",
            "第一党小组（原中共兴丰村支部委员会）",
            "第一党小组（原中共新合村支部委员会）",
            "第二党小组",
        ]
    )
    latest = moved.history.latest()
    assert (latest.organization_id, latest.history_user, latest.history_change_reason) == (
        world.community.pk,
        world.town_admin,
        "组织调整：撤并",
    )
    assert Member.objects.get(pk=world.zhangsan.pk).party_group_id == moved.pk
