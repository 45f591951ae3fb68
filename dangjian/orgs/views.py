"""Pages of the organization tree. Thin: look up through the scope, call a service, render."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from dangjian.core import history, scope
from dangjian.core.errors import DomainError
from dangjian.core.inbox_views import home_card
from dangjian.core.models import Role
from dangjian.core.redirects import same_site

from . import panels, services, tree
from .forms import OrganizationForm
from .models import BRANCH_LEVEL_KINDS, Organization


def _acting_organization(request: HttpRequest) -> Organization:
    """The organization the user acts from, seen through the scope (a 党员 sees their own branch)."""
    acting = scope.acting(request.user)
    if acting is None:
        raise PermissionDenied("您的账号尚未分配角色，请联系管理员")
    if acting.allows(lambda role: role.reads_organizations):
        return acting.organization
    organization = scope.scoped(request.user, Organization.objects.all()).first()
    if organization is None:
        raise PermissionDenied("您当前的角色不查看组织和党员信息")
    return organization


def _get(request: HttpRequest, pk: int) -> Organization:
    return scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=pk)


def _may_write(request: HttpRequest, organization: Organization) -> bool:
    return scope.may_change(request.user, lambda role: role.writes_organizations, organization)


DASHBOARD_CHILDREN = 30


DUTY_PAGES = (  # where the 三员, who read no members, start
    (lambda role: role.manages_users, "accounts:users"),
    (lambda role: role.manages_security, "accounts:security"),
    (lambda role: role.reads_audit, "accounts:audit"),
)


def dashboard(request: HttpRequest) -> HttpResponse:
    """首页: the acting organization's totals, its inbox (待办事项) and (the first of) its direct
    subordinates; for a 党员, their own home (members' ``{% member_home %}``: their record,
    organization, probation, what is due from them), without the organization's figures."""
    acting = scope.acting(request.user)
    if acting is not None and not acting.allows(lambda role: role.reads_members or role == Role.MEMBER):
        for allowed, page in DUTY_PAGES:
            if acting.allows(allowed):
                return redirect(page)
    if acting is not None and acting.roles == {Role.MEMBER}:
        return render(request, "orgs/dashboard.html", {"member_home": True})
    organization = _acting_organization(request)
    children = tree.children_with_counts(request.user, organization)
    return render(
        request,
        "orgs/dashboard.html",
        {
            "organization": organization,
            "totals": tree.subtree_totals(request.user, organization),
            "children": children[:DASHBOARD_CHILDREN],
            "more_children": max(len(children) - DASHBOARD_CHILDREN, 0),
            "lineage": tree.lineage(request.user, organization),
            "inbox": home_card(request.user),
        },
    )


def _show_abolished(request: HttpRequest) -> bool:
    """Abolished organizations stay in the tree for history but are hidden unless asked for."""
    return request.GET.get("abolished") == "1"


def organization_tree(request: HttpRequest) -> HttpResponse:
    """组织树: the scope's root, expanded one level; deeper levels load on demand. With ``q`` the
    organizations in scope whose name or code matches instead, each with the path to it."""
    root = _acting_organization(request)
    show_abolished = _show_abolished(request)
    query = request.GET.get("q", "").strip()[:50]
    context: dict[str, Any] = {
        "query": query,
        "show_abolished": show_abolished,
        "lineage": tree.lineage(request.user, root),
    }
    if query:
        context["results"], context["result_total"] = tree.search(request.user, query, show_abolished=show_abolished)
        context["result_limit"] = tree.SEARCH_LIMIT
    else:
        context["root"] = tree.TreeNode(root, tree.subtree_totals(request.user, root))
        level = tree.tree_level(request.user, root, show_abolished=show_abolished)
        context |= {"children": level.nodes, "hidden_abolished": level.hidden_abolished}
    # The search box and the switch refresh only the tree (htmx), but a restored history entry
    # needs the whole page.
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    response = render(request, "orgs/_tree_body.html" if partial else "orgs/tree.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def tree_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The children rows of one node (htmx fragment)."""
    parent = _get(request, pk)
    show_abolished = _show_abolished(request)
    level = tree.tree_level(request.user, parent, show_abolished=show_abolished)
    return render(
        request,
        "orgs/_tree_children.html",
        {"children": level.nodes, "hidden_abolished": level.hidden_abolished, "show_abolished": show_abolished},
    )


def organization_pick(request: HttpRequest) -> HttpResponse:
    """Up to twenty in-scope organizations whose name contains the typed text (picker widget)."""
    query = request.GET.get("pick", "").strip()
    organizations = Organization.objects.none()
    if query:
        organizations = scope.scoped(request.user, Organization.objects.all()).filter(
            Q(name__contains=query) | Q(short_name__contains=query) | Q(code=query)
        )
        if request.GET.get("holders"):
            holders = Q(kind__in=BRANCH_LEVEL_KINDS) | Q(holds_members_directly=True)
            organizations = organizations.filter(holders, abolished_date__isnull=True)
    return render(
        request, "orgs/_pick_results.html", {"organizations": organizations.order_by("path")[:20], "query": query}
    )


def destination_pick(request: HttpRequest) -> HttpResponse:
    """Where a member may be transferred to, found by name or code anywhere in the tree: a branch
    does not know the code of a branch in another county. Only organizations that receive members
    (not abolished), and only their names and codes: nothing of their members leaves any scope. For
    those who start transfers (a branch and above, or a member for their own record)."""
    scope.require_role(request.user, lambda role: role.writes_members or role == Role.MEMBER, "查找转入党组织")
    query = request.GET.get("pick", "").strip()[:50]
    organizations = Organization.objects.none()
    if query:
        receivers = Organization.objects.filter(
            Q(kind__in=BRANCH_LEVEL_KINDS) | Q(holds_members_directly=True),
            deleted_at__isnull=True,
            abolished_date__isnull=True,
        )
        organizations = receivers.filter(Q(name__contains=query) | Q(short_name__contains=query) | Q(code=query))
    return render(
        request,
        "orgs/_pick_results.html",
        {"organizations": organizations.order_by("path")[:20], "query": query, "with_code": True},
    )


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _get(request, pk)
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "organization": organization,
            "totals": tree.subtree_totals(request.user, organization),
            "children": tree.children_with_counts(request.user, organization),
            "lineage": tree.lineage(request.user, organization),
            "may_write": _may_write(request, organization),
            "may_register_members": scope.may_change(request.user, lambda role: role.writes_members, organization),
            "panels": panels.panels_for(request, organization),
        },
    )


def organization_create(request: HttpRequest, parent_pk: int) -> HttpResponse:
    parent = _get(request, parent_pk)
    scope.require_in_scope(request.user, parent, to_write=True)
    if not _may_write(request, parent):
        raise PermissionDenied("您当前的角色无权设立党组织")
    form = OrganizationForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.create_organization(actor=request.user, parent=parent, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"已设立“{organization.name}”")
            return redirect("orgs:detail", pk=organization.pk)
    return render(
        request,
        "orgs/organization_form.html",
        {"form": form, "parent": parent, "lineage": tree.lineage(request.user, parent)},
    )


def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _get(request, pk)
    scope.require_in_scope(request.user, organization, to_write=True)
    if not _may_write(request, organization):
        raise PermissionDenied("您当前的角色无权修改党组织信息")
    # Sent here from another page (the transfer letter's missing address): back there when saved.
    back = same_site(request, request.POST.get("next") or request.GET.get("next"))
    form = OrganizationForm(request.POST or None, creating=False, initial=OrganizationForm.initial_from(organization))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_organization(actor=request.user, organization=organization, **changes)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "已保存")
            return redirect(back or reverse("orgs:detail", args=[organization.pk]))
    return render(
        request,
        "orgs/organization_form.html",
        {"form": form, "organization": organization, "lineage": tree.lineage(request.user, organization), "back": back},
    )


def organization_history(request: HttpRequest, pk: int) -> HttpResponse:
    """修改记录 of an organization's profile."""
    organization = _get(request, pk)
    return render(
        request,
        "core/history.html",
        {
            "object": organization,
            "entries": history.entries(organization),
            "back": reverse("orgs:detail", args=[organization.pk]),
            "lineage": tree.lineage(request.user, organization),
        },
    )


@require_POST
def organization_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _get(request, pk)
    lineage = tree.lineage(request.user, organization)
    try:
        services.delete_organization(actor=request.user, organization=organization)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("orgs:detail", pk=organization.pk)
    messages.success(request, f"已删除“{organization.name}”")
    return redirect("orgs:detail", pk=lineage[-2].pk) if len(lineage) > 1 else redirect("orgs:tree")
