"""The restructuring wizard (组织调整): a form, then the preview of what will move where, then the
operation itself. Each kind of operation is a form that knows its plan and its service."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.dates import DateKind
from dangjian.core.errors import DomainError
from dangjian.core.forms import StyledForm, date_field, style_widgets

from . import restructure, rules, tree
from .models import BRANCH_LEVEL_KINDS, Organization, OrgKind, UnitCategory
from .services import live_children
from .widgets import OrganizationPicker

NEW = "new"


class RestructureForm(StyledForm):
    """A restructuring's input. ``arguments`` turns it into the keyword arguments that both the
    plan (preview) and the service take."""

    title = ""
    date = date_field("调整日期", kind=DateKind.EVENT, required=True)

    def __init__(self, *args: Any, organization: Organization, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.request = request

    # Each kind of restructuring (the subclasses) names its plan and service, and says in
    # ``arguments()`` what both take from the cleaned form.
    arguments: Callable[[], dict[str, Any]]
    plan: Callable[..., restructure.Plan]
    carry_out: Callable[..., Any]


def new_organization_fields(form: forms.Form, prefix: str = "new_") -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data[f"{prefix}name"],
        "code": data[f"{prefix}code"],
        "kind": data[f"{prefix}kind"],
        "unit_category": data[f"{prefix}unit_category"],
        "founded_date": data["date"],
    }


def add_new_organization_fields(form: forms.Form, *, required: bool, kinds: Any = OrgKind.choices) -> None:
    form.fields["new_name"] = forms.CharField(label="新组织名称", max_length=100, required=required)
    form.fields["new_code"] = forms.CharField(label="新组织代码", max_length=32, required=required)
    form.fields["new_kind"] = forms.ChoiceField(label="新组织类别", choices=kinds, required=required)
    form.fields["new_unit_category"] = forms.ChoiceField(
        label="单位类别", choices=UnitCategory.choices, required=required
    )


class MergeForm(RestructureForm):
    title = "撤并下级组织"
    plan = staticmethod(restructure.plan_merge)
    carry_out = staticmethod(restructure.merge_organizations)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        children = live_children(self.organization).filter(abolished_date__isnull=True).order_by("path")
        choices = [(str(child.pk), child.name) for child in children]
        self.fields["sources"] = forms.MultipleChoiceField(
            label="被撤并的组织", choices=choices, widget=forms.CheckboxSelectMultiple
        )
        self.fields["target"] = forms.ChoiceField(
            label="并入", choices=[(NEW, "新设一个组织（填写下方信息）"), *choices], widget=forms.RadioSelect
        )
        add_new_organization_fields(self, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target") == NEW:
            for name in ("new_name", "new_code", "new_kind", "new_unit_category"):
                if not data.get(name):
                    self.add_error(name, "新设组织时请填写")
        return data

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        by_pk = {str(child.pk): child for child in live_children(self.organization)}
        sources = [by_pk[pk] for pk in data["sources"]]
        arguments: dict[str, Any] = {"sources": sources, "date": data["date"]}
        if data["target"] == NEW:
            arguments |= {"new_fields": new_organization_fields(self), "new_parent": self.organization}
        else:
            arguments["target"] = by_pk[data["target"]]
        return arguments


class MoveForm(RestructureForm):
    title = "调整隶属关系"
    plan = staticmethod(restructure.plan_move)
    carry_out = staticmethod(restructure.move_organization)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"] = forms.ModelChoiceField(
            label="新的上级组织",
            queryset=scope.scoped(self.request.user, Organization.objects.all(), to_write=True).exclude(
                kind__in=BRANCH_LEVEL_KINDS
            ),
            widget=OrganizationPicker(),
            error_messages={"invalid_choice": "所选组织不存在或不在您的管理范围内"},
        )

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"organization": self.organization, "new_parent": data["new_parent"], "date": data["date"]}


class ChangeKindForm(RestructureForm):
    title = "组织改建"
    plan = staticmethod(restructure.plan_change_kind)
    carry_out = staticmethod(restructure.change_kind)
    kind = forms.ChoiceField(label="改建为", choices=OrgKind.choices)
    holds_members_directly = forms.BooleanField(label="直接管理党员（须经批准）", required=False)
    setup_approval = forms.CharField(
        label="批准文件", max_length=100, required=False, help_text="党委、党总支直接管理党员的，填写上级批准的文号"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not offered: what it already is, and what its superior may not have under it (a 党总支
        # has only branches). The plan still checks both, and the sub-organizations.
        parent = Organization.objects.get_parent(self.organization)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (kind.value, kind.label)
            for kind in OrgKind
            if kind.value != self.organization.kind
            and not (parent and rules.child_kind_problem(parent.kind_enum, kind))
        ]
        self.initial.setdefault("holds_members_directly", self.organization.holds_members_directly)
        self.initial.setdefault("setup_approval", self.organization.setup_approval)

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "organization": self.organization,
            "kind": OrgKind(data["kind"]),
            "date": data["date"],
            "holds_members_directly": data["holds_members_directly"],
            "setup_approval": data["setup_approval"],
        }


class AbolishForm(RestructureForm):
    title = "撤销组织"
    plan = staticmethod(restructure.plan_abolish)
    carry_out = staticmethod(restructure.abolish_organization)

    def arguments(self) -> dict[str, Any]:
        return {"organization": self.organization, "date": self.cleaned_data["date"]}


FORMS: dict[str, type[RestructureForm]] = {
    "merge": MergeForm,
    "move": MoveForm,
    "change_kind": ChangeKindForm,
    "abolish": AbolishForm,
}


def wizard(request: HttpRequest, organization: Organization, form_class: type[RestructureForm]) -> HttpResponse:
    """The form; with ``action=preview`` the plan; with ``action=confirm`` the operation."""
    scope.require_role(request.user, lambda role: role.writes_organizations, "办理组织调整")
    form = form_class(
        request.POST or None, organization=organization, request=request, initial={"date": timezone.localdate()}
    )
    style_widgets(form)  # again: the kinds of restructuring add their fields after StyledForm styled its own
    plan = None
    if request.method == "POST" and form.is_valid():
        try:
            arguments = form.arguments()
            plan = form.plan(actor=request.user, **arguments)
            if request.POST.get("action") == "confirm" and not plan.problems:
                record = form.carry_out(actor=request.user, **arguments)
                messages.success(request, f"已办理：{record.get_kind_display()}，涉及{_describe(record.summary)}")
                return redirect("orgs:detail", pk=record.subject.pk)
        except DomainError as error:
            form.add_domain_error(error)
        except (Http404, PermissionDenied) as error:
            form.add_error(None, str(error) or "所选组织不在您的管理范围内")
    return render(
        request,
        "orgs/restructure.html",
        {
            "organization": organization,
            "form": form,
            "plan": plan,
            "lineage": tree.lineage(request.user, organization),
            "branch_kinds": " ".join(sorted(kind.value for kind in BRANCH_LEVEL_KINDS)),
        },
    )


def _describe(summary: dict[str, Any]) -> str:
    labels = {"member": "名党员", "organization": "个组织", "party_group": "个党小组", "term": "届班子"}
    parts = [f"{n}{labels.get(key, key)}" for key, n in summary.get("counts", {}).items()]
    return "、".join(parts) or "无迁移对象"


def restructure_page(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    organization = scope.get_scoped_or_404(request.user, Organization.objects.all(), to_write=True, pk=pk)
    if kind not in FORMS:
        raise Http404("没有这种组织调整")
    return wizard(request, organization, FORMS[kind])
