"""/api/v1/meetings/ (组织生活): list with filters, detail with the attendance, record one, mark the
attendance (attendance/), and the compliance of a subtree for a year (compliance/). Thin: parse,
call a service or a read of ``compliance``, answer with the fresh object. People appear by id and
name only, and only those in the caller's scope (a guest from elsewhere shows without a name)."""

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.core import scope
from dangjian.core.api import InScope, PlausibleDate, RecordSerializer, ServiceViewSet
from dangjian.core.dates import DateKind
from dangjian.members.models import Member, PartyGroup
from dangjian.orgs.models import Organization

from . import compliance, rules, services
from .models import Attendance, Meeting, MeetingKind, Presence


class AttendanceSerializer(RecordSerializer):
    member_name = serializers.SerializerMethodField(help_text="姓名；不在您管理范围内的列席人员不显示")

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "standing", "expected", "presence", "reason", "checked_in_at"]
        read_only_fields = fields

    def get_member_name(self, row: Attendance) -> str | None:
        visible = self.context.get("visible")
        return row.member.name if visible is None or row.member_id in visible else None

    def to_representation(self, row: Attendance) -> dict[str, Any]:
        data = super().to_representation(row)
        visible = self.context.get("visible")
        if visible is not None and row.member_id not in visible:
            data["member"] = None
        return data


class MeetingSerializer(RecordSerializer):
    kinds: serializers.SlugRelatedField[MeetingKind] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="会议类型代码"
    )
    attendance = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organization",
            "party_group",
            "kinds",
            "held_on",
            "starts_at",
            "ends_at",
            "place",
            "topic",
            "host",
            "recorder",
            "lecturer",
            "lecturer_post",
            "content",
            "decisions",
            "minutes",
            "entered_on",
            "backfilled",
            "quorum_met",
            "counted",
            "attendance",
        ]
        read_only_fields = fields

    @extend_schema_field(AttendanceSerializer(many=True))
    def get_attendance(self, meeting: Meeting) -> list[dict[str, Any]]:
        if self.context.get("view") and self.context["view"].action == "list":
            return []  # on the detail; a list stays a few queries
        rows = list(meeting.attendance.select_related("member"))
        user = self.context["request"].user
        ids = [r.member_id for r in rows]
        visible = set(scope.scoped(user, Member.objects.filter(pk__in=ids)).values_list("pk", flat=True))
        return AttendanceSerializer(rows, many=True, context={**self.context, "visible": visible}).data  # type: ignore[return-value]


class MeetingInput(serializers.Serializer[Any]):
    organization = InScope(Organization, "党组织")
    kinds = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=MeetingKind.objects.all(),
        help_text="会议类型代码，可多个：general_assembly 支部党员大会、committee 支部委员会、group 党小组会、"
        "lecture 党课、theme_day 主题党日、life_meeting 组织生活会、review 民主评议党员、talk 谈心谈话、other 其他",
    )
    held_on = PlausibleDate(kind=DateKind.EVENT, help_text="召开日期（组织生活按召开日期计入当期）")
    starts_at = serializers.TimeField()
    ends_at = serializers.TimeField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=100)
    topic = serializers.CharField(max_length=200)
    party_group = InScope(PartyGroup, "党小组", required=False, allow_null=True, default=None)
    host = InScope(Member, "主持人", required=False, allow_null=True, default=None)
    recorder = InScope(Member, "记录人", required=False, allow_null=True, default=None)
    lecturer = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    lecturer_member = InScope(Member, "授课党员", required=False, allow_null=True, default=None)
    lecturer_post = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    content = serializers.CharField(max_length=services.LONG_LIMIT, required=False, allow_blank=True, default="")
    decisions = serializers.CharField(max_length=services.LONG_LIMIT, required=False, allow_blank=True, default="")
    minutes = serializers.CharField(max_length=services.LONG_LIMIT, required=False, allow_blank=True, default="")
    participants = InScope(Member, "谈话对象", many=True, required=False, default=list)


class MarkInput(serializers.Serializer[Any]):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    presence = serializers.ChoiceField(choices=[p for p in Presence.choices if p[0] != Presence.UNMARKED])
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GuestInput(serializers.Serializer[Any]):
    member = InScope(Member, "列席人员")
    reason = serializers.CharField(max_length=200)


class AttendanceInput(serializers.Serializer[Any]):
    marks = MarkInput(many=True, required=False, default=list)
    guests = GuestInput(many=True, required=False, default=list)


# 组织生活落实情况的颜色: green 已完成, yellow 临期或长期无组织生活, red 有逾期, blank 未到期或无要求.
COLOURS = [(c.css, c.label) for c in (rules.Colour.GREEN, rules.Colour.YELLOW, rules.Colour.RED, rules.Colour.BLANK)]
COMPLIANCE_ROW: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "organization": serializers.IntegerField(),
    "name": serializers.CharField(),
    "colour": serializers.ChoiceField(choices=COLOURS, help_text="本年度至今"),
    "months": serializers.ListField(child=serializers.ChoiceField(choices=COLOURS), help_text="1至12月"),
    "overdue": serializers.IntegerField(help_text="逾期未完成的项数"),
    "silent": serializers.BooleanField(help_text="30天以上没有组织生活"),
    "last_meeting": serializers.DateField(allow_null=True),
}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("organization", OpenApiTypes.INT, description="召开会议的党组织（含下级）"),
            OpenApiParameter("year", OpenApiTypes.INT, description="召开年度"),
            OpenApiParameter("kind", OpenApiTypes.STR, description="会议类型代码"),
        ]
    ),
    create=extend_schema(request=MeetingInput, responses={201: MeetingSerializer}),
)
class MeetingViewSet(ServiceViewSet):
    """组织生活 of the organizations in your subtree, counted by the day each was held. POST records
    one (its expected attendees come from the roll of that day); attendance/ marks who came."""

    queryset = Meeting.objects.prefetch_related("kinds").order_by("-held_on", "-starts_at", "-id")
    serializer_class = MeetingSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        rows = super().get_queryset()
        if self.action != "list":
            return rows
        params = self.request.query_params
        if raw := params.get("organization"):
            organization = self._organization(raw)
            rows = rows.filter(org_path__startswith=organization.path)
        if raw := params.get("year"):
            if not raw.isdecimal() or not 1921 <= int(raw) <= 2100:
                raise serializers.ValidationError({"year": ["年度应为1921至2100之间的整数"]})
            rows = rows.filter(held_on__year=int(raw))
        if kind := params.get("kind"):
            if not MeetingKind.objects.filter(code=kind).exists():
                raise serializers.ValidationError({"kind": [f"没有代码为“{kind[:30]}”的会议类型"]})
            rows = rows.filter(kinds__code=kind)
        return rows

    def _organization(self, raw: str) -> Organization:
        found = scope.scoped(
            self.request.user, Organization.objects.filter(pk=int(raw) if raw.isdecimal() and len(raw) < 19 else 0)
        ).first()
        if found is None:
            raise serializers.ValidationError({"organization": ["所选党组织不存在或不在您的管理范围内"]})
        return found

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = services.record_meeting(actor=request.user, **self.parse(request, MeetingInput))
        return self.respond(meeting, status.HTTP_201_CREATED)

    @extend_schema(summary="登记出席情况", request=AttendanceInput, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        """出席、请假（须填事由）或缺席；列席人员须说明原因。支部委员会会议到会委员过半数方计入。"""
        meeting = self.get_object()
        data = self.parse(request, AttendanceInput)
        marks = {m["member"]: (m["presence"], m["reason"]) for m in data["marks"]}
        guests = [(g["member"], g["reason"]) for g in data["guests"]]
        services.mark_attendance(actor=request.user, meeting=meeting, marks=marks, guests=guests)
        return self.respond(meeting)

    @extend_schema(
        summary="组织生活落实情况",
        parameters=[
            OpenApiParameter("organization", OpenApiTypes.INT, description="党组织（含下级），默认为当前身份所在组织"),
            OpenApiParameter("year", OpenApiTypes.INT, description="年度，默认本年（往年按全年统计）"),
        ],
        responses=inline_serializer("ComplianceRow", COMPLIANCE_ROW, many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def compliance(self, request: Request) -> Response:
        """每个党组织本年度至今的颜色、12个月每月的颜色和逾期项数（绿色已完成，黄色临期或30天以上没有组织生活，红色逾期）。"""
        acting = scope.require_role(request.user, lambda role: role.reads_members, "查看组织生活")
        raw = request.query_params.get("organization")
        organization = self._organization(raw) if raw else acting.organization
        today = timezone.localdate()
        raw_year = request.query_params.get("year", "")
        if raw_year and (not raw_year.isdecimal() or not 2000 <= int(raw_year) <= today.year):
            raise serializers.ValidationError({"year": [f"年度应为2000至{today.year}之间的整数"]})
        year = int(raw_year) if raw_year else today.year
        as_of = rules.reading_day(year, today)
        rows = compliance.year_of(request.user, organization, year, as_of)
        return Response(
            [
                {
                    "organization": row.organization.pk,
                    "name": row.organization.name,
                    "colour": row.colour.css,
                    "months": [cell.colour.css for cell in row.cells],
                    "overdue": len(row.overdue),
                    "silent": row.silent,
                    "last_meeting": row.last_meeting,
                }
                for row in rows
                if row.duties
            ]
        )
