import datetime as dt
from typing import Any

import pytest

from dangjian.elections.models import Officer, Position, Term
from dangjian.meetings import services
from dangjian.meetings.models import Meeting, MeetingKind

D = dt.date


def kinds(*codes: str) -> list[MeetingKind]:
    found = {k.code: k for k in MeetingKind.objects.filter(code__in=codes)}
    return [found[c] for c in codes]


def record(world: Any, organization: Any, held_on: dt.date, *codes: str, actor: Any = None, **extra: Any) -> Meeting:
    values: dict[str, Any] = {
        "starts_at": dt.time(9),
        "place": "党员活动室",
        "topic": f"{held_on:%Y年%m月}组织生活",
    } | extra
    return services.record_meeting(
        actor=actor or world.county_admin, organization=organization, kinds=kinds(*codes), held_on=held_on, **values
    )


@pytest.fixture
def committee(world: Any) -> list[Any]:
    """The village's 支部委员会 of three: 张三 (书记), 李四 and a third member."""
    from conftest import make_id_number
    from dangjian.members.services import create_member

    third = create_member(
        actor=world.county_admin,
        organization=world.village,
        name="刘七",
        id_number=make_id_number("1980-02-02", male=True, sequence=7),
        ethnicity="01",
        education="high_school",
        category="full",
        joined_date=D(2005, 7, 1),
        regularized_date=D(2006, 7, 1),
    )
    term = Term.objects.create(organization=world.village, number=1, start=D(2022, 1, 1), expected_end=D(2027, 1, 1))
    people = [world.zhangsan, world.lisi, third]
    for member, position in zip(people, [Position.SECRETARY, Position.ORGANIZATION, Position.PROPAGANDA], strict=True):
        Officer.objects.create(term=term, member=member, position=position, since=D(2022, 1, 1))
    return people
