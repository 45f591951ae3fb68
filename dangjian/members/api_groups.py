"""/api/v1/party-groups/: the 党小组 of the branches in your scope; set one up, change its name,
members or leader (PATCH), dissolve it (``dissolve/``). Thin: every write goes through
members.services."""

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.core import scope
from dangjian.core.api import InScope, PlausibleDate, RecordSerializer, ServiceViewSet
from dangjian.core.dates import DateKind
from dangjian.orgs.models import Organization

from . import services
from .models import Member, PartyGroup


class GroupMemberSerializer(RecordSerializer):
    class Meta:
        model = Member
        fields = ["id", "name"]
        read_only_fields = fields


class PartyGroupSerializer(RecordSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    leader_name = serializers.CharField(source="leader.name", read_only=True, default=None)
    members = GroupMemberSerializer(many=True, read_only=True)

    class Meta:
        model = PartyGroup
        fields = ["id", "organization", "organization_name", "name", "leader", "leader_name", "members"]
        read_only_fields = fields


class PartyGroupInput(serializers.Serializer[Any]):
    organization = InScope(Organization, "党支部", help_text="所在党支部 id（设立时必填，之后不能改）")
    name = serializers.CharField(max_length=50)
    members = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="组员（党员 id）；修改时为完整名单"
    )
    leader = InScope(Member, "党员", required=False, help_text="党小组长（须是组员）")


class DissolveInput(serializers.Serializer[Any]):
    date = PlausibleDate(kind=DateKind.EVENT, help_text="撤销日期")


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id (an integer in the API schema; django-filter's number would be any number)."""


class PartyGroupFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", label="所在党支部 id", min_value=1, max_value=2**63 - 1)

    class Meta:
        model = PartyGroup
        fields = ["organization"]


@extend_schema_view(
    create=extend_schema(request=PartyGroupInput, responses={201: PartyGroupSerializer}),
    partial_update=extend_schema(request=PartyGroupInput, responses=PartyGroupSerializer),
)
class PartyGroupViewSet(ServiceViewSet):
    """党小组: a branch's groups with their members and leader. A member is in one group at most:
    putting them into this one takes them out of any other. Dissolved groups are not listed."""

    queryset = PartyGroup.objects.select_related("organization", "leader")
    serializer_class = PartyGroupSerializer
    write_serializer_class = PartyGroupInput
    filterset_class = PartyGroupFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[PartyGroup]:
        # The members listed are those the caller may read: a 党员 sees their group, and in it
        # only themselves (and the leader by name, as on the branch's page).
        members = scope.scoped(self.request.user, Member.objects.order_by("name_pinyin", "id"))
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("members", members))
            .order_by("organization__path", "name", "id")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.parse(request)
        required = {"organization": "请指定所在党支部", "name": "请填写党小组名称"}
        missing = {field: [message] for field, message in required.items() if field not in data}
        if missing:
            raise serializers.ValidationError(missing)
        group = services.create_party_group(
            actor=request.user,
            organization=data["organization"],
            name=data["name"],
            member_ids=data.get("members", ()),
            leader=data.get("leader"),
        )
        return self.respond(group, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        group = self.get_object()
        data = self.parse(request)
        if "organization" in data:
            raise serializers.ValidationError({"organization": ["党小组不能换到别的支部；请在新支部另设党小组"]})
        services.update_party_group(
            actor=request.user,
            group=group,
            name=data.get("name"),
            member_ids=data.get("members"),
            leader=data.get("leader"),
        )
        return self.respond(group)

    @extend_schema(summary="撤销党小组", request=DissolveInput, responses={204: None})
    @action(detail=True, methods=["post"])
    def dissolve(self, request: Request, pk: str) -> Response:
        group = self.get_object()
        date = self.parse(request, DissolveInput)["date"]
        services.dissolve_party_group(actor=request.user, group=group, date=date)
        return Response(status=status.HTTP_204_NO_CONTENT)
