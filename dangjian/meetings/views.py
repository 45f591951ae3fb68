"""Pages of organizational life. Thin: parse a form, call a service or a read of ``compliance``,
show the Chinese message on the field it names."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import scope
from dangjian.core.dates import DateKind
from dangjian.core.errors import DomainError
from dangjian.core.forms import IdsField, StyledForm, date_field, posted_date
from dangjian.members.models import Member, PartyGroup
from dangjian.members.picker import MemberPicker, MembersPicker
from dangjian.orgs import tree
from dangjian.orgs.models import Organization

from . import attachments, checkin, compliance, lapses, rules, services
from .models import Attachment, Attendees, Meeting, MeetingKind, Presence

PER_PAGE = 50


def _reader(request: HttpRequest) -> scope.Acting:
    return scope.require_role(request.user, lambda role: role.reads_members, "查看组织生活")


def _organization(request: HttpRequest, pk: int) -> Organization:
    _reader(request)
    return scope.get_scoped_or_404(request.user, Organization.objects.filter(deleted_at__isnull=True), pk=pk)


def _year(request: HttpRequest, today: dt.date) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdecimal() and 2000 <= int(raw) <= today.year else today.year


def overview(request: HttpRequest) -> HttpResponse:
    """组织生活: the acting organization's own page (a branch) or its subtree's map (a committee)."""
    acting = _reader(request)
    organization = acting.organization
    if organization.holds_members and not organization.numchild:
        return redirect("meetings:branch", pk=organization.pk)
    return redirect("meetings:map", pk=organization.pk)


def branch(request: HttpRequest, pk: int) -> HttpResponse:
    """One organization's year: its meetings, the month cells, what is overdue and what comes next."""
    organization = _organization(request, pk)
    today = timezone.localdate()
    year = _year(request, today)
    as_of = rules.reading_day(year, today)
    standing = compliance.one(request.user, organization, year, as_of)
    month = request.GET.get("month", "")
    meetings = (
        Meeting.objects.filter(organization=organization, deleted_at__isnull=True, held_on__year=year)
        .prefetch_related("kinds")
        .select_related("party_group", "host")
    )
    if month.isdecimal() and 1 <= int(month) <= 12:
        meetings = meetings.filter(held_on__month=int(month))
    return render(
        request,
        "meetings/branch.html",
        {
            "organization": organization,
            "lineage": tree.lineage(request.user, organization),
            "year": year,
            "years": range(today.year, today.year - 5, -1),
            "as_of": as_of,
            "standing": standing,
            "month": int(month) if month.isdecimal() and 1 <= int(month) <= 12 else None,
            "meetings": meetings,
            "writes": scope.may_change(request.user, lambda role: role.writes_members, organization),
            "months": range(1, 13),
        },
    )


def heat_map(request: HttpRequest, pk: int) -> HttpResponse:
    """组织生活落实情况: every organization of the subtree × the months of the year, coloured, with the
    organizations that have something overdue ranked first below."""
    organization = _organization(request, pk)
    today = timezone.localdate()
    year = _year(request, today)
    as_of = rules.reading_day(year, today)
    rows = [r for r in compliance.year_of(request.user, organization, year, as_of) if r.duties]
    shown = request.GET.get("colour", "")
    totals = dict.fromkeys(rules.Colour, 0)
    for row in rows:
        totals[row.colour] += 1
    if shown in ("red", "yellow", "green"):
        rows = [r for r in rows if r.colour.css == shown]
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/heat_map.html",
        {
            "organization": organization,
            "lineage": tree.lineage(request.user, organization),
            "year": year,
            "years": range(today.year, today.year - 5, -1),
            "as_of": as_of,
            "page": page,
            "shown": shown,
            "totals": {c.css: n for c, n in totals.items()},
            "ranked": compliance.ranked_overdue(rows)[:20],
            "months": range(1, 13),
            "colours": [c for c in rules.Colour if c != rules.Colour.BLANK],
        },
    )


class MeetingForm(StyledForm):
    kinds = forms.ModelMultipleChoiceField(
        label="会议类型",
        queryset=MeetingKind.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text="一次会议可同时计为几类组织生活，如主题党日同时召开支部党员大会、上党课。",
    )
    held_on = date_field("召开日期", kind=DateKind.EVENT, required=True)
    starts_at = forms.TimeField(label="开始时间", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends_at = forms.TimeField(
        label="结束时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(label="地点", max_length=100)
    topic = forms.CharField(label="主题", max_length=200)
    party_group = forms.ModelChoiceField(
        label="党小组", queryset=PartyGroup.objects.none(), required=False, empty_label="请选择"
    )
    lecturer = forms.CharField(label="授课人", max_length=50, required=False)
    lecturer_post = forms.CharField(
        label="授课人职务", max_length=100, required=False, help_text="如“镇党委书记”“支部书记”“驻村第一书记”"
    )
    participants = IdsField(label="谈话对象", queryset=Member.objects.none(), required=False)
    host = forms.ModelChoiceField(label="主持人", queryset=Member.objects.none(), required=False)
    recorder = forms.ModelChoiceField(label="记录人", queryset=Member.objects.none(), required=False)
    content = forms.CharField(label="主要内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(label="议定事项", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, user: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = list(MeetingKind.objects.all())
        # The fields only some kinds need, and which: static/js/meetings.js shows each one when
        # such a kind is ticked (the service ignores them otherwise).
        needs = {
            "party_group": [k.code for k in kinds if k.attendees == Attendees.GROUP],
            "lecturer": [k.code for k in kinds if k.has_lecturer],
            "lecturer_post": [k.code for k in kinds if k.has_lecturer],
            "participants": [k.code for k in kinds if k.attendees == Attendees.CHOSEN],
        }
        self.kind_fields = ";".join(f"{name}:{','.join(codes)}" for name, codes in needs.items())
        roll = scope.scoped(user, Member.objects.filter(organization=organization))
        fields = self.fields
        groups = PartyGroup.objects.filter(organization=organization, dissolved_date__isnull=True)
        fields["party_group"].queryset = groups  # type: ignore[attr-defined]
        fields["participants"].queryset = scope.scoped(user, Member.objects.all())  # type: ignore[attr-defined]
        fields["participants"].widget = MembersPicker(within=organization)
        for name in ("host", "recorder"):
            fields[name].queryset = roll  # type: ignore[attr-defined]
            fields[name].widget = MemberPicker(within=organization)


def new(request: HttpRequest, pk: int) -> HttpResponse:
    """记录组织生活 of one organization: a form a phone can fill; attendance comes next."""
    organization = _organization(request, pk)
    scope.require_role(request.user, lambda role: role.writes_members, "记录组织生活")
    today = timezone.localdate()
    form = MeetingForm(request.POST or None, user=request.user, organization=organization, initial={"held_on": today})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["participants"] = list(data.get("participants") or [])
        try:
            meeting = services.record_meeting(actor=request.user, organization=organization, **data)
            messages.success(request, f"已记录“{meeting.topic}”，请登记出席情况")
            return redirect("meetings:attendance", pk=meeting.pk)
        except DomainError as error:
            form.add_domain_error(error)
    return render(
        request,
        "meetings/form.html",
        {"form": form, "organization": organization, "lineage": tree.lineage(request.user, organization)},
        status=400 if request.method == "POST" else 200,
    )


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    _reader(request)
    return scope.get_scoped_or_404(
        request.user,
        Meeting.objects.select_related("organization", "party_group", "host", "recorder", "created_by"),
        pk=pk,
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    rows = list(meeting.attendance.select_related("member"))
    expected = [r for r in rows if r.expected]
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "organization": meeting.organization,
            "lineage": tree.lineage(request.user, meeting.organization),
            "rows": rows,
            "expected": len(expected),
            "present": sum(1 for r in expected if r.presence == Presence.PRESENT),
            "leave": sum(1 for r in expected if r.presence == Presence.LEAVE),
            "guests": sum(1 for r in rows if not r.expected),
            "writes": scope.may_change(request.user, lambda role: role.writes_members, meeting),
            "attachments": list(meeting.attachments.all()),
        },
    )


@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = scope.get_scoped_or_404(request.user, Meeting.objects.all(), pk=pk)
    try:
        attachments.add_attachment(actor=request.user, meeting=meeting, upload=request.FILES.get("upload"))
        messages.success(request, "附件已上传")
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("meetings:detail", pk=meeting.pk)


def attachment_file(request: HttpRequest, pk: int, thumbnail: bool = False) -> FileResponse:
    """A photo or document, through the scope (media files are never served directly)."""
    _reader(request)
    found = scope.get_scoped_or_404(request.user, Attachment.objects.all(), pk=pk)
    stored = found.thumbnail if thumbnail and found.thumbnail else found.file
    inline = found.is_image
    response = FileResponse(stored.open("rb"), as_attachment=not inline, filename=found.file_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def attachment_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    return attachment_file(request, pk, thumbnail=True)


def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """登记出席情况: everyone on the list with 出席 / 请假 / 缺席 in one screen (a phone's)."""
    meeting = _meeting(request, pk)
    scope.require_role(request.user, lambda role: role.writes_members, "登记出席情况")
    rows = list(meeting.attendance.select_related("member"))
    errors: list[str] = []
    if request.method == "POST":
        marks = {}
        for row in rows:
            presence = request.POST.get(f"p{row.member_id}", row.presence)
            marks[row.member_id] = (presence, request.POST.get(f"r{row.member_id}", "")[:300])
        guests = []
        if raw := request.POST.get("guest", ""):
            guest = scope.scoped(request.user, Member.objects.filter(pk=raw if raw.isdecimal() else 0)).first()
            if guest is None:
                errors.append("列席人员不存在或不在您的管理范围内")
            else:
                guests.append((guest, request.POST.get("guest_reason", "")[:300]))
        if not errors:
            try:
                services.mark_attendance(actor=request.user, meeting=meeting, marks=marks, guests=guests)
                messages.success(request, "出席情况已保存")
                return redirect("meetings:detail", pk=meeting.pk)
            except DomainError as error:
                errors = [m for texts in error.errors.values() for m in texts]
        for row in rows:  # a refusal keeps what was ticked
            row.presence, row.reason = marks[row.member_id]
    guest_field = forms.ModelChoiceField(
        queryset=scope.scoped(request.user, Member.objects.all()),
        widget=MemberPicker(),
    )
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "organization": meeting.organization,
            "rows": rows,
            "presences": [p for p in Presence if p != Presence.UNMARKED],
            "errors": errors,
            "guest": guest_field.widget.render("guest", request.POST.get("guest", "")),
        },
        status=400 if errors else 200,
    )


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = scope.get_scoped_or_404(request.user, Meeting.objects.all(), pk=pk)
    try:
        services.delete_meeting(actor=request.user, meeting=meeting, reason=request.POST.get("reason", "")[:300])
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("meetings:detail", pk=meeting.pk)
    messages.success(request, "记录已删除")
    return redirect("meetings:branch", pk=meeting.organization_id)


def lapsed(request: HttpRequest, pk: int) -> HttpResponse:
    """连续六个月未参加组织生活的党员 of the subtree, with the meetings each missed."""
    organization = _organization(request, pk)
    today = timezone.localdate()
    try:
        as_of = posted_date(request.GET.get("as_of"), DateKind.EVENT, "统计日期")
    except DomainError as error:
        messages.error(request, str(error))
        as_of = today
    found = lapses.lapsed_members(request.user, organization, as_of)
    return render(
        request,
        "meetings/lapsed.html",
        {
            "organization": organization,
            "lineage": tree.lineage(request.user, organization),
            "as_of": as_of,
            "rows": found.rows,
            "window": found.window,
            "months": found.months,
        },
    )


def _recorded(request: HttpRequest, pk: int) -> Meeting:
    meeting = _meeting(request, pk)
    scope.require_role(request.user, lambda role: role.writes_members, "出示签到二维码")
    return meeting


def qr_code(request: HttpRequest, pk: int) -> HttpResponse:
    """签到二维码, shown on the meeting's screen during its time window."""
    meeting = _recorded(request, pk)
    opens, closes = checkin.window(meeting.held_on, meeting.starts_at, meeting.ends_at)
    return render(
        request,
        "meetings/qr.html",
        {
            "meeting": meeting,
            "organization": meeting.organization,
            "opens": opens,
            "closes": closes,
            "link": request.build_absolute_uri(checkin.path(meeting.pk)),
        },
    )


def qr_image(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _recorded(request, pk)
    image = checkin.svg(request.build_absolute_uri(checkin.path(meeting.pk)))
    response = HttpResponse(image, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def check_in(request: HttpRequest, token: str) -> HttpResponse:
    """The page a scanned code opens: who is checking in, to which meeting; one button."""
    meeting_id = checkin.meeting_of(token)
    meeting = Meeting.objects.filter(pk=meeting_id or 0, deleted_at__isnull=True).select_related("organization").first()
    problem, done = "", None
    if meeting is None:
        problem = "签到码无效或会议已删除"
    elif request.method == "POST":
        try:
            done = services.check_in(actor=request.user, meeting_id=meeting.pk)
        except DomainError as error:
            problem = str(error)
    return render(
        request,
        "meetings/check_in.html",
        {"meeting": meeting, "problem": problem, "done": done, "member": getattr(request.user, "member", None)},
        status=400 if problem and request.method == "POST" else 200,
    )
