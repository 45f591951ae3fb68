"""/api/v1/members/: thin, every write goes through members.services."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.core.api import OptionalChoice, PlausibleDate, RecordSerializer, ServiceViewSet, date_parameter
from dangjian.core.dates import DateKind
from dangjian.core.enums import Degree, Education, Ethnicity, Gender, Occupation
from dangjian.orgs.filters import scoped_organizations
from dangjian.orgs.models import Organization

from . import rules, services
from .filters import MemberFilter
from .models import DIRECT_STATUS_CHOICES, Category, LeftReason, Member, Status


class MemberSerializer(RecordSerializer):
    id_number = serializers.CharField(
        source="masked_id_number", read_only=True, help_text="公民身份号码，脱敏；完整号码见 reveal（记入安全审计）"
    )
    phone = serializers.CharField(source="masked_phone", read_only=True, help_text="联系电话，脱敏；完整号码见 reveal")
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            *services.EDITABLE_FIELDS,
            *services.STATUS_FIELDS,
            "name_pinyin",
            "organization",
            "organization_name",
            "party_group",
        ]
        read_only_fields = fields


class StatusChangeSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=DIRECT_STATUS_CHOICES)
    date = PlausibleDate(kind=DateKind.EVENT, help_text="变更日期")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    left_reason = OptionalChoice(
        choices=LeftReason.choices, required=False, default="", help_text="出党方式（出党时必填）"
    )


class MemberWriteSerializer(serializers.Serializer[Member]):
    """Input for create and update; the service checks the rules and answers in Chinese."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none(), required=False)
    since = PlausibleDate(kind=DateKind.EVENT, required=False, help_text="到本组织日期（登记时，默认入党日期）")
    name = serializers.CharField(max_length=50, required=False)
    id_number = serializers.CharField(max_length=18, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, help_text="留空则取自身份证号")
    birth_date = PlausibleDate(kind=DateKind.BIRTH, required=False, help_text="留空则取自身份证号")
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)
    native_place = serializers.CharField(max_length=50, required=False, allow_blank=True)
    education = serializers.ChoiceField(choices=Education.choices, required=False)
    degree = OptionalChoice(choices=Degree.choices, required=False)
    occupation = OptionalChoice(choices=Occupation.choices, required=False)
    job = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    joined_date = PlausibleDate(kind=DateKind.EVENT, required=False)
    regularized_date = PlausibleDate(kind=DateKind.EVENT, required=False, allow_null=True)
    is_central_household = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False, help_text="登记时；之后用 status 操作变更")
    status_date = PlausibleDate(kind=DateKind.EVENT, required=False, help_text="登记时党籍状态不是正常的，填写其日期")
    status_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    left_reason = OptionalChoice(choices=LeftReason.choices, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = scoped_organizations(self.context.get("request"))  # type: ignore[attr-defined]
        field.error_messages["does_not_exist"] = "所选党组织不存在或不在您的管理范围内"


def _count_rows(name: str, choices: Any) -> Any:
    return inline_serializer(
        name,
        {
            "code": serializers.ChoiceField(choices=choices, help_text="代码，与党员记录和筛选条件中的代码相同"),
            "label": serializers.CharField(help_text="名称"),
            "count": serializers.IntegerField(),
        },
        many=True,
    )


SummarySerializer = inline_serializer(
    "MemberSummary",
    {
        "as_of": serializers.DateField(help_text="年龄计算日期"),
        "total": serializers.IntegerField(help_text="在册党员数"),
        "by_category": _count_rows("CategoryCount", Category.choices),
        "by_gender": _count_rows("GenderCount", Gender.choices),
        "by_education": _count_rows("EducationCount", Education.choices),
        "by_age_band": _count_rows("AgeBandCount", rules.AGE_BAND_CHOICES),
        "minority": serializers.IntegerField(help_text="少数民族党员数"),
    },
)


@extend_schema_view(
    create=extend_schema(request=MemberWriteSerializer, responses={201: MemberSerializer}),
    partial_update=extend_schema(request=MemberWriteSerializer, responses=MemberSerializer),
)
class MemberViewSet(ServiceViewSet):
    """党员: list (ID numbers masked), read, register, correct and delete (soft) in your scope."""

    queryset = Member.objects.select_related("organization")
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    write_serializer_class = MemberWriteSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.parse(request)
        if "organization" not in data:
            raise serializers.ValidationError({"organization": ["请指定所在党组织"]})
        member = services.create_member(actor=request.user, **data)
        return self.respond(member, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.get_object()
        data = self.parse(request)
        if "organization" in data or "since" in data:
            raise serializers.ValidationError({"organization": ["调整所在党组织请办理组织关系转接，不能在此修改"]})
        if status_fields := [name for name in services.STATUS_FIELDS if name in data]:
            raise serializers.ValidationError(
                {name: ["党籍状态请用 status 操作变更（需填写日期）"] for name in status_fields}
            )
        services.update_member(actor=request.user, member=member, **data)
        return self.respond(member)

    @extend_schema(summary="变更党籍状态", request=StatusChangeSerializer, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        """变更党籍状态 on a date; the status history keeps every change."""
        member = self.get_object()
        data = self.parse(request, StatusChangeSerializer)
        services.change_status(actor=request.user, member=member, **data)
        return self.respond(member)

    def perform_destroy(self, instance: Member) -> None:
        services.delete_member(actor=self.request.user, member=instance)

    @extend_schema(
        summary="查看完整身份证号码和电话（记入安全审计）",
        request=None,
        responses=inline_serializer(
            "RevealedNumbers", {"id_number": serializers.CharField(), "phone": serializers.CharField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full ID and phone numbers, for a role allowed to see them; every call goes into
        the security trail."""
        member = self.get_object()
        return Response(services.reveal_numbers(actor=request.user, member=member))

    @extend_schema(
        summary="党员统计概况",
        parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, description="年龄计算日期，默认今天")],
        responses=SummarySerializer,
    )
    @action(detail=False)
    def summary(self, request: Request) -> Response:
        """Counts of the (filtered) members in scope, for the dashboard's charts."""
        as_of = self._as_of(request)
        members = self.filter_queryset(self.get_queryset()).filter(status__in=services.ON_ROLL)
        bands = rules.age_band_birth_ranges(as_of)
        majority = [e for e in Ethnicity if not e.is_minority]
        aggregates: dict[str, Any] = {"total": Count("pk"), "minority": Count("pk", filter=~Q(ethnicity__in=majority))}
        for index, band in enumerate(bands):
            condition = Q()
            if band.after:
                condition &= Q(birth_date__gt=band.after)
            if band.until:
                condition &= Q(birth_date__lte=band.until)
            aggregates[f"band{index}"] = Count("pk", filter=condition)
        counts = members.aggregate(**aggregates)
        return Response(
            {
                "as_of": as_of,
                "total": counts["total"],
                "by_category": _count_by(members, "category", Category),
                "by_gender": _count_by(members, "gender", Gender),
                "by_education": _count_by(members, "education", Education),
                "by_age_band": [
                    {"code": code, "label": label, "count": counts[f"band{code}"]}
                    for code, label in rules.AGE_BAND_CHOICES
                ],
                "minority": counts["minority"],
            }
        )

    def _as_of(self, request: Request) -> dt.date:
        return date_parameter(request, "as_of") or timezone.localdate()


def _count_by(members: QuerySet[Member], field: str, choices: Any) -> list[dict[str, Any]]:
    """A row per choice (code, label, count) in the choices' order, zeros included so charts keep
    their categories."""
    found = dict(members.order_by().values_list(field).annotate(n=Count("pk")))
    return [{"code": choice.value, "label": choice.label, "count": found.get(choice.value, 0)} for choice in choices]
