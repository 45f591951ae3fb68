import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dangjian.transfers import services
from dangjian.transfers.models import Transfer


def issued(world: Any, member: Any = None, to: Any = None, *, days_ago: int = 0, valid_days: int = 30) -> Transfer:
    """A transfer of 张三 (village, 坪塘镇) to the enterprise branch (古山镇), letter issued."""
    member = member or world.zhangsan
    sender = world.other_admin if member.org_path.startswith(world.other_town.path) else world.town_admin
    transfer = services.request_transfer(
        actor=world.branch_admin if member.organization_id == world.village.pk else sender,
        member=member,
        to_org=to or world.enterprise,
        reason="工作单位变动",
    )
    services.approve_transfer(actor=sender, transfer=transfer)
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return services.issue_letter(
        actor=sender, transfer=transfer, valid_days=valid_days, dues_paid_through=day, date=day
    )


@pytest.fixture
def make_issued():
    return issued
