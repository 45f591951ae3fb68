"""Pages of transfers (组织关系转接) and mobile members (流动党员). Thin: parse a form, call a
service, show its Chinese message on the field it names."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
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
from dangjian.members.picker import MemberPicker
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization
from dangjian.orgs.widgets import OrganizationPicker

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
    counts = services.inbox_counts(request.user)
    name = request.GET.get("box", "")
    if name not in services.BOXES:  # opened without a tab: the first that has work in it
        name = next((key for key in services.BOXES if counts[key]), next(iter(services.BOXES)))
    rows = services.box(request.user, name).select_related("from_org", "to_org").order_by("valid_until", "-id")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
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
    context = {"page": page, "states": TransferState.choices, "state": state, "today": timezone.localdate()}
    return render(request, "transfers/list.html", context)


def receiving_organizations() -> QuerySet[Organization]:
    """Where a member may be transferred to: any organization of the tree that receives members."""
    holders = Q(kind__in=BRANCH_LEVEL_KINDS) | Q(holds_members_directly=True)
    return Organization.objects.filter(holders, deleted_at__isnull=True, abolished_date__isnull=True)


class RequestForm(StyledForm):
    member = forms.ModelChoiceField(
        label="党员",
        queryset=Member.objects.none(),
        widget=MemberPicker(),
        error_messages={"invalid_choice": "所选党员不在您的管理范围内，或已有未办结的组织关系转接"},
    )
    # Found by name or code anywhere in the tree (names and codes only); the service judges it.
    to_org = forms.ModelChoiceField(
        label="转入党组织（本系统内）",
        queryset=receiving_organizations(),
        required=False,
        widget=OrganizationPicker(anywhere=True),
        help_text="输入对方党组织名称或组织代码查找",
        error_messages={"invalid_choice": services.UNKNOWN_DESTINATION},
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
        try:
            transfer = services.request_transfer(
                actor=request.user,
                member=data["member"],
                to_org=data["to_org"],
                to_outside=data["to_outside"],
                reason=data["reason"],
            )
            messages.success(request, f"已发起{transfer.member_name}的组织关系转接，待转出基层党委审批")
            return redirect("transfers:detail", pk=transfer.pk)
        except DomainError as error:
            form.add_domain_error(error)
    return render(request, "transfers/form.html", {"form": form, "title": "发起组织关系转接"})


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m")


def _dues_field() -> forms.DateField:
    field = date_field("党费交至", kind=DateKind.PLANNED, required=True, help_text="党员已交纳党费的最后一个月")
    field.widget = MonthInput()
    field.input_formats = ["%Y-%m", *(field.input_formats or []), "%Y年%m月"]
    field.error_messages["required"] = "请填写党费交至的月份"
    field.error_messages["invalid"] = "党费交至月份格式不正确，请按 2025-08 填写"
    return field


def _date_field(label: str) -> forms.DateField:
    field = date_field(label, kind=DateKind.EVENT, required=True)
    field.error_messages["required"] = f"请填写{label}"
    return field


def _reason_field(label: str, required: str = "") -> forms.CharField:
    """The reason a step takes; ``required``: the message when it must be given and is not."""
    if not required:
        return forms.CharField(label=label, max_length=500, required=False)
    return forms.CharField(label=label, max_length=500, error_messages={"required": required})


def _valid_days_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="有效期（天）",
        min_value=1,
        help_text="视路程远近而定，一般不超过3个月",
        error_messages={"required": "请填写介绍信有效期（天）"},
    )


class ApproveForm(StyledForm):
    reason = _reason_field("审批意见")


class RejectForm(StyledForm):
    reason = _reason_field("不同意的理由", "不同意时请写明理由")


class IssueForm(StyledForm):
    date = _date_field("开具日期")
    valid_days = _valid_days_field()
    dues_paid_through = _dues_field()


class ReissueForm(StyledForm):
    valid_days = _valid_days_field()
    dues_paid_through = _dues_field()
    reason = _reason_field("重新开具的原因", "请写明重新开具的原因（介绍信过期或遗失的情况）")


class AcceptForm(StyledForm):
    date = _date_field("接收日期")


class ReturnForm(StyledForm):
    reason = _reason_field("退回理由", "退回时请写明理由，转出方会看到")


class CancelForm(StyledForm):
    reason = _reason_field("撤销原因", "请写明撤销的原因")


class ReceiptActionForm(StyledForm):
    date = _date_field("回执日期")

    def __init__(self, *args: Any, transfer: Transfer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if transfer.kind == TransferKind.TO_OUTSIDE:  # the receipt is the proof of the other side's acceptance
            self.fields["date"].label = "对方接收日期（回执所署日期）"
            self.fields["date"].error_messages["required"] = "请填写对方接收日期（回执所署日期）"


Operation = Callable[[Any, Transfer, dict[str, Any]], Transfer]


@dataclass(frozen=True)
class Action:
    """One step of a transfer's page: its button, the form of the fields it takes (and only those),
    the service it calls; a secondary one (a refusal, a withdrawal, a new letter) is folded away
    until opened."""

    label: str
    form: type[StyledForm]
    operation: Operation
    secondary: bool = False
    danger: bool = False  # it ends the transfer or turns it down
    done: str = ""  # what the page says once it is done, if not 已 and the label

    @property
    def done_message(self) -> str:
        return self.done or f"已{self.label}"


ACTIONS = {
    "approve": Action(
        "审批通过", ApproveForm, lambda u, t, d: services.approve_transfer(actor=u, transfer=t, reason=d["reason"])
    ),
    "reject": Action(
        "不同意",
        RejectForm,
        lambda u, t, d: services.approve_transfer(actor=u, transfer=t, approve=False, reason=d["reason"]),
        secondary=True,
        danger=True,
        done="已审批：不同意转接",
    ),
    "issue": Action(
        "开具介绍信",
        IssueForm,
        lambda u, t, d: services.issue_letter(
            actor=u, transfer=t, valid_days=d["valid_days"], dues_paid_through=d["dues_paid_through"], date=d["date"]
        ),
    ),
    "reissue": Action(
        "重新开具介绍信",
        ReissueForm,
        lambda u, t, d: services.reissue_letter(
            actor=u,
            transfer=t,
            valid_days=d["valid_days"],
            dues_paid_through=d["dues_paid_through"],
            reason=d["reason"],
        ),
        secondary=True,
    ),
    "accept": Action("接收", AcceptForm, lambda u, t, d: services.accept_transfer(actor=u, transfer=t, date=d["date"])),
    "return": Action(
        "退回",
        ReturnForm,
        lambda u, t, d: services.return_transfer(actor=u, transfer=t, reason=d["reason"]),
        secondary=True,
        danger=True,
    ),
    "cancel": Action(
        "撤销转接",
        CancelForm,
        lambda u, t, d: services.cancel_transfer(actor=u, transfer=t, reason=d["reason"]),
        secondary=True,
        danger=True,
    ),
    "receipt": Action(
        "登记回执", ReceiptActionForm, lambda u, t, d: services.record_receipt(actor=u, transfer=t, date=d["date"])
    ),
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
        if receiving and transfer.kind == TransferKind.INSIDE:
            offered += ["accept", "return"]
        if sending:
            if transfer.kind == TransferKind.TO_OUTSIDE:
                offered += ["receipt"]
            offered += ["reissue"]
    if state == TransferState.ACCEPTED and transfer.receipt_date is None and (sending or receiving):
        offered += ["receipt"]
    if state in OPEN_STATES and sending:
        offered += ["cancel"]
    return offered


def _action_form(key: str, transfer: Transfer, data: Any = None) -> StyledForm:
    """The form of one step, with the ids of its fields its own (several steps share a page)."""
    form_class = ACTIONS[key].form
    kwargs: dict[str, Any] = {"auto_id": f"id_{key}_%s"}
    if form_class is ReceiptActionForm:
        kwargs["transfer"] = transfer
    if data is None:
        today = timezone.localdate()
        kwargs["initial"] = {
            "date": today,
            "valid_days": transfer.valid_days or services.default_valid_days(),
            "dues_paid_through": transfer.dues_paid_through or today.replace(day=1),
        }
    form = form_class(data, **kwargs)
    if "dues_paid_through" in form.fields:
        _dues_from_ledger(form, transfer)
    return form


NO_LEDGER = "该党员的党费未在本系统记账，请按纸质台账填写"


def _dues_from_ledger(form: StyledForm, transfer: Transfer) -> None:
    """党费交至 on the letter: the dues ledger's month, shown and not typed, for a member whose dues
    are kept here (the service takes it from the ledger whatever is posted); typed from the paper
    ledger for the others, and the form says so."""
    field = form.fields["dues_paid_through"]
    month = services.ledger_dues_month(transfer)
    if month is None:
        field.help_text = f"{NO_LEDGER}（党员已交纳党费的最后一个月）"
        return
    field.disabled, field.required, field.initial = True, False, month
    form.initial["dues_paid_through"] = month
    field.help_text = f"按本系统党费账：已交至{month.year}年{month.month}月，不需填写"


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, services.get_transfer(request.user, pk))


def _detail(
    request: HttpRequest, transfer: Transfer, failed: tuple[str, StyledForm] | None = None, status: int = 200
) -> HttpResponse:
    """The page of a transfer, with a form for each step offered; ``failed``: the step refused,
    shown open with what was typed and why."""
    today = timezone.localdate()
    steps = []
    for key in _offered(request, transfer):
        action = ACTIONS[key]
        form = failed[1] if failed and failed[0] == key else _action_form(key, transfer)
        steps.append({"key": key, "action": action, "form": form, "open": bool(failed and failed[0] == key)})
    if failed and failed[0] not in [step["key"] for step in steps]:  # a step no longer offered: say why
        messages.error(request, " ".join(str(e) for errors in failed[1].errors.values() for e in errors))
    printable = bool(transfer.letter_number) and transfer.kind != TransferKind.FROM_OUTSIDE
    sender = letter.sender_of(transfer)
    # The sending side is told, before it prints, what the letter would leave blank.
    sending_side = any(o is not None and scope.is_in_scope(request.user, o) for o in (sender, transfer.from_org))
    letter_due = printable or transfer.state == TransferState.APPROVED
    missing = letter.missing_contact(transfer) if letter_due and sending_side else []
    return render(
        request,
        "transfers/detail.html",
        {
            "transfer": transfer,
            "steps": steps_for(transfer),
            "actions": steps,
            "printable": printable,
            "sender": sender,
            "missing_contact": missing,
            "may_complete_profile": bool(
                missing and sender and scope.may_change(request.user, lambda role: role.writes_organizations, sender)
            ),
            "expired": rules.letter_expired(transfer.valid_until, today) and transfer.state == TransferState.ISSUED,
            "receipt_overdue": rules.receipt_overdue(transfer.accepted_date, transfer.receipt_date, today),
        },
        status=status,
    )


@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = services.get_transfer(request.user, pk)
    key = request.POST.get("action", "")
    if key not in ACTIONS:
        messages.error(request, "请选择要办理的环节")
        return _detail(request, transfer, status=400)
    action = ACTIONS[key]
    form = _action_form(key, transfer, request.POST)
    if form.is_valid():
        try:
            action.operation(request.user, transfer, form.cleaned_data)
            messages.success(request, action.done_message)
            return redirect("transfers:detail", pk=transfer.pk)
        except DomainError as error:
            form.add_domain_error(error)
    return _detail(request, services.get_transfer(request.user, pk), (key, form), status=400)


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
    to_org = forms.ModelChoiceField(
        label="转入党组织", queryset=Organization.objects.none(), widget=OrganizationPicker(holders_only=True)
    )
    from_outside = forms.CharField(label="介绍信开具组织", max_length=100)
    letter_number = forms.CharField(label="介绍信编号", max_length=50)
    issued_date = date_field("开具日期", kind=DateKind.EVENT, required=True)
    valid_days = forms.IntegerField(label="有效期（天）", min_value=1)
    dues_paid_through = date_field("党费交至（该月任一日）", kind=DateKind.PLANNED)
    date = date_field("接收日期", kind=DateKind.EVENT, required=True)
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    ethnicity = forms.ChoiceField(label="民族", choices=Ethnicity.choices, initial=Ethnicity.HAN)
    # No silent first choice: the letter says which, the clerk chooses it.
    education = forms.ChoiceField(label="学历", choices=[("", "请选择"), *Education.choices])
    category = forms.ChoiceField(label="人员类别", choices=[("", "请选择"), *Category.choices])
    joined_date = date_field("入党日期", kind=DateKind.EVENT, required=True)
    regularized_date = date_field("转正日期", kind=DateKind.EVENT)
    job = forms.CharField(label="工作单位及职务", max_length=100, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)

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
            return redirect("members:detail", pk=transfer.member_id)
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
    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none(), widget=MemberPicker())
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
    organization = forms.ModelChoiceField(
        label="流入党组织", queryset=Organization.objects.none(), widget=OrganizationPicker(holders_only=True)
    )
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
