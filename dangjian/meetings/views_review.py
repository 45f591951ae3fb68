"""Pages of the annual 民主评议党员: one sheet per branch and year (tally and rating of everyone in
one screen), the upper committee's approvals, 限期改正. Thin: parse, call ``reviews``."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import scope
from dangjian.core.dates import DateKind
from dangjian.core.errors import DomainError
from dangjian.core.forms import posted_date
from dangjian.orgs import tree

from . import reviews
from .models import LifeSettings, Outcome, Review, ReviewEntry, ReviewRating
from .views import _organization, _year


def review(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _organization(request, pk)
    today = timezone.localdate()
    year = _year(request, today)
    found = Review.objects.filter(organization=organization, year=year).first()
    ratings = list(ReviewRating.objects.all())
    errors: list[str] = []
    entries = list(found.entries.select_related("member", "rating")) if found else []
    if request.method == "POST" and found is not None:
        by_code = {r.code: r for r in ratings}
        rows = {}
        for entry in entries:
            counts = {}
            for r in ratings:
                raw = request.POST.get(f"t{entry.pk}-{r.code}", "").strip()
                counts[r.code] = int(raw) if raw.isdecimal() and len(raw) < 6 else (0 if not raw else -1)
            chosen = by_code.get(request.POST.get(f"r{entry.pk}", ""))
            rows[entry.pk] = (counts, chosen, request.POST.get(f"why{entry.pk}", "")[:300].strip())
        steps = {}
        for field, label in reviews.rules.REVIEW_STEPS:
            raw = request.POST.get(field, "")
            try:
                steps[field] = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                errors.append(f"{label}日期格式不正确，请按 2026-12-01 填写")
                steps[field] = None
        try:
            if errors:
                raise DomainError({None: errors})
            reviews.save_sheet(actor=request.user, review=found, rows=rows, steps=steps)
            messages.success(request, "民主评议结果已保存")
            return redirect(f"{request.path}?year={year}")
        except DomainError as error:
            errors = [m for texts in error.errors.values() for m in texts]
        for field, _ in reviews.rules.REVIEW_STEPS:
            setattr(found, field, steps.get(field))
        for entry in entries:  # a refusal keeps what was typed
            counts, chosen, why = rows[entry.pk]
            entry.tally, entry.rating, entry.rating_reason = {k: v for k, v in counts.items() if v}, chosen, why
    for entry in entries:
        entry.cells = [(r, entry.tally.get(r.code, "")) for r in ratings]  # type: ignore[attr-defined]
    settings = LifeSettings.current()
    rated = sum(1 for e in entries if e.rated)
    return render(
        request,
        "meetings/review.html",
        {
            "organization": organization,
            "lineage": tree.lineage(request.user, organization),
            "year": year,
            "years": range(today.year, today.year - 5, -1),
            "as_of": today,
            "review": found,
            "entries": entries,
            "ratings": ratings,
            "errors": errors,
            "cap": reviews.rules.excellent_cap(rated, settings.excellent_cap_divisor),
            "divisor": settings.excellent_cap_divisor,
            "writes": scope.may_change(request.user, lambda role: role.writes_members, organization),
            "awaiting": reviews.awaiting_approval(request.user).filter(review__org_path__startswith=organization.path),
            "outcomes": Outcome.choices,
            "today": today,
            "steps": [(field, label, getattr(found, field, None)) for field, label in reviews.rules.REVIEW_STEPS],
        },
        status=400 if errors else 200,
    )


@require_POST
def review_open(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _organization(request, pk)
    year = _year(request, timezone.localdate()) if request.GET.get("year") else timezone.localdate().year
    raw = request.POST.get("year", "")
    year = int(raw) if raw.isdecimal() and len(raw) == 4 else year
    try:
        reviews.open_review(actor=request.user, organization=organization, year=year)
        messages.success(request, f"已开展{year}年度民主评议党员，请登记民主测评结果并评定等次")
    except DomainError as error:
        messages.error(request, str(error))
    return redirect(f"/meetings/org/{organization.pk}/review/?year={year}")


def _entry(request: HttpRequest, pk: int) -> ReviewEntry:
    return scope.get_scoped_or_404(request.user, ReviewEntry.objects.select_related("review"), pk=pk)


@require_POST
def review_act(request: HttpRequest, pk: int) -> HttpResponse:
    """审批 (approve / reject), 限期改正 (start), its outcome (close), by the button pressed."""
    entry = _entry(request, pk)
    action = request.POST.get("action", "")
    try:
        if action in ("approve", "reject"):
            reviews.approve_rating(actor=request.user, entry=entry, approve=action == "approve")
        elif action == "correct":
            decided = posted_date(request.POST.get("decided_on"), DateKind.EVENT, "决定日期")
            until = posted_date(request.POST.get("until"), DateKind.PLANNED, "改正期限")
            reviews.start_correction(actor=request.user, entry=entry, decided_on=decided, until=until)
        elif action == "close":
            day = posted_date(request.POST.get("date"), DateKind.EVENT, "处置日期")
            reviews.close_correction(actor=request.user, entry=entry, outcome=request.POST.get("outcome", ""), date=day)
        else:
            raise DomainError("请选择要办理的事项")
        messages.success(request, "已办理")
    except DomainError as error:
        messages.error(request, str(error))
    return redirect(f"/meetings/org/{entry.review.organization_id}/review/?year={entry.review.year}")
