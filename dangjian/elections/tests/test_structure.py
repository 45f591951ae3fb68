"""组织设置体检: each rule flags what it should, cites its source, and follows adjusted thresholds."""

import datetime as dt
from typing import Any

import pytest

from dangjian.elections.models import Position
from dangjian.elections.services import appoint_officer, start_term
from dangjian.elections.structure import structure_report
from dangjian.orgs import rules
from dangjian.orgs.models import CoveredUnit, OrgKind, StructureThresholds

K = OrgKind


def facts(**overrides: object) -> rules.OrgFacts:
    values: dict[str, Any] = {
        "kind": K.BRANCH,
        "depth": 3,
        "holds_members_directly": False,
        "has_approval": False,
        "members": 10,
        "full_members": 10,
        "subtree_members": 10,
        "has_term": True,
        "officers": 3,
        "has_secretary": True,
        "term_overdue": False,
        "covered_units": 1,
    }
    return rules.OrgFacts(**(values | overrides))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"full_members": 2, "members": 2}, "too_few"),
        ({"members": 51, "full_members": 51}, "too_many"),
        ({"officers": 1}, "no_committee"),
        ({"kind": K.JOINT_BRANCH, "covered_units": 6}, "too_many_units"),
        ({"kind": K.GENERAL_BRANCH, "subtree_members": 49}, "small_general_branch"),
        ({"kind": K.COMMITTEE, "subtree_members": 99}, "small_committee"),
        ({"kind": K.GENERAL_BRANCH, "subtree_members": 80, "holds_members_directly": True}, "direct_without_approval"),
        ({"has_secretary": False}, "no_secretary"),
        ({"term_overdue": True}, "term_overdue"),
    ],
)
def test_each_rule_flags_its_case(overrides, code):
    found = rules.structure_findings(facts(**overrides), rules.Thresholds())
    assert [f.code for f in found] == [code]
    assert "条例" in found[0].rule


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"full_members": 6, "members": 6, "officers": 0},  # under 7: no committee required
        {"kind": K.GENERAL_BRANCH, "subtree_members": 30, "has_approval": True},
        {"kind": K.COMMITTEE, "subtree_members": 30, "has_approval": True},
        {"kind": K.COMMITTEE, "depth": 1, "subtree_members": 30},  # the county itself
    ],
)
def test_what_the_rules_allow_is_not_flagged(overrides):
    assert rules.structure_findings(facts(**overrides), rules.Thresholds()) == []


def test_the_report_over_a_subtree_and_adjusted_thresholds(world):
    reports = {
        r.organization.name: [f.code for f in r.findings] for r in structure_report(world.county_admin, world.town)
    }
    assert reports["中共兴丰村支部委员会"] == ["too_few", "no_secretary"]
    assert reports["中共坪塘镇委员会"] == ["small_committee", "no_secretary"]
    term = start_term(actor=world.county_admin, organization=world.village, start=dt.date(2024, 1, 1))
    appoint_officer(
        actor=world.county_admin,
        term=term,
        position=Position.SECRETARY,
        member=world.zhangsan,
        since=dt.date(2024, 1, 1),
    )
    StructureThresholds.objects.update_or_create(
        pk=StructureThresholds.current().pk, defaults={"branch_min_full_members": 2}
    )
    reports = {
        r.organization.name: [f.code for f in r.findings] for r in structure_report(world.county_admin, world.town)
    }
    assert "中共兴丰村支部委员会" not in reports


def test_a_joint_branch_over_five_units_is_flagged_on_its_page(world):
    world.enterprise.kind = OrgKind.JOINT_BRANCH
    world.enterprise.save()
    for n in range(6):
        CoveredUnit.objects.create(
            organization=world.enterprise, name=f"企业{n}", unit_category="non_public_enterprise"
        )
    page = world.client(world.county_admin).get(f"/orgs/{world.enterprise.pk}/").content.decode()
    assert "覆盖6个单位，超过5个" in page
    report = world.client(world.county_admin).get(f"/elections/structure/{world.county.pk}/").content.decode()
    assert "覆盖6个单位，超过5个" in report
