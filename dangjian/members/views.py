"""Pages of the member registry. Thin: look up through the scope, call a service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import history, scope
from dangjian.core.errors import DomainError
from dangjian.core.idnumber import mask_id_number
from dangjian.core.models import Role
from dangjian.orgs import tree

from . import services
from .access import may_reveal
from .filters import MemberFilter
from .forms import MemberForm
from .models import Member

PAGE_SIZE = 20


def _get(request: HttpRequest, pk: int) -> Member:
    return scope.get_scoped_or_404(request.user, Member.objects.select_related("organization"), pk=pk)


def _may_write(request: HttpRequest) -> bool:
    return scope.role_allows(request.user, lambda role: role.writes_members)


def member_list(request: HttpRequest) -> HttpResponse:
    """党员花名册: the scoped roster, searchable and filterable, in pages. A 党员 has a roster of one:
    their own record, which is where they are taken."""
    members = scope.scoped(request.user, Member.objects.select_related("organization"))
    if scope.role_allows(request.user, lambda role: role == Role.MEMBER) and (own := members.first()):
        return redirect("members:detail", pk=own.pk)
    filterset = MemberFilter(request.GET, queryset=members, request=request)
    valid = filterset.is_valid()
    # A filter that does not parse (an organization outside the scope) shows its error and no rows.
    page = Paginator(filterset.qs if valid else members.none(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    organization = filterset.form.cleaned_data.get("organization") if valid else None
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "may_write": _may_write(request),
        "lineage": tree.lineage(request.user, organization) if organization else [],
    }
    template = "members/_member_rows.html" if request.headers.get("HX-Request") else "members/member_list.html"
    return render(request, template, context)


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _get(request, pk)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "may_reveal": may_reveal(request.user, member),
            "periods": member.periods.select_related("organization").order_by("-start"),
            "lineage": tree.lineage(request.user, member.organization),
            "may_write": _may_write(request),
        },
    )


def member_create(request: HttpRequest) -> HttpResponse:
    if not _may_write(request):
        raise PermissionDenied("您当前的角色无权登记党员")
    initial = {}
    if organization_id := request.GET.get("organization"):
        initial["organization"] = organization_id
    form = MemberForm(request.POST or None, request=request, creating=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.create_member(actor=request.user, **form.service_values())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"已登记党员{member.name}")
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_form.html", {"form": form})


def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _get(request, pk)
    if not _may_write(request):
        raise PermissionDenied("您当前的角色无权修改党员信息")
    form = MemberForm(request.POST or None, request=request, creating=False, initial=MemberForm.initial_from(member))
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        changes = {name: values[name] for name in form.changed_data if name in values}
        try:
            services.update_member(actor=request.user, member=member, **changes)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "已保存")
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/member_form.html",
        {"form": form, "member": member, "lineage": tree.lineage(request.user, member.organization)},
    )


@require_POST
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number (查看完整证件号码), once, on request; each time recorded."""
    member = _get(request, pk)
    number = services.reveal_id_number(actor=request.user, member=member)
    return render(request, "members/_id_number.html", {"member": member, "number": number})


@require_POST
def member_delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = _get(request, pk)
    services.delete_member(actor=request.user, member=member)
    messages.success(request, f"已删除党员记录：{member.name}")
    return redirect("members:list")


def member_history(request: HttpRequest, pk: int) -> HttpResponse:
    """修改记录: who changed which field from what to what. ID numbers stay masked here."""
    member = _get(request, pk)
    return render(
        request,
        "core/history.html",
        {
            "object": member,
            "entries": history.entries(member, display=_history_value),
            "back": reverse("members:detail", args=[member.pk]),
            "lineage": tree.lineage(request.user, member.organization),
        },
    )


def _history_value(field: str, value: object) -> str:
    if field == "id_number" and isinstance(value, str) and value:
        return mask_id_number(value)
    return history.shown(Member, field, value)
