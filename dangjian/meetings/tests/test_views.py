"""The pages as a secretary and a town administrator use them: the review sheet saves every row
or none and keeps what was typed; the heat map and the branch page show the month's colour and
what is overdue, with the regulation cited."""

import datetime as dt
from typing import Any

from django.utils import timezone

from dangjian.meetings import reviews
from dangjian.meetings.models import ComplianceRule, ReviewEntry

from .conftest import record

TODAY = timezone.localdate()


def test_the_review_sheet_saves_every_row_or_none(world: Any) -> None:
    review = reviews.open_review(actor=world.branch_admin, organization=world.village, year=TODAY.year)
    one, two = (review.entries.get(member=m) for m in (world.zhangsan, world.lisi))
    client = world.client(world.branch_admin)
    url = f"/meetings/org/{world.village.pk}/review/?year={TODAY.year}"
    # Two 优秀 of two rated members is above ⌊2/3⌋ = 0 without a reason: refused, nothing saved.
    body = {
        f"t{one.pk}-excellent": "2",
        f"r{one.pk}": "excellent",
        f"r{two.pk}": "qualified",
        f"t{two.pk}-qualified": "2",
    }
    refused = client.post(url, body)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "确需超出的，请说明理由" in page and 'value="2"' in page
    assert not ReviewEntry.objects.filter(rating__isnull=False).exists()
    assert ReviewEntry.objects.get(pk=two.pk).tally == {}
    body[f"why{one.pk}"] = "带头调解邻里纠纷"
    assert client.post(url, body).status_code == 302
    saved = {
        e.member.name: (e.rating and e.rating.code, e.tally) for e in review.entries.select_related("member", "rating")
    }
    assert saved == {"张三": ("excellent", {"excellent": 2}), "李四": ("qualified", {"qualified": 2})}
    town = world.client(world.town_admin).get(url).content.decode()
    assert "待审批的优秀、不合格等次" in town and "带头调解邻里纠纷" in town


def test_the_branch_page_names_what_is_overdue_with_its_regulation(world: Any) -> None:
    ComplianceRule.objects.exclude(kind__code="general_assembly").delete()
    year = TODAY.year - 1  # a whole year, read once it is over: the same answer any day
    record(world, world.village, dt.date(year, 1, 15), "general_assembly")
    page = world.client(world.branch_admin).get(f"/meetings/org/{world.village.pk}/?year={year}").content.decode()
    assert f"支部党员大会：{year}-04-01 至 {year}-06-30应召开1次，已召开0次" in page
    assert "《中国共产党支部工作条例（试行）》第十一条" in page
    assert 'data-month="3" data-colour="green"' in page and 'data-month="6" data-colour="red"' in page
    town = world.client(world.town_admin).get(f"/meetings/org/{world.town.pk}/map/").content.decode()
    assert world.village.display_name in town and world.enterprise.display_name not in town


def test_the_steps_of_the_review_are_dated_in_order(world: Any) -> None:
    reviews.open_review(actor=world.branch_admin, organization=world.village, year=TODAY.year - 1)
    client = world.client(world.branch_admin)
    url = f"/meetings/org/{world.village.pk}/review/?year={TODAY.year - 1}"
    year = TODAY.year - 1
    wrong = {"self_assessed_on": f"{year}-12-10", "mutual_assessed_on": f"{year}-12-05"}
    refused = client.post(url, wrong)
    assert refused.status_code == 400 and f"党员互评应在个人自评之后（{year}-12-10）" in refused.content.decode()
    right = {"self_assessed_on": f"{year}-12-05", "mutual_assessed_on": f"{year}-12-10", "tallied_on": f"{year}-12-20"}
    assert client.post(url, right).status_code == 302
    review = reviews.Review.objects.get()
    assert (review.self_assessed_on, review.tallied_on) == (dt.date(year, 12, 5), dt.date(year, 12, 20))
