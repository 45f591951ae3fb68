"""The demo county's annual statistics (党内统计年报) of last year: 坪塘镇党委 has submitted its
report; 古山镇党委 submitted too and the county returned it with a reason, so the town's page shows
the return to correct, and the county's overview one town submitted and the others not yet."""

import datetime as dt
from typing import TYPE_CHECKING

from dangjian.core import scope
from dangjian.core.models import User
from dangjian.orgs.models import Organization, UnitCategory
from dangjian.stats import services, units
from dangjian.stats.models import UnitClosing

from .activity import on

if TYPE_CHECKING:
    from .activity import Cast


# 非公党委's and 坪塘镇's registers of units without a Party organization (未建立党组织的单位).
UNCOVERED = (
    ("中共清河县非公有制经济组织委员会", "清河县恒达机械配件有限公司", UnitCategory.NON_PUBLIC_ENTERPRISE, 46, 2),
    ("中共清河县非公有制经济组织委员会", "清河县顺丰物流有限公司", UnitCategory.NON_PUBLIC_ENTERPRISE, 23, 1),
    ("中共清河县非公有制经济组织委员会", "清河县绿源农业科技有限公司", UnitCategory.NON_PUBLIC_ENTERPRISE, 18, 3),
    ("中共清河县社会组织委员会", "清河县老年人协会", UnitCategory.SOCIAL_ORGANIZATION, 6, 2),
    ("中共坪塘镇委员会", "坪塘镇家政服务中心", UnitCategory.SOCIAL_ORGANIZATION, 12, 0),
)


def write(cast: "Cast") -> dict[str, int]:
    listed = _list_units(cast)
    year = cast.today.year - 1
    # The reporting season: the towns submit in the first days of January, the county checks.
    submitted, checked = (min(dt.date(cast.today.year, 1, day), cast.today) for day in (8, 12))
    with on(submitted):
        services.submit(actor=cast.pingtang, organization=_acting(cast.pingtang), year=year)
        gushan = services.submit(
            actor=cast.gushan, organization=_acting(cast.gushan), year=year, note="经核对，各项审核公式均已通过"
        )
    with on(checked):
        services.return_submission(
            actor=cast.county,
            submission=gushan,
            reason="请核对本年发展党员数与发展党员审批记录是否一致，核对后重新报送",
        )
    return {"submitted": 2, "returned": 1, "units": listed}


def _list_units(cast: "Cast") -> int:
    listed = []
    listed_on, closed_on = cast.today - dt.timedelta(days=400), cast.today - dt.timedelta(days=30)
    for committee, name, category, employees, members in UNCOVERED:
        organization = Organization.objects.filter(name=committee, path__startswith=cast.root.path).first()
        if organization is None:
            continue
        with on(listed_on):
            unit = units.list_unit(
                actor=cast.county,
                organization=organization,
                name=name,
                unit_category=category,
                listed_on=listed_on,
                employees=employees,
                party_members=members,
            )
        listed.append(unit)
    if listed:  # the first has since set up its branch
        with on(closed_on):
            units.close_unit(actor=cast.county, unit=listed[0], closing=UnitClosing.ORGANIZED, closed_on=closed_on)
    return len(listed)


def _acting(user: User) -> Organization:
    acting = scope.acting(user)
    assert acting is not None
    return acting.organization
