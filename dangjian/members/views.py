"""Pages of the member registry. Thin: look up through the scope, call a service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from dangjian.core import audit, history, scope
from dangjian.core.errors import DomainError
from dangjian.core.idnumber import mask_id_number, mask_phone
from dangjian.core.models import Event, Role
from dangjian.orgs import tree

from . import exports, services, timeline
from .access import may_reveal, role_reveals
from .filters import MemberFilter
from .forms import CorrectionForm, DecisionForm, MemberForm, StatusForm
from .models import CorrectionRequest, CorrectionStatus, Member, Status

PAGE_SIZE = 20
MAIN_FILTERS = ("q", "organization", "category", "status", "gender")


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
    sort = (filterset.form.cleaned_data.get("sort") if valid else "") or "org"
    context = {
        "filter": filterset,
        "page": page,
        # (number or "…", shown on wide screens only): a phone shows one neighbour each side, so the bar fits.
        "page_numbers": [
            (number, isinstance(number, int) and abs(number - page.number) == 2)
            for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ],
        "query": query.urlencode(),
        "kept": [(name, value) for name, values in query.lists() for value in values],  # the jump form's
        "headers": _headers(query, sort),
        "sort": sort,
        "may_write": _may_write(request),
        "main_filters": MAIN_FILTERS,
        "more_filters_used": any(
            request.GET.get(name) for name in filterset.form.fields if name not in (*MAIN_FILTERS, "sort")
        ),
        "may_export": scope.role_allows(request.user, lambda role: role.reads_members),
        "may_export_full": role_reveals(request.user),
        "pending_corrections": (
            scope.scoped(request.user, CorrectionRequest.objects.filter(status=CorrectionStatus.PENDING)).count()
            if _may_write(request)
            else 0
        ),
        "lineage": tree.lineage(request.user, organization) if organization else [],
    }
    template = "members/_member_rows.html" if request.headers.get("HX-Request") else "members/member_list.html"
    return render(request, template, context)


# The roster's columns; those people sort by carry the key of their order (filters.SORTS).
COLUMNS = (
    ("姓名", "name"),
    ("性别", ""),
    ("民族", ""),
    ("出生日期", "birth"),
    ("公民身份号码", ""),
    ("学历", ""),
    ("人员类别", ""),
    ("入党日期", "joined"),
    ("党籍状态", ""),
    ("所在党组织", "org"),
)


def _headers(query: QueryDict, sort: str) -> list[dict[str, str]]:
    """Each column header: its label and, for a sortable one, the link that sorts by it (again:
    the other way) and the arrow of the current order."""
    base = query.copy()
    base.pop("sort", None)
    headers = []
    for label, key in COLUMNS:
        header = {"label": label, "href": "", "arrow": "", "title": ""}
        if key:
            current = sort.removeprefix("-") == key
            descending = sort.startswith("-")
            wanted = f"-{key}" if current and not descending else key
            if wanted != "org":
                base["sort"] = wanted
            else:
                base.pop("sort", None)
            header["href"] = f"?{base.urlencode()}"
            header["arrow"] = ("↓" if descending else "↑") if current else ""
            header["title"] = f"按{label}{'倒序' if wanted.startswith('-') else '顺序'}排列"
        headers.append(header)
    return headers


def member_export(request: HttpRequest) -> HttpResponse:
    """The roster's current search as .xlsx: ``layout=roster`` for the printed 党员花名册, otherwise
    the list in the import template's columns. ``full=1`` asks for unmasked numbers (roles the
    security settings allow). Every export goes into the security trail."""
    scope.require_role(request.user, lambda role: role.reads_members, "导出党员信息")
    members = scope.scoped(request.user, Member.objects.all())
    filterset = MemberFilter(request.GET, queryset=members, request=request)
    if not filterset.is_valid():
        problems = "；".join(str(m) for messages_ in filterset.errors.values() for m in messages_)
        return HttpResponseBadRequest(f"筛选条件有误：{problems}", content_type="text/plain; charset=utf-8")
    unmasked = request.GET.get("full") == "1"
    if unmasked and not role_reveals(request.user):
        raise PermissionDenied("您当前的角色无权导出完整证件号码和联系电话")
    acting = scope.acting(request.user)
    assert acting is not None  # require_role passed
    organization = filterset.form.cleaned_data.get("organization") or acting.organization
    today = timezone.localdate()
    roster = request.GET.get("layout") == "roster"
    # The file says what it holds: a copy with the full numbers is not mistaken for a masked one.
    what = "党员花名册" if roster else "党员信息"
    full = "（含完整号码）" if unmasked else ""
    filename = f"{organization.display_name}{what}{full}-{today:%Y%m%d}.xlsx"
    if roster:
        response = exports.roster_workbook(
            filterset.qs, title=f"{organization.name}党员花名册", as_of=today, unmasked=unmasked, filename=filename
        )
    else:
        response = exports.members_workbook(filterset.qs, unmasked=unmasked, filename=filename)
    filters = {k: v for k, v in request.GET.items() if k not in ("page",) and v}
    audit.record(
        Event.EXPORT,
        actor=request.user,
        target=organization,
        details={
            "what": what,
            "rows": response.rows,
            "filters": filters,
            "unmasked": unmasked,
        },
    )
    return response


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _get(request, pk)
    own = member.user_id is not None and member.user_id == request.user.pk
    away = member.status == Status.TRANSFERRED_OUT  # unchanged until the person comes back
    may_write = _may_write(request) and not away
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "may_reveal": may_reveal(request.user, member),
            "own": own and not away,
            "away": away,
            "periods": member.periods.select_related("organization").order_by("-start"),
            "timeline": timeline.entries(member),
            "lineage": tree.lineage(request.user, member.organization),
            "may_write": may_write,
            "status_form": StatusForm() if may_write else None,
            "corrections": member.corrections.select_related("decided_by")[:10] if own or may_write else [],
        },
    )


@require_POST
def member_status(request: HttpRequest, pk: int) -> HttpResponse:
    """变更党籍状态 with its date (the form sits on the member's page)."""
    member = _get(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            member = services.change_status(
                actor=request.user,
                member=member,
                status=data["status"],
                date=data["date"],
                reason=data["reason"],
                left_reason=data["left_reason"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"{member.name}的党籍状态已变更为{member.get_status_display()}")
            return redirect("members:detail", pk=member.pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))
    return redirect("members:detail", pk=member.pk)


@sensitive_post_parameters("phone")
def correction_new(request: HttpRequest, pk: int) -> HttpResponse:
    """信息更正申请: the member asks the branch to correct their own record."""
    member = _get(request, pk)
    if member.user_id is None or member.user_id != request.user.pk:
        raise PermissionDenied("只能为本人的党员信息申请更正")
    form = CorrectionForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_correction(
                actor=request.user, member=member, changes=form.changes(), reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "更正申请已提交，支部处理后会在此显示结果")
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/correction_form.html", {"form": form, "member": member})


def corrections(request: HttpRequest) -> HttpResponse:
    """待处理的信息更正申请 of the members in scope (the administrators' inbox)."""
    if not _may_write(request):
        raise PermissionDenied("您当前的角色无权处理信息更正申请")
    pending = scope.scoped(
        request.user, CorrectionRequest.objects.filter(status=CorrectionStatus.PENDING)
    ).select_related("member", "member__organization")
    page = Paginator(pending.order_by("created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(correction, services.correction_labels(correction.changes)) for correction in page]
    return render(request, "members/corrections.html", {"page": page, "rows": rows})


def correction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    correction = scope.get_scoped_or_404(
        request.user, CorrectionRequest.objects.select_related("member", "member__organization"), pk=pk
    )
    if not _may_write(request):
        raise PermissionDenied("您当前的角色无权处理信息更正申请")
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.decide_correction(
                actor=request.user, request=correction, accept=accept, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "已采纳，党员信息已更正" if accept else "已不予采纳")
            return redirect("members:corrections")
    member = correction.member
    rows = [
        (label, _shown(member, field), _shown_value(member, field, correction.changes[field]))
        for field, label in services.CORRECTABLE.items()
        if field in correction.changes
    ]
    return render(request, "members/correction_decide.html", {"form": form, "correction": correction, "rows": rows})


def _shown(member: Member, field: str) -> str:
    if field == "phone":
        return member.masked_phone or "—"
    return history.shown(Member, field, getattr(member, field))


def _shown_value(member: Member, field: str, value: str) -> str:
    return mask_phone(value) if field == "phone" else history.shown(Member, field, value)


@sensitive_post_parameters("id_number", "phone")
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


@sensitive_post_parameters("id_number", "phone")
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _get(request, pk)
    if not _may_write(request):
        raise PermissionDenied("您当前的角色无权修改党员信息")
    form = MemberForm(
        request.POST or None,
        request=request,
        creating=False,
        member=member,
        initial=MemberForm.initial_from(member),
    )
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
    numbers = services.reveal_numbers(actor=request.user, member=member)
    return render(request, "members/_id_number.html", {"member": member, "numbers": numbers})


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
