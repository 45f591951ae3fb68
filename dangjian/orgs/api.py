"""/api/v1/organizations/: thin, every write goes through orgs.services."""

from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.core import scope
from dangjian.core.api import InScope, OptionalChoice, PlausibleDate, RecordSerializer, ServiceViewSet
from dangjian.core.dates import DateKind

from . import services
from .filters import OrganizationFilter, scoped_organizations
from .models import CoManagement, CoManagementKind, CoveredUnit, Organization, OrgKind, SetupMode, UnitCategory


class CoveredUnitSerializer(RecordSerializer):
    class Meta:
        model = CoveredUnit
        fields = ["id", "name", "unit_category"]
        read_only_fields = fields


class CoManagerSerializer(RecordSerializer):
    co_manager_name = serializers.CharField(source="co_manager.name", read_only=True)

    class Meta:
        model = CoManagement
        fields = ["id", "co_manager", "co_manager_name", "kind", "since"]
        read_only_fields = fields


class OrganizationSerializer(RecordSerializer):
    # DRF's stubs also use the name "parent" (Field.parent); as a declared field it works.
    parent = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text="上级组织 id；上级不在您的范围内时为 null"
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit_category_display = serializers.CharField(source="get_unit_category_display", read_only=True)
    covered_units = CoveredUnitSerializer(many=True, read_only=True, help_text="覆盖单位（联合党支部）")
    co_managed_by = CoManagerSerializer(
        source="current_co_managers", many=True, read_only=True, help_text="现行的共管关系（由谁属地共管、双向共管）"
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "parent",
            "name",
            "short_name",
            "code",
            "kind",
            "kind_display",
            "unit_category",
            "unit_category_display",
            "setup_mode",
            "setup_approval",
            "holds_members_directly",
            "address",
            "contact_person",
            "contact_phone",
            "founded_date",
            "abolished_date",
            "depth",
            "covered_units",
            "co_managed_by",
        ]
        read_only_fields = fields

    def get_parent(self, organization: Organization) -> int | None:
        root_depth = self.context.get("scope_root_depth")
        if root_depth is None or organization.depth <= root_depth:
            return None
        return getattr(organization, "parent_id", None)


class OrganizationWriteSerializer(serializers.Serializer[Organization]):
    """Input for create and update; the service checks the rules and answers in Chinese."""

    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Organization.objects.none(), required=False, help_text="上级组织 id（设立时必填）"
    )
    name = serializers.CharField(max_length=100, required=False)
    short_name = serializers.CharField(max_length=30, required=False, allow_blank=True)
    code = serializers.CharField(max_length=32, required=False)
    kind = serializers.ChoiceField(choices=OrgKind.choices, required=False)
    unit_category = serializers.ChoiceField(choices=UnitCategory.choices, required=False)
    setup_mode = OptionalChoice(choices=SetupMode.choices, required=False)
    setup_approval = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    holds_members_directly = serializers.BooleanField(required=False)
    founded_date = PlausibleDate(kind=DateKind.EVENT, required=False, allow_null=True)
    abolished_date = PlausibleDate(kind=DateKind.EVENT, required=False, allow_null=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = scoped_organizations(self.context.get("request"))  # type: ignore[attr-defined]
        self.fields["parent"].error_messages["does_not_exist"] = "上级组织不存在或不在您的管理范围内"


class CoveredUnitInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    unit_category = serializers.ChoiceField(choices=UnitCategory.choices)


class CoveredUnitRemoval(serializers.Serializer[Any]):
    unit = serializers.IntegerField(help_text="覆盖单位 id（covered_units[].id）")


class CoManagementInput(serializers.Serializer[Any]):
    co_manager = InScope(Organization, "共管组织")
    kind = serializers.ChoiceField(choices=CoManagementKind.choices)
    since = PlausibleDate(kind=DateKind.EVENT)


class CoManagementEnd(serializers.Serializer[Any]):
    link = serializers.IntegerField(help_text="共管关系 id（co_managed_by[].id）")
    until = PlausibleDate(kind=DateKind.EVENT, help_text="终止日期")


@extend_schema_view(
    create=extend_schema(request=OrganizationWriteSerializer, responses={201: OrganizationSerializer}),
    partial_update=extend_schema(request=OrganizationWriteSerializer, responses=OrganizationSerializer),
)
class OrganizationViewSet(ServiceViewSet):
    """党组织: list, read, set up (POST with ``parent``), change and delete (soft) in your scope."""

    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    write_serializer_class = OrganizationWriteSerializer
    filterset_class = OrganizationFilter

    def get_queryset(self) -> QuerySet[Organization]:
        parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
        parent_id = Subquery(Organization.objects.filter(path=parent_path).values("pk")[:1])
        current_links = CoManagement.objects.filter(until__isnull=True).select_related("co_manager")
        return (
            super()
            .get_queryset()
            .annotate(parent_id=parent_id)
            .prefetch_related("covered_units", Prefetch("co_managers", current_links, to_attr="current_co_managers"))
            .order_by("path")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        acting = scope.acting(self.request.user)
        readers = acting is not None and acting.allows(lambda role: role.reads_organizations)
        root_depth = acting.organization.depth if acting is not None and readers else None
        return super().get_serializer_context() | {"scope_root_depth": root_depth}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.parse(request)
        parent = data.pop("parent", None)
        if parent is None:
            raise serializers.ValidationError({"parent": ["请指定上级组织"]})
        organization = services.create_organization(actor=request.user, parent=parent, **data)
        return self.respond(organization, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organization = self.get_object()
        data = self.parse(request)
        if "parent" in data:
            raise serializers.ValidationError({"parent": ["调整隶属关系请使用组织调整功能，不能在此修改上级组织"]})
        services.update_organization(actor=request.user, organization=organization, **data)
        return self.respond(organization)

    def perform_destroy(self, instance: Organization) -> None:
        services.delete_organization(actor=self.request.user, organization=instance)

    @extend_schema(summary="登记覆盖单位", request=CoveredUnitInput, responses={201: OrganizationSerializer})
    @action(detail=True, methods=["post"], url_path="covered-units")
    def add_covered_unit(self, request: Request, pk: str) -> Response:
        """登记覆盖单位 (a 联合党支部 lists each unit it covers)."""
        organization = self.get_object()
        services.add_covered_unit(
            actor=request.user, organization=organization, **self.parse(request, CoveredUnitInput)
        )
        return self.respond(organization, status.HTTP_201_CREATED)

    @extend_schema(summary="移除覆盖单位", request=CoveredUnitRemoval, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"], url_path="covered-units/remove")
    def remove_covered_unit(self, request: Request, pk: str) -> Response:
        organization = self.get_object()
        unit_id = self.parse(request, CoveredUnitRemoval)["unit"]
        unit = self.one_of(organization.covered_units.all(), "unit", unit_id, "本组织", "覆盖单位")
        services.remove_covered_unit(actor=request.user, unit=unit)
        return self.respond(organization)

    @extend_schema(summary="设立共管关系", request=CoManagementInput, responses={201: OrganizationSerializer})
    @action(detail=True, methods=["post"], url_path="co-managers")
    def add_co_manager(self, request: Request, pk: str) -> Response:
        """设立共管关系: the organization in the URL is co-managed by ``co_manager``."""
        organization = self.get_object()
        services.add_co_management(
            actor=request.user, organization=organization, **self.parse(request, CoManagementInput)
        )
        return self.respond(organization, status.HTTP_201_CREATED)

    @extend_schema(summary="结束共管关系", request=CoManagementEnd, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"], url_path="co-managers/end")
    def end_co_manager(self, request: Request, pk: str) -> Response:
        organization = self.get_object()
        data = self.parse(request, CoManagementEnd)
        link = self.one_of(organization.co_managers.all(), "link", data["link"], "本组织", "共管关系")
        services.end_co_management(actor=request.user, link=link, until=data["until"])
        return self.respond(organization)
