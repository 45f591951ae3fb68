"""/api/v1/terms/ (committees and terms: list, start, end, appoint, relieve; ``?state=expiring``)
and /api/v1/structure/ (组织设置体检 of a subtree)."""

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.core import scope
from dangjian.core.api import InScope, PlausibleDate, RecordSerializer, ServiceViewSet
from dangjian.core.dates import DateKind, add_months
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, StructureThresholds

from . import rules, services
from .models import Officer, Position, Term
from .structure import structure_report


class OfficerSerializer(RecordSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    position_display = serializers.CharField(source="get_position_display", read_only=True)

    class Meta:
        model = Officer
        fields = ["id", "position", "position_display", "member", "member_name", "since", "until", "removal"]
        read_only_fields = fields


class TermSerializer(RecordSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    state = serializers.SerializerMethodField()
    officers = OfficerSerializer(many=True, read_only=True)

    class Meta:
        model = Term
        fields = [
            "id",
            "organization",
            "organization_name",
            "number",
            "start",
            "expected_end",
            "actual_end",
            "state",
            "note",
            "officers",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=rules.TERM_STATE_CHOICES))
    def get_state(self, term: Term) -> str:
        months = self.context["warning_months"]
        return rules.term_state(term.expected_end, term.actual_end, timezone.localdate(), months).value


class TermStartInput(serializers.Serializer[Any]):
    organization = InScope(Organization, "党组织")
    start = PlausibleDate(kind=DateKind.EVENT, help_text="任期开始（选举日期）")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TermEndInput(serializers.Serializer[Any]):
    date = PlausibleDate(kind=DateKind.EVENT, help_text="结束日期")


class AppointInput(serializers.Serializer[Any]):
    position = serializers.ChoiceField(choices=Position.choices)
    member = InScope(Member, "党员")
    since = PlausibleDate(kind=DateKind.EVENT, help_text="任职日期")


class RelieveInput(serializers.Serializer[Any]):
    officer = serializers.IntegerField(help_text="班子成员记录 id（officers[].id）")
    until = PlausibleDate(kind=DateKind.EVENT, help_text="离任日期")


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("state", OpenApiTypes.STR, enum=["expiring"], description="仅即将届满或已到期")]
    ),
    create=extend_schema(request=TermStartInput, responses={201: TermSerializer}),
)
class TermViewSet(ServiceViewSet):
    """届次与班子成员: the terms of your subtree; a new term (POST), its end, appointments and
    reliefs. ``?state=expiring``: open terms ending within the warning months, or overdue."""

    queryset = Term.objects.select_related("organization")
    serializer_class = TermSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        # The officers are people: read through their own scope, so a role that reads the
        # organizations but not their members (系统管理员) gets the terms without the names.
        officers = scope.scoped(self.request.user, Officer.objects.select_related("member"))
        terms = super().get_queryset().prefetch_related(Prefetch("officers", queryset=officers))
        terms = terms.order_by("organization__path", "-start")
        if self.request.query_params.get("state") == "expiring":
            months = StructureThresholds.current().term_warning_months
            terms = terms.filter(actual_end__isnull=True, expected_end__lte=add_months(timezone.localdate(), months))
        return terms

    def get_serializer_context(self) -> dict[str, Any]:
        return super().get_serializer_context() | {"warning_months": StructureThresholds.current().term_warning_months}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        term = services.start_term(actor=request.user, **self.parse(request, TermStartInput))
        return self.respond(term, status.HTTP_201_CREATED)

    @extend_schema(summary="结束届次", request=TermEndInput, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        term = self.get_object()
        services.end_term(actor=request.user, term=term, **self.parse(request, TermEndInput))
        return self.respond(term)

    @extend_schema(summary="任命班子成员", request=AppointInput, responses={201: TermSerializer})
    @action(detail=True, methods=["post"])
    def appoint(self, request: Request, pk: str) -> Response:
        term = self.get_object()
        services.appoint_officer(actor=request.user, term=term, **self.parse(request, AppointInput))
        return self.respond(term, status.HTTP_201_CREATED)

    @extend_schema(summary="免去班子成员职务", request=RelieveInput, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def relieve(self, request: Request, pk: str) -> Response:
        term = self.get_object()
        data = self.parse(request, RelieveInput)
        officer = self.one_of(term.officers.all(), "officer", data["officer"], "本届", "班子成员")
        services.relieve_officer(actor=request.user, officer=officer, until=data["until"])
        return self.respond(term)


class FindingSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    rule = serializers.CharField(help_text="所依据的规定")


class StructureReportSerializer(serializers.Serializer[Any]):
    organization = serializers.IntegerField(source="organization.pk")
    organization_name = serializers.CharField(source="organization.name")
    findings = FindingSerializer(many=True)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("organization", OpenApiTypes.INT, description="体检范围的组织 id，默认当前组织")],
        responses=StructureReportSerializer(many=True),
    )
)
class StructureReportViewSet(viewsets.GenericViewSet[Any]):
    """组织设置体检: every organization of a subtree that the structure rules flag, each finding
    with the rule it cites."""

    serializer_class = StructureReportSerializer
    queryset = Organization.objects.none()  # the report is computed, never listed from here

    @extend_schema(summary="班子配备情况")
    def list(self, request: Request) -> Response:
        acting = scope.require_role(request.user, lambda role: role.reads_organizations, "查看组织设置体检")
        root = acting.organization
        if wanted := request.query_params.get("organization"):
            if not wanted.isdigit():
                raise serializers.ValidationError({"organization": ["请填写组织 id（整数）"]})
            root = scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=int(wanted))
        reports = structure_report(request.user, root)
        page = self.paginate_queryset(reports)  # type: ignore[arg-type]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
