"""A restructuring neither blocks on sanctions nor leaves them dangling: the deciding organization
is history (kept, with its name, abolished or not); the sanction is where its member now is."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.discipline import services
from dangjian.discipline.models import Sanction
from dangjian.orgs.restructure import merge_organizations, move_organization

D = dt.date


def test_merging_the_deciding_branch_away_keeps_the_sanction_with_the_member(world):
    sanction = services.record_sanction(
        actor=world.town_admin,
        member=world.wangfang,
        kind="probation",
        months=24,
        decided_on=D(2024, 5, 1),
        deciding_org=world.community,
        reason="违纪",
    )
    today = timezone.localdate()
    merge_organizations(actor=world.town_admin, sources=[world.community], target=world.village, date=today)
    sanction = Sanction.objects.select_related("deciding_org", "member").get(pk=sanction.pk)
    assert sanction.deciding_org == world.community and sanction.deciding_org.abolished_date == today
    assert sanction.deciding_org_name == "中共新街社区支部委员会"
    # In the village's list now, and its page says the deciding branch is abolished.
    branch = world.client(world.branch_admin)
    assert [s.pk for s in branch.get(reverse("discipline:list")).context["page"]] == [sanction.pk]
    page = branch.get(reverse("discipline:detail", args=[sanction.pk])).content.decode()
    assert f"已于{today:%Y-%m-%d}撤销" in page
    call_command("check_integrity")


def test_after_a_merge_the_successor_decides(world):
    """古山镇 merged into 坪塘镇: the enterprise branch is now under 坪塘镇, and a sanction recorded
    afterwards names its present lineage (the merged committee is no longer above it)."""
    merge_organizations(actor=world.county_admin, sources=[world.other_town], target=world.town, date=D(2024, 6, 1))
    zhaoliu = world.zhaoliu
    zhaoliu.refresh_from_db()

    def record(organization):
        return services.record_sanction(
            actor=world.town_admin,
            member=zhaoliu,
            kind="warning",
            decided_on=D(2024, 7, 1),
            deciding_org=organization,
            reason="违纪",
        )

    with pytest.raises(DomainError) as refused:
        record(world.other_town)
    assert refused.value.errors == {"deciding_org": ["决定处分的党组织应为赵六所在党支部或其上级党组织"]}
    assert record(world.town).deciding_org == world.town


def test_moving_a_subtree_carries_the_sanctions_scope(world):
    sanction = services.record_sanction(
        actor=world.town_admin,
        member=world.zhangsan,
        kind="warning",
        decided_on=D(2024, 5, 1),
        deciding_org=world.town,
        reason="违纪",
    )
    move_organization(
        actor=world.county_admin, organization=world.village, new_parent=world.other_town, date=D(2024, 6, 1)
    )
    assert world.client(world.other_admin).get(reverse("discipline:detail", args=[sanction.pk])).status_code == 200
    assert world.client(world.town_admin).get(reverse("discipline:detail", args=[sanction.pk])).status_code == 404
