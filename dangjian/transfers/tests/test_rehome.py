"""Open transfers follow a restructuring: nothing is left half-done (check_integrity is clean)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.orgs.models import OrgKind, UnitCategory
from dangjian.orgs.restructure import abolish_organization, merge_organizations
from dangjian.orgs.services import create_organization
from dangjian.transfers.models import Transfer, TransferState

from .conftest import issued


def test_a_merge_carries_open_transfers_with_the_members(world):
    outgoing = issued(world)  # 张三: village → enterprise
    incoming = issued(world, member=world.zhaoliu, to=world.community)  # 赵六: enterprise → community
    # 坪塘镇 merges the community into the village: 赵六's letter now goes to the village
    merge_organizations(
        actor=world.town_admin, sources=[world.community], target=world.village, date=timezone.localdate()
    )
    incoming.refresh_from_db()
    assert incoming.to_org == world.village and incoming.state == TransferState.ISSUED
    outgoing.refresh_from_db()
    assert outgoing.from_org == world.village
    call_command("check_integrity")


def test_a_transfer_between_merged_organizations_is_cancelled(world):
    transfer = issued(world, member=world.wangfang, to=world.village)
    merge_organizations(
        actor=world.town_admin, sources=[world.community], target=world.village, date=timezone.localdate()
    )
    transfer.refresh_from_db()
    assert transfer.state == TransferState.CANCELLED
    assert transfer.return_reason == "组织调整：撤并，党员已在转入组织"
    call_command("check_integrity")


def test_an_organization_expecting_members_cannot_be_abolished(world):
    empty = create_organization(
        actor=world.town_admin,
        parent=world.town,
        name="中共坪塘镇新建村支部委员会",
        code="T1-V9",
        kind=OrgKind.BRANCH,
        unit_category=UnitCategory.VILLAGE,
        founded_date=dt.date(2020, 1, 1),
    )
    issued(world, member=world.zhaoliu, to=empty)
    with pytest.raises(DomainError, match="有1份转入该组织的组织关系转接尚未办结，请先接收或退回"):
        abolish_organization(actor=world.town_admin, organization=empty, date=timezone.localdate())
    assert Transfer.objects.get().to_org == empty
