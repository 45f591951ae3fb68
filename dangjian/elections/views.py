"""Pages of committees and terms (领导班子与届次), the terms-expiring list and the structure
report (组织设置体检); and the organization page's committee and warnings sections."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import scope
from dangjian.core.dates import DateKind, add_months
from dangjian.core.errors import DomainError
from dangjian.core.forms import StyledForm, date_field, posted_date, posted_id
from dangjian.members.models import Member
from dangjian.members.picker import MemberPicker
from dangjian.orgs import tree
from dangjian.orgs.models import Organization, StructureThresholds
from dangjian.orgs.panels import Panel, register_panel

from . import rules, services
from .models import Officer, Position, Term
from .structure import structure_report


def _organization(request: HttpRequest, pk: int) -> Organization:
    return scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=pk)


def _writes(request: HttpRequest, organization: Organization) -> bool:
    return scope.may_change(request.user, lambda role: role.writes_members, organization)


def _state(term: Term) -> rules.TermState:
    return rules.term_state(
        term.expected_end, term.actual_end, timezone.localdate(), StructureThresholds.current().term_warning_months
    )


def _vacancies(term: Term) -> list[rules.Seat]:
    """The posts of the term a 党纪处分 took away and nobody has been appointed to since."""
    removed = term.officers.filter(Q(until__isnull=True) | ~Q(removal="")).select_related("member")
    return rules.vacancies([rules.Seat(o.position, o.member.name, o.since, o.until, o.removal) for o in removed])


def _vacancy_rows(term: Term) -> list[dict[str, str]]:
    return [
        {
            "position": seat.position,
            "label": Position(seat.position).label,
            "text": f"{seat.member_name}{seat.until:%Y-%m-%d}{seat.removal}",
        }
        for seat in _vacancies(term)
    ]


def committee_panel(request: HttpRequest, organization: Organization) -> Panel | None:
    term = scope.scoped(request.user, Term.objects.filter(organization=organization, actual_end__isnull=True)).first()
    rows: list[dict[str, Any]] = []
    if term is not None and scope.role_allows(request.user, lambda role: role.reads_members):
        # By rank, a vacant post where its holder would be (书记：空缺 first).
        rows = [
            {"position": o.position, "label": o.get_position_display(), "name": o.member.name}
            for o in term.officers.filter(until__isnull=True).select_related("member")
        ]
        rows += [row | {"vacant": row["text"]} for row in _vacancy_rows(term)]
        rows.sort(key=lambda row: rules.position_order(row["position"]))
    context = {"term": term, "state": _state(term) if term else None, "officers": rows}
    return Panel("领导班子", "elections/_committee_panel.html", context, order=10)


def warnings_panel(request: HttpRequest, organization: Organization) -> Panel | None:
    reports = structure_report(request.user, organization, whole_subtree=False)
    findings = reports[0].findings if reports else []
    return Panel("组织设置体检", "elections/_warnings_panel.html", {"findings": findings}, order=30)


register_panel("committee", committee_panel)
register_panel("structure", warnings_panel)


class TermForm(StyledForm):
    start = date_field("任期开始（选举日期）", kind=DateKind.EVENT, required=True)
    note = forms.CharField(label="备注", max_length=200, required=False)


def officer_candidates(request: HttpRequest, members: QuerySet[Member]) -> QuerySet[Member]:
    """The member picker's suggestions for an appointment at ``?org=``: who may hold a post there
    today (full members of the organization, or of its subtree for a 党委; none under 留党察看)."""
    organization = scope.scoped(request.user, Organization.objects.filter(pk=posted_id(request.GET.get("org")))).first()
    if organization is None:
        return members.none()
    return members.filter(pk__in=services.members_who_may_stand(organization).values("pk"))


class OfficerForm(StyledForm):
    position = forms.ChoiceField(label="职务", choices=[("", "请选择"), *Position.choices])
    since = date_field("任职日期", kind=DateKind.EVENT, required=True)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        eligible = services.members_who_may_stand(organization).select_related("organization")
        whose = "本组织" if organization.kind_enum.is_branch_level else "本组织及下级组织"  # a 党委: its subtree
        member = forms.ModelChoiceField(
            label=f"党员（{whose}的正式党员）",
            queryset=eligible,
            widget=MemberPicker(purpose="officer", extra={"org": organization.pk}),
            error_messages={"invalid_choice": f"所选党员不是{whose}可以任职的正式党员（受留党察看处分等情形不能任职）"},
        )
        self.fields = {"member": member, **self.fields}


def terms(request: HttpRequest, pk: int) -> HttpResponse:
    """The organization's terms and officers; a new term; an appointment."""
    organization = _organization(request, pk)
    scope.require_role(request.user, lambda role: role.reads_members, "查看领导班子")
    history = scope.scoped(request.user, Term.objects.filter(organization=organization)).prefetch_related(
        "officers__member"
    )
    current = next((term for term in history if term.actual_end is None), None)
    term_form = TermForm(request.POST if "start" in request.POST else None, initial={"start": timezone.localdate()})
    officer_form = OfficerForm(
        request.POST if "position" in request.POST else None,
        organization=organization,
        initial={"since": timezone.localdate()},
    )
    if request.method == "POST":
        try:
            if term_form.is_bound and term_form.is_valid():
                services.start_term(actor=request.user, organization=organization, **term_form.cleaned_data)
                messages.success(request, "已登记新一届")
                return redirect("elections:terms", pk=organization.pk)
            if officer_form.is_bound and officer_form.is_valid() and current is not None:
                services.appoint_officer(actor=request.user, term=current, **officer_form.cleaned_data)
                messages.success(request, "已登记任职")
                return redirect("elections:terms", pk=organization.pk)
        except DomainError as error:
            (term_form if term_form.is_bound else officer_form).add_domain_error(error)
    return render(
        request,
        "elections/terms.html",
        {
            "organization": organization,
            "terms": [(term, _state(term)) for term in history],
            "current": current,
            "vacant": _vacancy_rows(current) if current is not None else [],
            "term_form": term_form,
            "officer_form": officer_form,
            "may_write": _writes(request, organization),
            "lineage": tree.lineage(request.user, organization),
        },
    )


def _posted_date(request: HttpRequest) -> dt.date:
    return posted_date(request.POST.get("date"), DateKind.EVENT, "日期")


@require_POST
def officer_relieve(request: HttpRequest, pk: int, officer: int) -> HttpResponse:
    organization = _organization(request, pk)
    found = scope.get_scoped_or_404(request.user, Officer.objects.filter(term__organization=organization), pk=officer)
    try:
        services.relieve_officer(actor=request.user, officer=found, until=_posted_date(request))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("elections:terms", pk=organization.pk)


@require_POST
def term_end(request: HttpRequest, pk: int, term: int) -> HttpResponse:
    organization = _organization(request, pk)
    found = scope.get_scoped_or_404(request.user, Term.objects.filter(organization=organization), pk=term)
    try:
        services.end_term(actor=request.user, term=found, date=_posted_date(request))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("elections:terms", pk=organization.pk)


def expiring(request: HttpRequest) -> HttpResponse:
    """届满提醒: open terms of the subtree that end within the warning months, or are overdue."""
    acting = scope.require_role(request.user, lambda role: role.reads_organizations, "查看换届提醒")
    months = StructureThresholds.current().term_warning_months
    horizon = add_months(timezone.localdate(), months)
    due = (
        scope.scoped(request.user, Term.objects.filter(actual_end__isnull=True, expected_end__lte=horizon))
        .filter(organization__path__startswith=acting.organization.path)
        .select_related("organization")
        .order_by("expected_end")
    )
    page = Paginator(due, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "elections/expiring.html",
        {"page": page, "months": months, "rows": [(term, _state(term)) for term in page]},
    )


def structure(request: HttpRequest, pk: int) -> HttpResponse:
    """组织设置体检 of a subtree: every organization the rules flag, with the rule cited."""
    organization = _organization(request, pk)
    scope.require_role(request.user, lambda role: role.reads_organizations, "查看组织设置体检")
    reports = structure_report(request.user, organization)
    return render(
        request,
        "elections/structure.html",
        {"organization": organization, "reports": reports, "lineage": tree.lineage(request.user, organization)},
    )
