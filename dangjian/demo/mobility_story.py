"""Mobile members registered through the services (流动党员), besides the records the generator
writes with the members (mobility.py): two of the demo branch (one away, reached and reviewed; one
back home), and one of 古山镇 working in a 坪塘镇 company, whose branch there takes the member into
its organizational life (流入)."""

import datetime as dt

from dangjian.transfers import services_mobile as mobile

from .activity import Cast, Story, unit_of
from .county import COUNTY_REGION

D = dt.timedelta


def stories(cast: Cast) -> list[Story]:
    return [
        _away(cast, "广东省东莞市长安镇", left=200, contacts=(100,), review=40, number=1),
        _away(cast, "浙江省义乌市", left=420, contacts=(300, 120), back=30, number=2),
        _inflow(cast),
    ]


def _certificate(cast: Cast, left: dt.date, number: int) -> str:
    return f"{COUNTY_REGION}{left:%Y}8{number:05d}"


def _away(
    cast: Cast,
    destination: str,
    *,
    left: int,
    contacts: tuple[int, ...] = (),
    review: int | None = None,
    back: int | None = None,
    number: int,
) -> Story:
    member = cast.member(cast.login_branch)
    writer = cast.writer_of(cast.login_branch)
    left_day = cast.today - D(left)
    yield left_day
    record = mobile.register_outflow(
        actor=writer,
        member=member,
        destination=destination,
        reason="外出务工",
        contact="本人手机、微信",
        expected_months=12,
        left_date=left_day,
        certificate_number=_certificate(cast, left_day, number),
    )
    for days in contacts:
        yield cast.today - D(days)
        mobile.record_contact(actor=writer, mobile=record, date=cast.today - D(days))
    if review is not None:
        yield cast.today - D(review)
        mobile.review_certificate(actor=writer, mobile=record, date=cast.today - D(review))
    if back is not None:
        yield cast.today - D(back)
        mobile.record_return(actor=writer, mobile=record, date=cast.today - D(back))


def _inflow(cast: Cast) -> Story:
    gushan, pingtang = cast.town(cast.gushan), cast.town(cast.pingtang)
    home = cast.branch_in(gushan)
    member = cast.member(home)
    companies = [
        branch for branch in cast.branches(pingtang, least=5) if branch.unit_category == "non_public_enterprise"
    ]
    company = cast.choice(companies)
    left_day, received = cast.today - D(150), cast.today - D(140)
    number = _certificate(cast, left_day, 3)
    yield left_day
    record = mobile.register_outflow(
        actor=cast.gushan,
        member=member,
        destination=f"清河县{unit_of(company)}",
        reason="外出务工",
        contact="本人手机",
        expected_months=24,
        left_date=left_day,
        certificate_number=number,
    )
    yield received
    mobile.register_inflow(actor=cast.pingtang, organization=company, certificate_number=number)
    yield cast.today - D(50)
    mobile.record_contact(actor=cast.gushan, mobile=record, date=cast.today - D(50))
