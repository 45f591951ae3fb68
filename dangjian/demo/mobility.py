"""The mobile members (流动党员) of the demo county, written with the members: every member the
generator makes 流动 gets the record a branch keeps of them (where they went and why, how to
reach them, the activity certificate, the last contact and the last yearly review), and the day
they left is their status's date.

Written as rows like the members (a county of 10^6 members has tens of thousands of them), from
their own random stream: the members are those of the generator whatever this module draws. Like
a real county the records are not all in order: a few members have not been reached for more than
six months (listed for 停止党籍) or for years (listed for 除名), some certificates are past their
yearly review. A few more are registered through the services with the other stories
(activity.py).
"""

import datetime as dt
import random
from typing import Any

from django.db.models import Model

from dangjian.core.dates import add_months
from dangjian.transfers.models import MobileMember

from .county import COUNTY_REGION

# Where members of a Hunan county go for work, and why (older members mostly to their children).
DESTINATIONS = (
    "广东省深圳市宝安区",
    "广东省东莞市长安镇",
    "广东省广州市白云区",
    "广东省佛山市顺德区",
    "浙江省义乌市",
    "浙江省宁波市北仑区",
    "江苏省苏州市昆山市",
    "上海市松江区",
    "福建省厦门市集美区",
    "湖南省长沙市岳麓区",
    "湖南省长沙市雨花区",
    "湖南省株洲市天元区",
)
REASONS = ("外出务工", "外出务工", "外出务工", "经商", "从事个体经营")
OLDER_REASONS = ("随子女居住", "随子女居住", "外出务工")
CONTACTS = ("本人手机、微信", "本人手机", "微信群联系", "家属转告")
EXPECTED_MONTHS = (6, 12, 12, 24, 36)

COLUMNS: dict[type[Model], tuple[str, ...]] = {
    MobileMember: (
        "id",
        "member",
        "outflow_org",
        "inflow_org",
        "destination",
        "reason",
        "contact",
        "expected_months",
        "certificate_number",
        "left_date",
        "last_contact_date",
        "last_review_date",
        "returned_date",
        "created_at",
    )
}


class MobilityWriter:
    def __init__(self, seed: int, today: dt.date, first_id: int) -> None:
        self.rng = random.Random(f"mobility-{seed}")
        self.today = today
        self.next_id = first_id
        self.rows: list[tuple[Any, ...]] = []

    def left_date(self, birth: dt.date, joined: dt.date) -> dt.date:
        """The day a mobile member left: within the last eight years, after joining the Party."""
        left = self.today - dt.timedelta(days=self.rng.randint(20, 8 * 365))
        return min(max(left, joined + dt.timedelta(days=30)), self.today)

    def member(self, member_id: int, organization_id: int, birth: dt.date, left: dt.date, now: dt.datetime) -> None:
        """The record of one member who is 流动 since ``left``."""
        rng = self.rng
        older = (self.today - birth).days > 60 * 365
        draw = rng.random()
        if draw < 0.02:  # out of contact for years: listed for 除名
            back = rng.randint(32, 60)
        elif draw < 0.12:  # not reached for more than six months: listed for 停止党籍
            back = rng.randint(7, 18)
        else:
            back = rng.randint(0, 5)
        contact = add_months(self.today, -back) - dt.timedelta(days=rng.randint(0, 27))
        contact = min(max(left, contact), self.today)
        review = None  # the yearly review of the certificate counts as a contact: never after it
        if back <= 5 and contact - left > dt.timedelta(days=365) and rng.random() < 0.75:
            review = max(left, contact - dt.timedelta(days=rng.randint(0, 300)))
        self.rows.append(
            (
                self.next_id,
                member_id,
                organization_id,
                None,
                rng.choice(DESTINATIONS),
                rng.choice(OLDER_REASONS if older else REASONS),
                rng.choice(CONTACTS),
                rng.choice(EXPECTED_MONTHS),
                f"{COUNTY_REGION}{left:%Y}{self.next_id:06d}",  # the certificate's number, unique
                left,
                contact,
                review,
                None,
                now,
            )
        )
        self.next_id += 1
