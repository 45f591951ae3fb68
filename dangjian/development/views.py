"""Pages of member development (发展党员). Thin: look up through the scope, call a service,
render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.approvals.services import steps_for
from dangjian.core import audit, scope
from dangjian.core.errors import DomainError
from dangjian.core.forms import posted_id
from dangjian.members.models import Member, PartyGroup
from dangjian.orgs import tree
from dangjian.orgs.models import Organization

from . import reports, rules, services
from .forms import ApplicantForm, AssessmentForm, DocumentForm, PublicityForm, QuotaForm, RuleForm, StepForm
from .models import CHECKLIST, Applicant, Document, IntervalRule, round_labels


def _reader(request: HttpRequest, action: str) -> scope.Acting:
    return scope.require_role(request.user, lambda role: role.reads_members, action)


def _organization(request: HttpRequest, pk: int | None) -> Organization:
    acting = _reader(request, "查看发展党员")
    if pk is None:
        return acting.organization
    return scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=pk)


def pipeline(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The pipeline of a branch or a subtree: open files by stage, and the files themselves."""
    organization = _organization(request, pk)
    rows = reports.files(request.user, organization).order_by("org_path", "-step", "name")
    return render(
        request,
        "development/pipeline.html",
        {
            "organization": organization,
            "stages": reports.pipeline(request.user, organization),
            "branches": reports.pipeline_by_branch(request.user, organization),
            "files": rows[:500],
            "may_write": scope.may_change(request.user, lambda role: role.writes_members, organization),
            "lineage": tree.lineage(request.user, organization),
        },
    )


def due(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """到期提醒: half-year assessments, probation ending within 30 days, approvals overdue."""
    organization = _organization(request, pk)
    items = reports.due_items(request.user, organization, timezone.localdate())
    return render(request, "development/due.html", {"organization": organization, "items": items})


def new(request: HttpRequest, pk: int) -> HttpResponse:
    """登记入党申请 in a branch: opens the file with step 1."""
    organization = _organization(request, pk)
    form = ApplicantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applicant = services.create_applicant(actor=request.user, organization=organization, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "已建立发展党员档案")
            return redirect("development:detail", pk=applicant.pk)
    return render(request, "development/new.html", {"organization": organization, "form": form})


def _applicant(request: HttpRequest, pk: int) -> Applicant:
    _reader(request, "查看发展党员档案")
    return scope.get_scoped_or_404(request.user, Applicant.objects.select_related("organization", "member"), pk=pk)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One file: its steps with dates, actors, votes and warnings; the next step's form (only
    what that step records, and only to whom may enter it: otherwise who does); the assessments;
    the publicity periods; the five-stage document checklist; the approval log. A refusal, of the
    rules or of the role, shows the form again with what was typed and the reason."""
    applicant = _applicant(request, pk)
    may_write = scope.may_change(request.user, lambda role: role.writes_members, applicant)
    next_step = applicant.step + 1 if applicant.step < 25 and applicant.status in services.OPEN_STATUSES else None
    # Who may enter the next step is the service's rule (``services.step_refusal``), asked here
    # so that a step the user may not enter is not offered at all.
    step_refusal = services.step_refusal(request.user, applicant, next_step) if next_step and may_write else None
    # Those the step names: the branch's members; for the upper committee's 谈话, its own scope's.
    named = Member.objects.filter(deleted_at=None)
    if next_step not in rules.UPPER_STEPS:
        named = named.filter(organization=applicant.organization)
    people = scope.scoped(request.user, named)
    groups = scope.scoped(
        request.user, PartyGroup.objects.filter(organization=applicant.organization, dissolved_date__isnull=True)
    )
    step_form = StepForm(
        request.POST if "date" in request.POST else None,
        step=next_step or 25,
        people=people,
        groups=groups,
        organization=applicant.organization,
    )
    assessment_form = AssessmentForm(request.POST if "assessed" in request.POST else None)
    publicity_open = services.publicity_open(applicant)
    publicity_form = PublicityForm(request.POST if "starts" in request.POST else None, offered=publicity_open)
    document_form = DocumentForm(request.POST if "kind" in request.POST else None, request.FILES or None)
    if request.method == "POST":
        try:
            if step_form.is_bound and step_form.is_valid() and next_step:
                # The step the page offered: if someone else has entered it meanwhile, the
                # service refuses it instead of giving what was typed to the step after.
                posted = posted_id(request.POST.get("step"))
                step = posted if posted is not None and posted <= len(rules.STEPS) else next_step
                result = services.enter_step(
                    actor=request.user,
                    applicant=applicant,
                    step=step,
                    date=step_form.cleaned_data["date"],
                    data=step_form.step_input(),
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                messages.success(request, f"已办理第{step}步“{rules.step_name(step)}”")
                return redirect("development:detail", pk=applicant.pk)
            if assessment_form.is_bound and assessment_form.is_valid():
                services.record_assessment(
                    actor=request.user,
                    applicant=applicant,
                    date=assessment_form.cleaned_data["assessed"],
                    note=assessment_form.cleaned_data["opinion"],
                )
                messages.success(request, "已登记考察")
                return redirect("development:detail", pk=applicant.pk)
            if publicity_form.is_bound and publicity_form.is_valid():
                services.record_publicity(
                    actor=request.user,
                    applicant=applicant,
                    step=publicity_form.cleaned_data["publicity_step"],
                    start=publicity_form.cleaned_data["starts"],
                    end=publicity_form.cleaned_data["ends"],
                    result=publicity_form.cleaned_data["result"],
                )
                messages.success(request, "已登记公示")
                return redirect("development:detail", pk=applicant.pk)
            if document_form.is_bound and document_form.is_valid():
                services.add_document(actor=request.user, applicant=applicant, **document_form.cleaned_data)
                messages.success(request, "已上传材料")
                return redirect("development:detail", pk=applicant.pk)
        except (DomainError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                audit.note_denied(request, error)  # a refusal of the role stays in the security trail
            refusal = error if isinstance(error, DomainError) else DomainError(str(error))
            for form in (step_form, assessment_form, publicity_form, document_form):
                if form.is_bound and not (form is step_form and str(error) == step_refusal):
                    form.add_domain_error(refusal)  # (the step's own refusal is said beside it)
    records = list(applicant.steps.prefetch_related("actors__member").select_related("vote").order_by("round", "step"))
    labels = round_labels(records)
    kept = set(applicant.documents.values_list("kind", flat=True))
    checklist = [(stage, [(kind, kind in kept) for kind in kinds]) for stage, kinds in CHECKLIST.items()]
    assessment_open = services.assessment_kind(applicant) is not None
    return render(
        request,
        "development/detail.html",
        {
            "applicant": applicant,
            "records": [(record, labels.get(record.round, "")) for record in records],
            "next_step": next_step,
            "next_name": rules.step_name(next_step) if next_step else "",
            "step_form": step_form,
            "step_refusal": step_refusal,
            "assessment_form": assessment_form,
            "document_form": document_form,
            "assessments": applicant.assessments.all(),
            "publicity_form": publicity_form,
            # Offered only when the file takes one now (or to show a refused one again).
            "offer_publicity": may_write and (publicity_form.is_bound or bool(publicity_open)),
            "offer_assessment": may_write and (assessment_form.is_bound or assessment_open),
            "assessment_periods": services.ASSESSMENT_PERIODS,
            "publicity": applicant.publicity.all(),
            "documents": applicant.documents.all(),
            "checklist": checklist,
            "log": steps_for(applicant),
            "may_write": may_write,
        },
    )


def rule_table(request: HttpRequest) -> HttpResponse:
    """发展党员时限规则: read by every administrator, edited by the county."""
    scope.require_role(request.user, lambda role: role.reads_organizations, "查看发展党员时限规则")
    rows = scope.scoped(request.user, IntervalRule.objects.all())
    return render(request, "development/rules.html", {"rows": rows})


@require_POST
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = scope.get_scoped_or_404(request.user, IntervalRule.objects.all(), pk=pk)
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            services.set_rule(actor=request.user, rule=rule, **form.cleaned_data)
            messages.success(request, "已修改规则")
        except DomainError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("development:rules")


def year(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The year of a subtree: the development plan and its progress, the year's development
    counts and structure, and the 空白村 (no member developed in three years)."""
    organization = _organization(request, pk)
    today = timezone.localdate()
    try:
        chosen = int(request.GET.get("year") or today.year)
    except ValueError:
        chosen = today.year
    if not 1950 <= chosen <= 2100:
        chosen = today.year
    form = QuotaForm(request.POST or None, initial={"year": chosen})
    if request.method == "POST" and form.is_valid():
        target = scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=form.cleaned_data["organization"])
        try:
            services.set_quota(
                actor=request.user,
                organization=target,
                year=form.cleaned_data["year"],
                amount=form.cleaned_data["amount"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"已下达“{target.name}”{form.cleaned_data['year']}年度发展党员计划")
            return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    return render(
        request,
        "development/year.html",
        {
            "organization": organization,
            "year": chosen,
            "quotas": reports.plan_progress(request.user, organization, chosen),
            "counts": reports.year_counts(request.user, organization, chosen),
            "blank": reports.blank_villages(request.user, organization, today),
            "blank_years": reports.BLANK_YEARS,
            "children": scope.scoped(
                request.user,
                Organization.objects.filter(path__startswith=organization.path, depth=organization.depth + 1),
            ).order_by("path"),
            "form": form,
            "may_plan": scope.role_allows(request.user, lambda role: role.writes_organizations),
        },
    )


def document(request: HttpRequest, pk: int) -> FileResponse:
    """An uploaded document, through the scope (media files are never served directly)."""
    _reader(request, "查看发展党员材料")
    found = scope.get_scoped_or_404(request.user, Document.objects.all(), pk=pk)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404("材料文件不存在") from None
    return FileResponse(handle, as_attachment=True, filename=found.file_name)
