"""The demo county's annual statistics (党内统计年报) of last year: 坪塘镇党委 has submitted its
report; 古山镇党委 submitted too and the county returned it with a reason, so the town's page shows
the return to correct, and the county's overview one town submitted and the others not yet."""

from typing import TYPE_CHECKING

from dangjian.core import scope
from dangjian.core.models import User
from dangjian.orgs.models import Organization
from dangjian.stats import services

if TYPE_CHECKING:
    from .activity import Cast


def write(cast: "Cast") -> dict[str, int]:
    year = cast.today.year - 1
    services.submit(actor=cast.pingtang, organization=_acting(cast.pingtang), year=year)
    gushan = services.submit(
        actor=cast.gushan, organization=_acting(cast.gushan), year=year, note="经核对，各项审核公式均已通过"
    )
    services.return_submission(
        actor=cast.county,
        submission=gushan,
        reason="请核对本年发展党员数与发展党员审批记录是否一致，核对后重新报送",
    )
    return {"submitted": 2, "returned": 1}


def _acting(user: User) -> Organization:
    acting = scope.acting(user)
    assert acting is not None
    return acting.organization
