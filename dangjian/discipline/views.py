"""Pages of 党纪处分. Thin: parse a form, call a service, show its Chinese message on the field it
names."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.approvals.services import steps_for
from dangjian.core import scope
from dangjian.core.dates import DateKind
from dangjian.core.errors import DomainError
from dangjian.core.forms import StyledForm, date_field
from dangjian.elections.models import Officer
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.panels import Panel

from . import rules, services
from .models import PROBATION_MONTHS, Sanction, SanctionKind

PER_PAGE = 50


def sanction_list(request: HttpRequest) -> HttpResponse:
    """党纪处分 of the members in the scope: by kind, only open 留党察看, by organization subtree."""
    scope.require_role(request.user, lambda role: role.reads_members, "查看党纪处分")
    kind = request.GET.get("kind", "")
    kind = kind if kind in SanctionKind.values else ""
    open_only = request.GET.get("open") == "1"
    organization = None
    problem = ""
    if raw := request.GET.get("organization"):
        organization = scope.scoped(request.user, Organization.objects.filter(pk=raw if raw.isdigit() else 0)).first()
        if organization is None:
            problem = "所选党组织不存在或不在您的管理范围内"
    rows = services.sanctions(request.user, kind=kind, open_probation_only=open_only, organization=organization)
    if problem:
        rows = rows.none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "discipline/list.html",
        {
            "page": page,
            "kinds": SanctionKind.choices,
            "kind": kind,
            "open": open_only,
            "organization": organization,
            "problem": problem,
            "today": timezone.localdate(),
            "counts": services.probation_counts(request.user),
        },
    )


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Officer) -> str:
        return f"{obj.title}（{obj.since:%Y-%m-%d}起）"


def _shown_for(kind: SanctionKind) -> dict[str, str]:
    """A field only one kind needs: static/js/discipline.js shows it when that kind is chosen."""
    return {"data-shown-for-kind": kind.value}


class SanctionForm(StyledForm):
    kind = forms.ChoiceField(label="处分种类", choices=[("", "请选择"), *SanctionKind.choices])  # never a silent 警告
    months = forms.TypedChoiceField(
        label="留党察看期限",
        choices=[("", "请选择"), *((m, f"{m // 12}年（{m}个月）") for m in PROBATION_MONTHS)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=_shown_for(SanctionKind.PROBATION)),
    )
    post = PostChoiceField(
        label="撤销的党内职务",
        queryset=Officer.objects.none(),
        required=False,
        empty_label="请选择",
        widget=forms.Select(attrs=_shown_for(SanctionKind.REMOVAL_FROM_POST)),
    )
    decided_on = date_field("处分决定日期", kind=DateKind.EVENT, required=True)
    deciding_org = forms.ModelChoiceField(label="决定处分的党组织", queryset=Organization.objects.none())
    document_number = forms.CharField(label="处分决定文号", max_length=50, required=False)
    reason = forms.CharField(label="处分事由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The member's branch and the organizations above it (whatever the recorder's own scope:
        # a county committee may decide on a member of a town's branch).
        self.fields["deciding_org"].queryset = services.lineage(member.organization)  # type: ignore[attr-defined]
        # The member's posts in office (any organization: a branch member may sit on the town
        # committee); the service checks the one chosen was held on the decision date.
        held = (
            Officer.objects.filter(member=member, until__isnull=True)
            .select_related("term__organization")
            .order_by("-term__organization__depth", "pk")
        )
        post = self.fields["post"]
        post.queryset = held  # type: ignore[attr-defined]
        if not held.exists():
            post.empty_label = f"{member.name}未登记党内职务"  # type: ignore[attr-defined]
            post.help_text = "没有担任党内职务的，应当给予严重警告处分（《中国共产党纪律处分条例》）"


def new(request: HttpRequest, pk: int) -> HttpResponse:
    """记录党纪处分 of one member."""
    member = scope.get_scoped_or_404(request.user, Member.objects.select_related("organization"), pk=pk)
    acting = scope.require_role(request.user, lambda role: role.writes_organizations, "记录党纪处分")
    initial = {"decided_on": timezone.localdate()}
    if services.lineage(member.organization).filter(pk=acting.organization.pk).exists():
        initial["deciding_org"] = acting.organization.pk
    form = SanctionForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sanction = services.record_sanction(actor=request.user, member=member, **form.cleaned_data)
            messages.success(request, f"已记录{member.name}的{sanction.get_kind_display()}处分")
            return redirect("discipline:detail", pk=sanction.pk)
        except DomainError as error:
            form.add_domain_error(error)
    open_one = services.open_probation(member)
    return render(
        request,
        "discipline/form.html",
        {"form": form, "member": member, "open_probation": open_one},
        status=400 if request.method == "POST" else 200,
    )


class ActionForm(StyledForm):
    """The inputs the actions take; the service says which it needs."""

    date = date_field("决定日期", kind=DateKind.EVENT, required=True)
    reason = forms.CharField(label="理由或说明", max_length=500, required=False)
    document_number = forms.CharField(label="文号（开除党籍）", max_length=50, required=False)
    deciding_org = forms.ModelChoiceField(
        label="决定组织（开除党籍；默认为决定留党察看的组织）", queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, sanction: Sanction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deciding_org"].queryset = services.lineage(sanction.member.organization)  # type: ignore[attr-defined]


ACTIONS = {
    "extend": (
        "延长留党察看一年",
        lambda u, s, d: services.extend_probation_discipline(actor=u, sanction=s, date=d["date"], reason=d["reason"]),
    ),
    "restore": (
        "恢复党员权利",
        lambda u, s, d: services.restore_rights(actor=u, sanction=s, date=d["date"], reason=d["reason"]),
    ),
    "expel": (
        "开除党籍",
        lambda u, s, d: services.expel(
            actor=u,
            sanction=s,
            date=d["date"],
            reason=d["reason"],
            document_number=d["document_number"],
            deciding_org=d["deciding_org"],
        ),
    ),
}


def _offered(request: HttpRequest, sanction: Sanction) -> list[str]:
    """The actions to offer (the services decide; this only hides useless buttons)."""
    if not sanction.is_open_probation:
        return []
    if not scope.may_change(request.user, lambda role: role.writes_organizations, sanction):
        return []
    today = timezone.localdate()
    offered = []
    if sanction.months == 12 and sanction.extended_on is None and sanction.effect_until <= today:
        offered.append("extend")
    if sanction.effect_until <= today:
        offered.append("restore")
    return [*offered, "expel"]


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    sanction = services.get_sanction(request.user, pk)
    return _detail(request, sanction, ActionForm(sanction=sanction, initial={"date": timezone.localdate()}))


def _detail(request: HttpRequest, sanction: Sanction, form: ActionForm, status: int = 200) -> HttpResponse:
    restricted = None
    if sanction.ending == "restored" and sanction.ended_on:
        restricted = rules.post_restriction_until(sanction.ended_on)
    elif sanction.kind == SanctionKind.REMOVAL_FROM_POST:
        restricted = sanction.effect_until
    return render(
        request,
        "discipline/detail.html",
        {
            "sanction": sanction,
            "removed_posts": list(sanction.removed_posts.select_related("term__organization")),
            "steps": steps_for(sanction),
            "form": form,
            "actions": [(key, ACTIONS[key][0]) for key in _offered(request, sanction)],
            "restricted_until": restricted,
            "in_effect": sanction.decided_on <= timezone.localdate() < sanction.effect_until
            and sanction.ended_on is None,
        },
        status=status,
    )


@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    sanction = services.get_sanction(request.user, pk)
    form = ActionForm(request.POST, sanction=sanction)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        form.add_error(None, "请选择要办理的事项")
    if form.is_valid() and action in ACTIONS:
        label, operation = ACTIONS[action]
        try:
            operation(request.user, sanction, form.cleaned_data)
            messages.success(request, f"已办理：{label}")
            return redirect("discipline:detail", pk=sanction.pk)
        except DomainError as error:
            form.add_domain_error(error)
    return _detail(request, services.get_sanction(request.user, pk), form, status=400)


PANEL_ROWS = 20


def organization_panel(request: HttpRequest, organization: Organization) -> Panel | None:
    """The organization page's 党纪处分: its members (of the whole subtree, for a 党委 or 党总支)
    under a sanction that bears on posts today: 留党察看, 撤销党内职务, the two years after a
    restoration. Nothing for those who do not read sanctions, or when there is none."""
    if not scope.role_allows(request.user, lambda role: role.reads_members):
        return None
    rows = services.standings(request.user, organization=organization)
    if not rows:
        return None
    context = {
        "rows": rows[:PANEL_ROWS],
        "more": len(rows) > PANEL_ROWS,
        "subtree": not organization.kind_enum.is_branch_level,
    }
    return Panel("党纪处分", "discipline/_org_panel.html", context, order=20)
