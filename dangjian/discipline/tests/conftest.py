import datetime as dt
from typing import Any

import pytest

from dangjian.discipline import services
from dangjian.discipline.models import Sanction


def probation(world: Any, member: Any = None, *, decided: dt.date = dt.date(2023, 1, 15), months: int = 12) -> Sanction:
    """A 留党察看 of 张三 (village, 坪塘镇) decided by the town committee, recorded by its admin."""
    return services.record_sanction(
        actor=world.town_admin,
        member=member or world.zhangsan,
        kind="probation",
        months=months,
        decided_on=decided,
        deciding_org=world.town,
        reason="违反组织纪律，情节较重",
        document_number="坪纪〔2023〕3号",
    )


@pytest.fixture
def make_probation():
    return probation
