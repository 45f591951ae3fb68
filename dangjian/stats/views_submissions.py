"""报送: a committee's submissions and its children's, submitting, returning, and what has changed
since a submission."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.approvals.services import steps_for
from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.core.forms import posted_id
from dangjian.orgs import tree
from dangjian.orgs.models import Organization

from . import checks, definition, engine, services
from .models import Submission, SubmissionState
from .selection import may_read
from .views import shown_tables


def _reader(request: HttpRequest) -> scope.Acting:
    acting = scope.acting(request.user)
    if acting is None or not may_read(request.user):
        raise PermissionDenied("您当前的角色不查看党内统计")
    return acting


def _writes(request: HttpRequest) -> bool:
    return scope.role_allows(request.user, lambda role: role.writes_members)


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    raw = request.GET.get("year", "") or request.POST.get("year", "")
    year = posted_id(raw)
    if year is None or not 2000 <= year < today.year + 1:
        return today.year - 1
    return year


@dataclass
class ChildLine:
    organization: Organization
    submission: Submission | None
    live: dict[str, int]

    def submitted(self, key: str) -> int | None:
        return self.submission.figures.get(key, 0) if self.submission else None


SHOWN = (
    ("1:total:end", "年底党员数"),
    ("1:total:developed", "发展党员"),
    ("1:total:left", "出党"),
    ("13:total:regularized", "转正"),
)


def overview(request: HttpRequest) -> HttpResponse:
    """The organization's own submission for the year and each direct child's."""
    acting = _reader(request)
    raw = request.GET.get("org", "")
    organization = (
        scope.get_scoped_or_404(
            request.user, Organization.objects.filter(deleted_at__isnull=True), pk=posted_id(raw) or 0
        )
        if raw
        else acting.organization
    )
    year = _year(request)
    day = services.year_end(year)
    closed = day < timezone.localdate()
    report = engine.compute(organization, day) if closed else None
    results = services.run_checks(report) if report else []
    standing = {
        s.organization_id: s
        for s in Submission.objects.filter(
            org_path__startswith=organization.path, year=year, state=SubmissionState.SUBMITTED
        ).select_related("submitted_by")
    }
    children = [
        ChildLine(child, standing.get(child.pk), report.parts.get(child.path, {}) if report else {})
        for child in scope.scoped(
            request.user,
            Organization.objects.filter(path__startswith=organization.path, depth=organization.depth + 1),
        ).order_by("path")
    ]
    own = services.standing(organization, year)
    history = scope.scoped(request.user, Submission.objects.filter(organization=organization, year=year)).order_by(
        "-submitted_at"
    )
    return render(
        request,
        "stats/submissions.html",
        {
            "section": "stats",
            "organization": organization,
            "year": year,
            "day": day,
            "closed": closed,
            "report": report,
            "failed": checks.failed(results),
            "children": children,
            "submitted_count": sum(1 for c in children if c.submission),
            "own": own,
            "history": history,
            "writes": _writes(request),
            "shown": SHOWN,
            "years": list(range(timezone.localdate().year - 1, timezone.localdate().year - 6, -1)),
            "lineage": tree.lineage(request.user, organization),
        },
    )


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    acting = _reader(request)
    organization = (
        scope.get_scoped_or_404(
            request.user,
            Organization.objects.filter(deleted_at__isnull=True),
            pk=posted_id(request.POST.get("org")) or 0,
        )
        if request.POST.get("org")
        else acting.organization
    )
    year = _year(request)
    try:
        services.submit(actor=request.user, organization=organization, year=year, note=request.POST.get("note", ""))
    except DomainError as error:
        for problem in (m for texts in error.errors.values() for m in texts):
            messages.error(request, problem)
    else:
        messages.success(request, f"{organization.name}{year}年党内统计年报已报送上级党组织")
    return redirect(f"{reverse('stats:submissions')}?org={organization.pk}&year={year}")


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A submission as frozen, what has changed since (member by member), and, for the level
    above, returning it."""
    _reader(request)
    submission = scope.get_scoped_or_404(
        request.user, Submission.objects.select_related("organization", "submitted_by", "returned_by"), pk=pk
    )
    form = definition.form_for(submission.year)
    frozen = engine.Report(
        organization=submission.organization,
        day=submission.day,
        form=form,
        figures=submission.figures,
        computed_at=submission.submitted_at,
        parts=submission.parts,
    )
    acting = scope.acting(request.user)
    above = bool(
        acting
        and submission.org_path.startswith(acting.organization.path)
        and len(submission.org_path) > len(acting.organization.path)
        and _writes(request)
    )
    changes = services.changes(request.user, submission)
    labels = {key: _cell_label(form, key) for key, _then, _now in changes.cells}
    return render(
        request,
        "stats/submission.html",
        {
            "section": "stats",
            "submission": submission,
            "organization": submission.organization,
            "tables": shown_tables(frozen),
            "results": checks.run(frozen),
            "changes": changes,
            "labels": labels,
            "above": above and submission.state == SubmissionState.SUBMITTED,
            "steps": steps_for(submission),
            "selection_query": f"org={submission.organization_id}&date={submission.day.isoformat()}",
            "lineage": tree.lineage(request.user, submission.organization),
        },
    )


def _cell_label(form: definition.Form, key: str) -> str:
    cell = engine.find_cell(form, key)
    if cell is None:
        return key
    return f"表{cell.table.code} {cell.row.label} · {cell.column.label}"


@require_POST
def return_submission(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    submission = scope.get_scoped_or_404(request.user, Submission.objects.all(), pk=pk)
    try:
        services.return_submission(actor=request.user, submission=submission, reason=request.POST.get("reason", ""))
    except DomainError as error:
        for problem in (m for texts in error.errors.values() for m in texts):
            messages.error(request, problem)
        return redirect("stats:submission", pk=submission.pk)
    messages.success(request, "已退回，报送单位更正后可重新报送")
    return redirect("stats:submission", pk=submission.pk)
