"""Pages of transfers (组织关系转接) and mobile members (流动党员). Thin: parse a form, call a
service, show its Chinese message on the field it names."""

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
from dangjian.core.enums import Education, Ethnicity
from dangjian.core.errors import DomainError
from dangjian.core.forms import StyledForm, date_field
from dangjian.members.models import Category, Member, Status
from dangjian.orgs.models import Organization

from . import letter, rules, services, services_mobile
from .models import OPEN_STATES, MobileMember, Transfer, TransferKind, TransferState

PER_PAGE = 50


def _reads(request: HttpRequest, what: str) -> None:
    scope.require_role(request.user, lambda role: role.reads_members, what)


def _writes(request: HttpRequest, what: str) -> None:
    scope.require_role(request.user, lambda role: role.writes_members, what)


def inbox(request: HttpRequest) -> HttpResponse:
    """组织关系转接待办: the acting organization's inboxes, one shown at a time."""
    _reads(request, "查看组织关系转接")
    name = request.GET.get("box", "approvals")
    if name not in services.BOXES:
        name = "approvals"
    rows = services.box(request.user, name).select_related("from_org", "to_org").order_by("valid_until", "-id")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    counts = services.inbox_counts(request.user)
    return render(
        request,
        "transfers/inbox.html",
        {
            "boxes": [(key, label, counts[key]) for key, label in services.BOXES.items()],
            "box": name,
            "page": page,
            "today": timezone.localdate(),
        },
    )


def all_transfers(request: HttpRequest) -> HttpResponse:
    """Every transfer either side of which is in the scope, newest first, optionally by state."""
    _reads(request, "查看组织关系转接")
    rows = scope.scoped(request.user, Transfer.objects.select_related("from_org", "to_org"))
    state = request.GET.get("state", "")
    if state in TransferState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "transfers/list.html", {"page": page, "states": TransferState.choices, "state": state})


class RequestForm(StyledForm):
    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none())
    to_org_code = forms.CharField(
        label="转入党组织代码（本系统内）", max_length=30, required=False, help_text="填写对方党组织的组织代码"
    )
    to_outside = forms.CharField(label="或：转入组织名称（系统外）", max_length=100, required=False)
    reason = forms.CharField(label="转接原因", max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        on_roll = [s for s in Status if s.is_on_roll]
        members = scope.scoped(user, Member.objects.filter(status__in=on_roll), to_write=True)
        self.fields["member"].queryset = members.exclude(transfers__state__in=OPEN_STATES)  # type: ignore[attr-defined]


def new(request: HttpRequest) -> HttpResponse:
    """发起组织关系转接."""
    _writes(request, "发起组织关系转接")
    form = RequestForm(request.POST or None, user=request.user, initial={"member": request.GET.get("member")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        to_org = None
        if code := data["to_org_code"].strip():
            to_org = Organization.objects.filter(code=code, deleted_at__isnull=True).first()
            if to_org is None:  # the answer the service gives an organization it may not name
                form.add_error("to_org_code", services.UNKNOWN_DESTINATION)
        if not form.errors:
            try:
                transfer = services.request_transfer(
                    actor=request.user,
                    member=data["member"],
                    to_org=to_org,
                    to_outside=data["to_outside"],
                    reason=data["reason"],
                )
                messages.success(request, f"已发起{transfer.member_name}的组织关系转接，待转出基层党委审批")
                return redirect("transfers:detail", pk=transfer.pk)
            except DomainError as error:
                form.add_domain_error(error)
    return render(request, "transfers/form.html", {"form": form, "title": "发起组织关系转接"})


class ActionForm(StyledForm):
    """The inputs any step may take; the service says which it needs."""

    reason = forms.CharField(label="意见或理由", max_length=500, required=False)
    date = date_field("日期", kind=DateKind.EVENT)
    valid_days = forms.IntegerField(label="有效期（天）", required=False, min_value=1)
    dues_paid_through = date_field("党费交至（该月任一日）", kind=DateKind.PLANNED)


ACTIONS = {
    "approve": ("审批通过", lambda u, t, d: services.approve_transfer(actor=u, transfer=t, reason=d["reason"])),
    "reject": (
        "不同意",
        lambda u, t, d: services.approve_transfer(actor=u, transfer=t, approve=False, reason=d["reason"]),
    ),
    "issue": (
        "开具介绍信",
        lambda u, t, d: services.issue_letter(
            actor=u, transfer=t, valid_days=d["valid_days"], dues_paid_through=d["dues_paid_through"], date=d["date"]
        ),
    ),
    "reissue": (
        "重新开具介绍信",
        lambda u, t, d: services.reissue_letter(
            actor=u,
            transfer=t,
            valid_days=d["valid_days"],
            dues_paid_through=d["dues_paid_through"],
            reason=d["reason"],
        ),
    ),
    "accept": ("接收", lambda u, t, d: services.accept_transfer(actor=u, transfer=t, date=d["date"])),
    "return": ("退回", lambda u, t, d: services.return_transfer(actor=u, transfer=t, reason=d["reason"])),
    "cancel": ("撤销", lambda u, t, d: services.cancel_transfer(actor=u, transfer=t, reason=d["reason"])),
    "receipt": ("登记回执", lambda u, t, d: services.record_receipt(actor=u, transfer=t, date=d["date"])),
}


def _offered(request: HttpRequest, transfer: Transfer) -> list[str]:
    """The steps to offer this user (the service decides; this only hides useless buttons)."""
    if not scope.role_allows(request.user, lambda role: role.writes_members):
        return []

    def side(*orgs: Organization | None) -> bool:
        return any(o is not None and scope.is_in_scope(request.user, o, to_write=True) for o in orgs)

    sending = side(transfer.sending_committee)
    receiving = side(transfer.receiving_committee)
    state = transfer.state
    offered = []
    if state == TransferState.REQUESTED and sending:
        offered += ["approve", "reject"]
    if state == TransferState.APPROVED and sending:
        offered += ["issue"]
    if state == TransferState.ISSUED:
        if sending:
            offered += ["reissue"]
            if transfer.kind == TransferKind.TO_OUTSIDE:
                offered += ["receipt"]
        if receiving and transfer.kind == TransferKind.INSIDE:
            offered += ["accept", "return"]
    if state == TransferState.ACCEPTED and transfer.receipt_date is None and (sending or receiving):
        offered += ["receipt"]
    if state in OPEN_STATES and sending:
        offered += ["cancel"]
    return offered


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = services.get_transfer(request.user, pk)
    today = timezone.localdate()
    form = ActionForm(
        initial={"date": today, "valid_days": services.default_valid_days(), "dues_paid_through": today.replace(day=1)}
    )
    return _detail(request, transfer, form)


def _detail(request: HttpRequest, transfer: Transfer, form: ActionForm, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    offered = _offered(request, transfer)
    return render(
        request,
        "transfers/detail.html",
        {
            "transfer": transfer,
            "steps": steps_for(transfer),
            "form": form,
            "actions": [(key, ACTIONS[key][0]) for key in offered],
            "expired": rules.letter_expired(transfer.valid_until, today) and transfer.state == TransferState.ISSUED,
            "receipt_overdue": rules.receipt_overdue(transfer.accepted_date, transfer.receipt_date, today),
        },
        status=status,
    )


@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = services.get_transfer(request.user, pk)
    form = ActionForm(request.POST)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        form.add_error(None, "请选择要办理的环节")
    if form.is_valid() and action in ACTIONS:
        label, operation = ACTIONS[action]
        try:
            operation(request.user, transfer, form.cleaned_data)
            messages.success(request, f"已{label}")
            return redirect("transfers:detail", pk=transfer.pk)
        except DomainError as error:
            form.add_domain_error(error)
    return _detail(request, services.get_transfer(request.user, pk), form, status=400)


def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """介绍信 (PDF, A4, 存根 / 介绍信 / 回执联)."""
    transfer = services.get_transfer(request.user, pk)
    try:
        body = letter.letter_for(request.user, transfer)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("transfers:detail", pk=transfer.pk)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{transfer.pk}.pdf"'
    return response


class ReceiptForm(StyledForm):
    letter_number = forms.CharField(label="介绍信编号（见回执联）", max_length=50)
    date = date_field("对方接收日期（回执所署日期）", kind=DateKind.EVENT, required=True)


def receipt(request: HttpRequest) -> HttpResponse:
    """登记回执 by the letter's number (the 回执联 that came back by post)."""
    _writes(request, "登记回执")
    form = ReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.record_receipt_by_number(actor=request.user, **form.cleaned_data)
            messages.success(request, f"已登记第{transfer.letter_number}号介绍信的回执")
            return redirect("transfers:detail", pk=transfer.pk)
        except DomainError as error:
            form.add_domain_error(error)
    return render(request, "transfers/form.html", {"form": form, "title": "登记回执"})


class IncomingForm(StyledForm):
    to_org = forms.ModelChoiceField(label="转入党组织", queryset=Organization.objects.none())
    from_outside = forms.CharField(label="介绍信开具组织", max_length=100)
    letter_number = forms.CharField(label="介绍信编号", max_length=50)
    issued_date = date_field("开具日期", kind=DateKind.EVENT, required=True)
    valid_days = forms.IntegerField(label="有效期（天）", min_value=1)
    dues_paid_through = date_field("党费交至（该月任一日）", kind=DateKind.PLANNED)
    date = date_field("接收日期", kind=DateKind.EVENT, required=True)
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    ethnicity = forms.ChoiceField(label="民族", choices=Ethnicity.choices, initial=Ethnicity.HAN)
    education = forms.ChoiceField(label="学历", choices=Education.choices)
    category = forms.ChoiceField(label="人员类别", choices=Category.choices)
    joined_date = date_field("入党日期", kind=DateKind.EVENT, required=True)
    regularized_date = date_field("转正日期", kind=DateKind.EVENT)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = scope.scoped(  # type: ignore[attr-defined]
            user, Organization.objects.filter(kind__in=["branch", "joint_branch", "temporary_branch"]), to_write=True
        )


def incoming(request: HttpRequest) -> HttpResponse:
    """登记系统外转入: the letter from outside and the member it introduces."""
    _writes(request, "登记系统外转入的组织关系")
    form = IncomingForm(request.POST or None, user=request.user, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.register_incoming(actor=request.user, **form.cleaned_data)
            messages.success(request, f"已接收{transfer.member_name}的组织关系")
            return redirect("transfers:detail", pk=transfer.pk)
        except DomainError as error:
            form.add_domain_error(error)
    return render(request, "transfers/form.html", {"form": form, "title": "登记系统外转入"})


# 流动党员


def mobile(request: HttpRequest) -> HttpResponse:
    """流动党员: out (relation here) or in (organizational life here), with the contact alerts."""
    _reads(request, "查看流动党员")
    side = "in" if request.GET.get("side") == "in" else "out"
    wanted = request.GET.get("alert", "")
    today = timezone.localdate()
    rows = []
    for record in services_mobile.mobile_list(request.user, side).order_by("last_contact_date", "pk"):
        alert = services_mobile.alert(record, today)
        if wanted and alert.value != wanted:
            continue
        due = bool(record.certificate_number) and rules.review_due(record.left_date, record.last_review_date, today)
        rows.append((record, alert, due))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "transfers/mobile_list.html", {"page": page, "side": side, "alert": wanted})


def mobile_summary(request: HttpRequest) -> HttpResponse:
    _reads(request, "查看流动党员")
    return render(request, "transfers/mobile_summary.html", {"rows": services_mobile.summary(request.user)})


class OutflowForm(StyledForm):
    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none())
    destination = forms.CharField(label="外出地点", max_length=100)
    reason = forms.CharField(label="外出原因", max_length=100)
    contact = forms.CharField(label="联系方式", max_length=100)
    expected_months = forms.IntegerField(label="预计外出时间（月）", min_value=1)
    left_date = date_field("外出日期", kind=DateKind.EVENT, required=True)
    certificate_number = forms.CharField(label="流动党员活动证编号", max_length=50, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = scope.scoped(user, Member.objects.filter(status=Status.NORMAL), to_write=True)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


def mobile_new(request: HttpRequest) -> HttpResponse:
    """登记流出."""
    _writes(request, "登记流动党员")
    form = OutflowForm(request.POST or None, user=request.user, initial={"member": request.GET.get("member")})
    if request.method == "POST" and form.is_valid():
        try:
            record = services_mobile.register_outflow(actor=request.user, **form.cleaned_data)
            messages.success(request, f"已登记{record.member.name}为流动党员")
            return redirect("transfers:mobile_detail", pk=record.pk)
        except DomainError as error:
            form.add_domain_error(error)
    return render(request, "transfers/form.html", {"form": form, "title": "登记流动党员（流出）"})


class InflowForm(StyledForm):
    organization = forms.ModelChoiceField(label="流入党组织", queryset=Organization.objects.none())
    certificate_number = forms.CharField(label="流动党员活动证编号", max_length=50)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = scope.scoped(user, Organization.objects.all(), to_write=True)  # type: ignore[attr-defined]


def mobile_inflow(request: HttpRequest) -> HttpResponse:
    """登记流入: by the certificate the member presents."""
    _writes(request, "登记流入党员")
    form = InflowForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            record = services_mobile.register_inflow(actor=request.user, **form.cleaned_data)
            messages.success(request, f"已登记{record.member.name}流入{record.inflow_org}")
            return redirect("transfers:mobile_detail", pk=record.pk)
        except DomainError as error:
            form.add_domain_error(error)
    return render(request, "transfers/form.html", {"form": form, "title": "登记流入党员"})


class MobileDateForm(StyledForm):
    date = date_field("日期", kind=DateKind.EVENT, required=True)


MOBILE_ACTIONS = {
    "contact": ("登记联系", services_mobile.record_contact),
    "review": ("年审活动证", services_mobile.review_certificate),
    "return": ("登记返回", services_mobile.record_return),
}


def mobile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = scope.get_scoped_or_404(
        request.user, MobileMember.objects.select_related("member", "outflow_org", "inflow_org"), pk=pk
    )
    # Bound on every POST, even one without fields, so that its errors can be added to it.
    form = MobileDateForm(request.POST if request.method == "POST" else None, initial={"date": timezone.localdate()})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in MOBILE_ACTIONS:
            form.add_error(None, "请选择要办理的事项")
        if form.is_valid() and action in MOBILE_ACTIONS:
            label, operation = MOBILE_ACTIONS[action]
            try:
                operation(actor=request.user, mobile=record, date=form.cleaned_data["date"])
                messages.success(request, f"已{label}")
                return redirect("transfers:mobile_detail", pk=record.pk)
            except DomainError as error:
                form.add_domain_error(error)
        status = 400
    may_write = record.returned_date is None and scope.may_change(
        request.user, lambda role: role.writes_members, record.member
    )
    return render(
        request,
        "transfers/mobile_detail.html",
        {
            "record": record,
            "form": form,
            "alert": services_mobile.alert(record),
            "actions": [(key, label) for key, (label, _) in MOBILE_ACTIONS.items()] if may_write else [],
        },
        status=status,
    )
