"""民主评议党员 (RULES-2.md §2): who is rated, the secret tally as counts, the soft 1/3 cap on 优秀,
the upper committee's approval, 限期改正 and its outcome through the member status service."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.meetings import reviews
from dangjian.meetings.models import ReviewRating
from dangjian.members.models import Status

TODAY = timezone.localdate()


def rating(code: str) -> ReviewRating:
    return ReviewRating.objects.get(code=code)


@pytest.fixture
def review(world: Any) -> Any:
    world.lisi.category, world.lisi.regularized_date = "probationary", None
    world.lisi.save()
    return reviews.open_review(actor=world.branch_admin, organization=world.village, year=TODAY.year)


def entry(review: Any, member: Any) -> Any:
    return review.entries.get(member=member)


def test_probationary_members_take_part_without_a_rating(world: Any, review: Any) -> None:
    assert {(e.member.name, e.rated) for e in review.entries.all()} == {("张三", True), ("李四", False)}
    with pytest.raises(DomainError, match="预备党员：参加民主评议，但不评定等次"):
        reviews.rate_member(actor=world.branch_admin, entry=entry(review, world.lisi), rating=rating("qualified"))
    with pytest.raises(DomainError, match="已开展"):
        reviews.open_review(actor=world.branch_admin, organization=world.village, year=TODAY.year)


def test_the_tally_is_counts_per_rating_and_at_most_the_voters(world: Any, review: Any) -> None:
    one = entry(review, world.zhangsan)
    reviews.record_tally(actor=world.branch_admin, entry=one, counts={"excellent": 1, "qualified": 1})
    one.refresh_from_db()
    assert one.tally == {"excellent": 1, "qualified": 1}
    for counts, message in (
        ({"excellent": 3}, "超过参加测评的2人"),
        ({"excellent": -1}, "不小于0的整数"),
        ({"brilliant": 1}, "没有这样的评议等次"),
    ):
        with pytest.raises(DomainError, match=message):
            reviews.record_tally(actor=world.branch_admin, entry=one, counts=counts)
    one.refresh_from_db()
    assert one.tally == {"excellent": 1, "qualified": 1}


def test_excellent_above_a_third_needs_a_reason(world: Any, review: Any) -> None:
    # One rated member: the cap is ⌊1/3⌋ = 0, so even one 优秀 is above it.
    one = entry(review, world.zhangsan)
    with pytest.raises(DomainError, match=r"最多0名，已评0名）；确需超出的，请说明理由"):
        reviews.rate_member(actor=world.branch_admin, entry=one, rating=rating("excellent"))
    reviews.rate_member(actor=world.branch_admin, entry=one, rating=rating("excellent"), reason="抗洪抢险中表现突出")
    one.refresh_from_db()
    assert (one.rating.code, one.rating_reason) == ("excellent", "抗洪抢险中表现突出")


def test_a_failing_rating_is_approved_above_then_corrected_or_the_member_leaves(world: Any, review: Any) -> None:
    one = entry(review, world.zhangsan)
    reviews.rate_member(actor=world.branch_admin, entry=one, rating=rating("failed"))
    assert list(reviews.awaiting_approval(world.town_admin)) == [one]
    assert list(reviews.awaiting_approval(world.other_admin)) == []
    with pytest.raises(DomainError, match="须经上级党组织审批"):
        reviews.start_correction(actor=world.branch_admin, entry=one, decided_on=TODAY, until=TODAY)
    with pytest.raises(PermissionDenied):  # a branch secretary approves nothing
        reviews.approve_rating(actor=world.branch_admin, entry=one, approve=True)
    reviews.approve_rating(actor=world.town_admin, entry=one, approve=True)
    start = TODAY - dt.timedelta(days=30)
    with pytest.raises(DomainError, match="最长不超过一年"):
        reviews.start_correction(
            actor=world.branch_admin, entry=one, decided_on=start, until=start + dt.timedelta(days=400)
        )
    reviews.start_correction(
        actor=world.branch_admin, entry=one, decided_on=start, until=start + dt.timedelta(days=300)
    )
    reviews.close_correction(actor=world.branch_admin, entry=one, outcome="removed", date=TODAY)
    world.zhangsan.refresh_from_db()
    assert (world.zhangsan.status, world.zhangsan.left_reason) == (Status.LEFT, "removed")
    assert reviews.counts(world.county_admin, world.county, TODAY.year) == {"taking_part": 2, "rated": 1, "failed": 1}
    assert reviews.counts(world.other_admin, world.county, TODAY.year) == {"taking_part": 0, "rated": 0}


def test_a_rejected_rating_goes_back_to_the_branch(world: Any, review: Any) -> None:
    one = entry(review, world.zhangsan)
    reviews.rate_member(actor=world.branch_admin, entry=one, rating=rating("failed"))
    reviews.approve_rating(actor=world.town_admin, entry=one, approve=False)
    one.refresh_from_db()
    assert (one.rating, one.approval) == (None, None)
