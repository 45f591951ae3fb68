"""The annual 民主评议党员 (党员教育管理工作条例 第十八条; RULES-2.md §2): opened by the branch for a
year with everyone on its roll, 预备党员 taking part without a rating; the 民主测评 tally kept as
counts per rating (the ballot is secret: never who voted what); the committee's rating, 优秀 capped
at a third of those rated unless a reason is given; 优秀 and 不合格 approved by the upper committee
where the settings require it; 不合格 followed by 限期改正 (at most a year) and its outcome, the
member leaving (劝其退党 → 退党除名, 除名) through the member status service."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.core.history import service
from dangjian.members import services as member_services
from dangjian.members.models import LeftReason, Status
from dangjian.orgs.models import Organization

from . import roll, rules
from .models import LifeSettings, Outcome, Review, ReviewEntry, ReviewRating, Standing

OUTCOME_LEAVES = {Outcome.PERSUADED_TO_LEAVE: LeftReason.WITHDREW, Outcome.REMOVED: LeftReason.REMOVED}


def _writer(actor: Any, action: str) -> scope.Acting:
    return scope.require_role(actor, lambda role: role.writes_members, action)


@service
def open_review(*, actor: Any, organization: Organization, year: int) -> Review:
    """开展民主评议: the roll of the branch on the day (or on 31 December for a past year)."""
    _writer(actor, "开展民主评议党员")
    organization = scope.get_scoped_or_404(actor, Organization.objects.all(), to_write=True, pk=organization.pk)
    today = timezone.localdate()
    if not organization.holds_members:
        raise DomainError({"organization": "民主评议党员由党支部（或直接管理党员的党组织）开展"})
    if not 2000 <= year <= today.year:
        raise DomainError({"year": f"年度应为2000年至{today.year}年"})
    if Review.objects.filter(organization=organization, year=year).exists():
        raise DomainError({"year": f"{organization.name}{year}年度的民主评议党员已开展"})
    day = min(today, dt.date(year, 12, 31))
    review = Review.objects.create(
        organization=organization, org_path=organization.path, year=year, opened_on=today, created_by=actor
    )
    ReviewEntry.objects.bulk_create(
        ReviewEntry(review=review, member=m, rated=roll.standing_on(m, day) == Standing.VOTING)
        for m in roll.on_roll(organization, day)
    )
    return review


def _lock(actor: Any, entry: ReviewEntry) -> ReviewEntry:
    return scope.get_scoped_or_404(
        actor,
        ReviewEntry.objects.select_for_update(of=("self",)).select_related("review", "member", "rating"),
        to_write=True,
        pk=entry.pk,
    )


@service
def record_tally(*, actor: Any, entry: ReviewEntry, counts: Mapping[str, int]) -> ReviewEntry:
    """民主测评: the votes per rating for one member (counts only)."""
    _writer(actor, "登记民主测评结果")
    entry = _lock(actor, entry)
    codes = set(ReviewRating.objects.values_list("code", flat=True))
    if unknown := set(counts) - codes:
        raise DomainError({"tally": f"没有这样的评议等次：{'、'.join(sorted(unknown))[:50]}"})
    voters = entry.review.entries.count()
    if problem := rules.tally_problem(dict(counts), voters):
        raise DomainError({"tally": f"{entry.member.name}：{problem}"})
    entry.tally = {code: n for code, n in counts.items() if n}
    entry.save(update_fields=["tally"])
    return entry


@service
def rate_member(*, actor: Any, entry: ReviewEntry, rating: ReviewRating | None, reason: str = "") -> ReviewEntry:
    """组织评定: the committee's rating. A 预备党员 gets none; 优秀 above the cap needs a reason."""
    _writer(actor, "评定民主评议等次")
    entry = _lock(actor, entry)
    reason = reason.strip()
    if len(reason) > 200:
        raise DomainError({"rating_reason": "说明不能超过200个字"})
    if entry.approval is not None:
        raise DomainError({"rating": f"{entry.member.name}的等次已经上级党组织审批，不能再改"})
    if rating is not None and not entry.rated:
        raise DomainError({"rating": f"{entry.member.name}是预备党员：参加民主评议，但不评定等次"})
    settings = LifeSettings.current()
    if rating is not None and rating.capped:
        rated = entry.review.entries.filter(rated=True).count()
        cap = rules.excellent_cap(rated, settings.excellent_cap_divisor)
        others = entry.review.entries.filter(rating=rating).exclude(pk=entry.pk).count()
        if cap is not None and others + 1 > cap and not reason:
            raise DomainError(
                {
                    "rating_reason": f"{rating.name}一般不超过参评党员总数的1/{settings.excellent_cap_divisor}"
                    f"（本支部{rated}名参评党员，最多{cap}名，已评{others}名）；确需超出的，请说明理由"
                }
            )
    entry.rating, entry.rating_reason = rating, reason
    entry.save(update_fields=["rating", "rating_reason"])
    return entry


@service
def save_sheet(
    *,
    actor: Any,
    review: Review,
    rows: Mapping[int, tuple[Mapping[str, int], ReviewRating | None, str]],
    steps: Mapping[str, dt.date | None] | None = None,
) -> None:
    """The review's sheet as the page posts it (the dates of its steps; entry → tally, rating,
    reason): every row or none; each row's problem named with its member."""
    _writer(actor, "登记民主评议结果")
    review = scope.get_scoped_or_404(actor, Review.objects.select_for_update(), to_write=True, pk=review.pk)
    problems: list[str] = []
    if steps is not None:
        found = rules.review_steps_problems(review.year, steps, timezone.localdate())
        problems += list(found.values())
        for field, _ in rules.REVIEW_STEPS:
            setattr(review, field, steps.get(field))
        review.save(update_fields=[field for field, _ in rules.REVIEW_STEPS])
    for entry in review.entries.select_related("member"):
        if entry.pk not in rows:
            continue
        counts, rating, reason = rows[entry.pk]
        try:
            with transaction.atomic():
                record_tally(actor=actor, entry=entry, counts=counts)
                if rating != entry.rating or reason != entry.rating_reason:
                    rate_member(actor=actor, entry=entry, rating=rating, reason=reason)
        except DomainError as error:
            problems += [
                f"{entry.member.name}：{m}" if entry.member.name not in m else m
                for texts in error.errors.values()
                for m in texts
            ]
    if problems:
        raise DomainError({None: problems})


def awaiting_approval(user: Any) -> QuerySet[ReviewEntry]:
    """优秀 and 不合格 of the branches below the acting committee, not yet approved."""
    acting = scope.acting(user)
    if acting is None or not LifeSettings.current().ratings_need_approval:
        return ReviewEntry.objects.none()
    rows = scope.scoped(user, ReviewEntry.objects.all()).filter(rating__needs_approval=True, approval__isnull=True)
    return rows.exclude(review__organization=acting.organization).select_related(
        "review__organization", "member", "rating"
    )


@service
def approve_rating(*, actor: Any, entry: ReviewEntry, approve: bool) -> ReviewEntry:
    """上级党组织审批 of an 优秀 or 不合格: by a committee above the branch, never the branch itself."""
    acting = scope.require_role(actor, lambda role: role.writes_organizations, "审批民主评议等次")
    entry = _lock(actor, entry)
    branch = entry.review.organization
    if acting.organization.pk == branch.pk or not branch.path.startswith(acting.organization.path):
        raise DomainError("民主评议等次由党支部的上级党组织审批")
    if entry.rating is None or not entry.rating.needs_approval:
        raise DomainError(f"{entry.member.name}的等次无须报上级审批")
    if approve:
        entry.approval, entry.approved_on, entry.approved_by = True, timezone.localdate(), actor
    else:
        entry.rating = None  # not approved: back to the branch to rate again (the history keeps it)
    entry.save(update_fields=["approval", "approved_on", "approved_by", "rating"])
    return entry


@service
def start_correction(*, actor: Any, entry: ReviewEntry, decided_on: dt.date, until: dt.date) -> ReviewEntry:
    """限期改正 of a member rated 不合格 (decided by the 支部大会, approved above)."""
    _writer(actor, "决定限期改正")
    entry = _lock(actor, entry)
    if entry.rating is None or not entry.rating.failing:
        raise DomainError("限期改正只适用于民主评议为不合格的党员")
    if LifeSettings.current().ratings_need_approval and entry.approval is not True:
        raise DomainError("不合格等次须经上级党组织审批后，方可决定限期改正")
    if entry.correction_from is not None:
        raise DomainError(f"{entry.member.name}已于{entry.correction_from:%Y-%m-%d}决定限期改正")
    if decided_on > timezone.localdate():
        raise DomainError({"decided_on": "决定日期不能晚于今天"})
    if problem := rules.correction_problem(decided_on, until):
        raise DomainError({"until": problem})
    entry.correction_from, entry.correction_until = decided_on, until
    entry.save(update_fields=["correction_from", "correction_until"])
    return entry


@service
def close_correction(*, actor: Any, entry: ReviewEntry, outcome: str, date: dt.date) -> ReviewEntry:
    """The branch's decision at the end of 限期改正: corrected, or 劝其退党 / 除名 (the member then
    leaves: 出党 through the member service, 退党除名 or 除名)."""
    _writer(actor, "办理限期改正结果")
    entry = _lock(actor, entry)
    if entry.correction_from is None:
        raise DomainError(f"{entry.member.name}未决定限期改正")
    if entry.outcome:
        raise DomainError(f"{entry.member.name}的限期改正已于{entry.outcome_on:%Y-%m-%d}办结")
    if outcome not in Outcome.values:
        raise DomainError({"outcome": "请选择处置结果"})
    if date < entry.correction_from or date > timezone.localdate():
        raise DomainError({"date": "处置日期应在限期改正决定之后、今天以前"})
    entry.outcome, entry.outcome_on = outcome, date
    entry.save(update_fields=["outcome", "outcome_on"])
    if leaves := OUTCOME_LEAVES.get(Outcome(outcome)):
        reason = f"{entry.review.year}年度民主评议不合格，限期改正期满仍无转变，{Outcome(outcome).label}"
        member_services.change_status(
            actor=actor, member=entry.member, status=Status.LEFT, date=date, reason=reason, left_reason=leaves
        )
    return entry


def counts(user: Any, organization: Organization, year: int) -> dict[str, int]:
    """The year's ratings under ``organization`` by code, with 参评 and 预备党员 (table 8 of the
    annual report reads these)."""
    rows = scope.scoped(
        user, ReviewEntry.objects.filter(review__year=year, review__org_path__startswith=organization.path)
    )
    found = rows.aggregate(taking_part=Count("id"), rated=Count("id", filter=Q(rated=True)))
    by_rating = dict(rows.filter(rating__isnull=False).values_list("rating__code").annotate(n=Count("id")))
    return found | by_rating
