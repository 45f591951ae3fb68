"""Party groups (党小组) of a branch, and splitting a branch (拆分): choosing members is this app's
part of the restructuring wizard."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.core.forms import IdsField, StyledForm
from dangjian.orgs import restructure, tree
from dangjian.orgs.filters import scoped_organizations
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization, OrgKind
from dangjian.orgs.panels import Panel, register_panel
from dangjian.orgs.views_restructure import (
    RestructureForm,
    add_new_organization_fields,
    new_organization_fields,
    wizard,
)
from dangjian.orgs.widgets import OrganizationPicker

from . import services
from .models import PartyGroup
from .picker import MemberPicker, MembersPicker


def _organization(request: HttpRequest, pk: int) -> Organization:
    return scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=pk)


def _roll(request: HttpRequest, organization: Organization) -> Any:
    return scope.scoped(request.user, services.members_on_roll(organization)).order_by("name_pinyin")


def groups_panel(request: HttpRequest, organization: Organization) -> Panel | None:
    if not organization.holds_members or not scope.role_allows(request.user, lambda role: role.reads_members):
        return None
    groups = scope.scoped(request.user, PartyGroup.objects.filter(organization=organization)).select_related("leader")
    return Panel("党小组", "members/_groups_panel.html", {"groups": groups}, order=20)


register_panel("party_groups", groups_panel)


class GroupForm(StyledForm):
    name = forms.CharField(label="党小组名称", max_length=50)

    def __init__(self, *args: Any, roll: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Found with the member picker among the branch's members on the roll.
        self.fields["leader"] = forms.ModelChoiceField(
            label="党小组长", queryset=roll, required=False, widget=MemberPicker(within=organization)
        )
        self.fields["members"] = IdsField(
            label="组员", queryset=roll, required=False, widget=MembersPicker(within=organization)
        )


def groups(request: HttpRequest, pk: int) -> HttpResponse:
    """党小组管理 of one branch: the groups, their members and leaders; a new group."""
    organization = _organization(request, pk)
    scope.require_role(request.user, lambda role: role.reads_members, "查看党小组")
    roll = _roll(request, organization)
    form = GroupForm(request.POST or None, roll=roll, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_party_group(
                actor=request.user,
                organization=organization,
                name=data["name"],
                member_ids=[m.pk for m in data["members"]],
                leader=data["leader"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"已设立党小组：{data['name']}")
            return redirect("members:groups", pk=organization.pk)
    existing = scope.scoped(request.user, PartyGroup.objects.filter(organization=organization))
    group_forms = [
        (group, GroupForm(prefix=f"g{group.pk}", roll=roll, organization=organization, initial=_group_initial(group)))
        for group in existing.prefetch_related("members")
    ]
    return render(
        request,
        "members/groups.html",
        {
            "organization": organization,
            "groups": group_forms,
            "form": form,
            "ungrouped": roll.filter(party_group__isnull=True),
            "may_write": scope.may_change(request.user, lambda role: role.writes_members, organization),
            "lineage": tree.lineage(request.user, organization),
        },
    )


def _group_initial(group: PartyGroup) -> dict[str, Any]:
    return {"name": group.name, "members": list(group.members.all()), "leader": group.leader}


@require_POST
def group_edit(request: HttpRequest, pk: int, group: int) -> HttpResponse:
    organization = _organization(request, pk)
    found = scope.get_scoped_or_404(request.user, PartyGroup.objects.filter(organization=organization), pk=group)
    form = GroupForm(request.POST, prefix=f"g{found.pk}", roll=_roll(request, organization), organization=organization)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_party_group(
                actor=request.user,
                group=found,
                name=data["name"],
                member_ids=[m.pk for m in data["members"]],
                leader=data["leader"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"已保存党小组：{data['name']}")
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("members:groups", pk=organization.pk)


@require_POST
def group_dissolve(request: HttpRequest, pk: int, group: int) -> HttpResponse:
    organization = _organization(request, pk)
    found = scope.get_scoped_or_404(request.user, PartyGroup.objects.filter(organization=organization), pk=group)
    services.dissolve_party_group(actor=request.user, group=found, date=timezone.localdate())
    messages.success(request, f"已撤销党小组：{found.name}")
    return redirect("members:groups", pk=organization.pk)


class SplitForm(RestructureForm):
    title = "拆分"
    plan = staticmethod(restructure.plan_split)
    carry_out = staticmethod(restructure.split_organization)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roll = _roll(self.request, self.organization)
        self.fields["members"] = IdsField(
            label="拆分出去的党员", queryset=roll, required=False, widget=forms.CheckboxSelectMultiple
        )
        groups = PartyGroup.objects.filter(organization=self.organization, dissolved_date__isnull=True)
        if groups.exists():  # a branch without groups is not asked which to move
            self.fields["party_groups"] = IdsField(
                label="整体拆分出去的党小组（连同组员）",
                queryset=groups,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        add_new_organization_fields(
            self, required=True, kinds=[(k.value, k.label) for k in OrgKind if k in BRANCH_LEVEL_KINDS]
        )
        self.fields["new_parent"] = forms.ModelChoiceField(
            label="新组织的上级组织",
            help_text="不选则与原组织同属一个上级",
            queryset=scoped_organizations(self.request).exclude(kind__in=BRANCH_LEVEL_KINDS),
            widget=OrganizationPicker(),
            required=False,
            error_messages={"invalid_choice": "所选组织不存在或不在您的管理范围内"},
        )
        self.initial.setdefault("new_kind", OrgKind.BRANCH)
        self.initial.setdefault("new_unit_category", self.organization.unit_category)

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "source": self.organization,
            "date": data["date"],
            "new_fields": new_organization_fields(self),
            "new_parent": data["new_parent"],
            "member_ids": [member.pk for member in data["members"]],
            "party_group_ids": [group.pk for group in data.get("party_groups", [])],
        }


def split(request: HttpRequest, pk: int) -> HttpResponse:
    return wizard(request, _organization(request, pk), SplitForm)
