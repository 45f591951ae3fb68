"""/api/v1/sanctions/ (党纪处分): list with filters, detail, record one, and for a 留党察看
extend/, restore/, expel/. Thin: parse, call a service, answer with the fresh object. Members
appear by id and name only; ID numbers are never part of a sanction."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.approvals.services import steps_for
from dangjian.core import scope
from dangjian.core.api import InScope, NamedOutsideScope, PlausibleDate, RecordSerializer, ServiceViewSet
from dangjian.core.dates import DateKind
from dangjian.elections.models import Officer
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.transfers.api import ApprovalStepSerializer

from . import services
from .models import PROBATION_MONTHS, Sanction, SanctionKind


class RemovedPostSerializer(RecordSerializer):
    title = serializers.CharField(read_only=True, help_text="职务：党组织名称和职务，如“中共兴丰村支部委员会书记”")

    class Meta:
        model = Officer
        fields = ["id", "title", "since", "until"]
        read_only_fields = fields


class SanctionSerializer(RecordSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    removed_posts = RemovedPostSerializer(
        many=True,
        read_only=True,
        help_text="处分撤销的党内职务（撤销党内职务：所选职务；留党察看、开除党籍：全部党内职务）",
    )
    ending_display = serializers.CharField(source="get_ending_display", read_only=True)
    total_months = serializers.IntegerField(read_only=True, allow_null=True)
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Sanction
        fields = [
            "id",
            "member",
            "member_name",
            "kind",
            "kind_display",
            "decided_on",
            "deciding_org",
            "deciding_org_name",
            "document_number",
            "reason",
            "months",
            "extension_months",
            "extended_on",
            "extension_reason",
            "total_months",
            "effect_until",
            "removed_posts",
            "ending",
            "ending_display",
            "ended_on",
            "ending_reason",
            "expulsion",
            "recorded_at",
            "steps",
        ]
        read_only_fields = fields

    def get_steps(self, sanction: Sanction) -> list[dict[str, Any]]:
        if self.context.get("view") and self.context["view"].action == "list":
            return []  # the log is on the detail; a list stays one query
        return ApprovalStepSerializer(steps_for(sanction), many=True).data  # type: ignore[return-value]


def deciding_organization(**kwargs: Any) -> NamedOutsideScope:
    """The deciding organization: the member's branch or one above it, which may be above the
    caller's own scope (the service checks it is in the member's lineage)."""
    return NamedOutsideScope(Organization, **kwargs)


class SanctionInput(serializers.Serializer[Any]):
    member = InScope(Member, "党员")
    kind = serializers.ChoiceField(choices=SanctionKind.choices)
    decided_on = PlausibleDate(kind=DateKind.EVENT)
    deciding_org = deciding_organization(help_text="决定处分的党组织 id：党员所在党支部或其上级党组织")
    reason = serializers.CharField(max_length=500, allow_blank=True)
    document_number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    months = serializers.ChoiceField(
        choices=PROBATION_MONTHS, required=False, allow_null=True, default=None, help_text="留党察看期限：12 或 24"
    )
    # Any post of the member, whichever organization it is in (the town committee above the
    # caller's branch): the service answers alike for a post that is not the member's and none.
    post = NamedOutsideScope(
        Officer,
        required=False,
        allow_null=True,
        default=None,
        help_text="撤销党内职务：所撤销职务的班子成员记录 id（/api/v1/terms/ 的 officers[].id）",
    )


class ExtendInput(serializers.Serializer[Any]):
    date = PlausibleDate(kind=DateKind.EVENT, help_text="延长决定日期：期满之日或以后")
    reason = serializers.CharField(max_length=500, allow_blank=True)


class RestoreInput(serializers.Serializer[Any]):
    date = PlausibleDate(kind=DateKind.EVENT, help_text="恢复党员权利的日期：期满之日或以后")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ExpelInput(serializers.Serializer[Any]):
    date = PlausibleDate(kind=DateKind.EVENT)
    reason = serializers.CharField(max_length=500, allow_blank=True)
    document_number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    deciding_org = deciding_organization(
        required=False, allow_null=True, default=None, help_text="默认为决定留党察看的党组织"
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=SanctionKind.values, description="处分种类"),
            OpenApiParameter("open", OpenApiTypes.BOOL, description="仅未结束的留党察看"),
            OpenApiParameter("organization", OpenApiTypes.INT, description="党员所在党组织（含下级）"),
        ]
    ),
    create=extend_schema(request=SanctionInput, responses={201: SanctionSerializer}),
)
class SanctionViewSet(ServiceViewSet):
    """党纪处分 of the members in your subtree. POST records one (组织部/党委管理员); a 留党察看 is
    then extended (once), ends with 恢复党员权利, or with 开除党籍."""

    queryset = Sanction.objects.select_related("member", "deciding_org").prefetch_related(
        "removed_posts__term__organization"
    )
    serializer_class = SanctionSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        if self.action != "list":
            return super().get_queryset()
        params = self.request.query_params
        kind = params.get("kind", "")
        if kind and kind not in SanctionKind.values:
            raise serializers.ValidationError({"kind": [f"处分种类应为：{'、'.join(SanctionKind.values)}"]})
        organization = None
        if raw := params.get("organization"):
            organization = scope.scoped(
                self.request.user, Organization.objects.filter(pk=int(raw) if raw.isdigit() else 0)
            ).first()
            if organization is None:
                raise serializers.ValidationError({"organization": ["所选党组织不存在或不在您的管理范围内"]})
        open_only = params.get("open", "").lower() in ("1", "true")
        rows = services.sanctions(
            self.request.user, kind=kind, open_probation_only=open_only, organization=organization
        )
        return rows.prefetch_related("removed_posts__term__organization")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sanction = services.record_sanction(actor=request.user, **self.parse(request, SanctionInput))
        return self.respond(sanction, status.HTTP_201_CREATED)

    def _do(self, request: Request, operation: Any, serializer: Any) -> Response:
        sanction = self.get_object()
        result = operation(actor=request.user, sanction=sanction, **self.parse(request, serializer))
        return self.respond(result)

    @extend_schema(summary="延长留党察看期", request=ExtendInput, responses=SanctionSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str) -> Response:
        """延长留党察看一年：仅一年期的留党察看，期满时，只能一次。"""
        return self._do(request, services.extend_probation_discipline, ExtendInput)

    @extend_schema(summary="恢复党员权利", request=RestoreInput, responses=SanctionSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str) -> Response:
        """恢复党员权利：留党察看（含延长）期满之日或以后。"""
        return self._do(request, services.restore_rights, RestoreInput)

    @extend_schema(summary="留党察看期间开除党籍", request=ExpelInput, responses={200: SanctionSerializer})
    @action(detail=True, methods=["post"])
    def expel(self, request: Request, pk: str) -> Response:
        """留党察看期间开除党籍：答复为新的开除党籍记录（原留党察看随之结束）。"""
        return self._do(request, services.expel, ExpelInput)
