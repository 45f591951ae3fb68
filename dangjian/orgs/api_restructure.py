"""/api/v1/restructurings/: the record of restructurings, and each operation with ``preview``.

POST …/merge/ (and split, move, change_kind, abolish) with ``"preview": true`` answers the plan
(what moves where, counts, problems) and writes nothing; without it, carries the operation out
and answers the record (201), or 400 with the problems."""

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.core import scope
from dangjian.core.api import PlausibleDate, RecordSerializer
from dangjian.core.dates import DateKind

from . import restructure
from .filters import scoped_organizations
from .models import Organization, OrgKind, Restructuring, UnitCategory

PREVIEW_ITEMS = 500


class RestructuringSerializer(RecordSerializer):
    subject_name = serializers.CharField(source="subject.name", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = Restructuring
        fields = ["id", "kind", "effective_date", "subject", "subject_name", "summary", "actor", "created_at"]
        read_only_fields = fields

    def get_actor(self, record: Restructuring) -> str | None:
        return str(record.actor) if record.actor else None


class NewOrganizationSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    code = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    unit_category = serializers.ChoiceField(choices=UnitCategory.choices)


class Organizations(serializers.PrimaryKeyRelatedField):
    """An organization id, looked up in the caller's scope."""

    default_error_messages = {"does_not_exist": "组织{pk_value}不存在或不在您的管理范围内"}

    def __init__(self, **kwargs: Any) -> None:
        # The model is named for the schema; lookups go through get_queryset, in the scope.
        super().__init__(queryset=Organization.objects.all(), **kwargs)

    def get_queryset(self) -> Any:
        return scoped_organizations(self.context.get("request"))


class PlanInput(serializers.Serializer[Any]):
    date = PlausibleDate(kind=DateKind.EVENT)
    preview = serializers.BooleanField(default=False)


class MergeInput(PlanInput):
    sources = Organizations(many=True)
    target = Organizations(required=False)
    new = NewOrganizationSerializer(required=False)
    new_parent = Organizations(required=False)


class SplitInput(PlanInput):
    organization = Organizations(help_text="被拆分的组织")
    new = NewOrganizationSerializer()
    new_parent = Organizations(required=False)
    member_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    party_group_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class MoveInput(PlanInput):
    organization = Organizations()
    new_parent = Organizations()


class ChangeKindInput(PlanInput):
    organization = Organizations()
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    holds_members_directly = serializers.BooleanField(required=False, allow_null=True, default=None)
    setup_approval = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class AbolishInput(PlanInput):
    organization = Organizations()


PlanSerializer = inline_serializer(
    "RestructuringPlan",
    {
        "kind": serializers.CharField(),
        "date": serializers.DateField(),
        "problems": serializers.ListField(child=serializers.CharField()),
        "counts": serializers.DictField(child=serializers.IntegerField()),
        "routes": serializers.ListField(child=serializers.DictField()),
        "moves": serializers.ListField(child=serializers.DictField()),
    },
)


def _plan_body(plan: restructure.Plan) -> dict[str, Any]:
    return {
        "kind": plan.kind.value,
        "date": plan.date,
        "problems": list(dict.fromkeys(plan.problems)),
        "counts": dict(plan.counts),
        "routes": [{"from": route.origin, "to": route.destination, "counts": route.counts} for route in plan.routes()],
        "moves": [
            {"item_type": m.item_type, "item_id": m.item_id, "item": m.item_repr, "from": m.from_org, "to": m.to_org}
            for m in plan.moves[:PREVIEW_ITEMS]
        ],
    }


def _arguments(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data.pop("preview")
    if "new" in data:
        data["new_fields"] = dict(data.pop("new")) | {"founded_date": data["date"]}
    if kind == "change_kind":
        data["kind"] = OrgKind(data["kind"])
    if kind == "split":
        data["source"] = data.pop("organization")
    return data


OPERATIONS: dict[str, tuple[type[PlanInput], Callable[..., restructure.Plan], Callable[..., Restructuring]]] = {
    "merge": (MergeInput, restructure.plan_merge, restructure.merge_organizations),
    "split": (SplitInput, restructure.plan_split, restructure.split_organization),
    "move": (MoveInput, restructure.plan_move, restructure.move_organization),
    "change_kind": (ChangeKindInput, restructure.plan_change_kind, restructure.change_kind),
    "abolish": (AbolishInput, restructure.plan_abolish, restructure.abolish_organization),
}


class RestructuringViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Restructuring]):
    """组织调整: the restructurings of your subtree, and the operations themselves."""

    queryset = Restructuring.objects.select_related("subject", "actor").order_by("-effective_date", "-id")
    serializer_class = RestructuringSerializer

    def get_queryset(self) -> Any:
        return scope.scoped(self.request.user, super().get_queryset())

    def _operate(self, request: Request, kind: str) -> Response:
        input_class, plan, carry_out = OPERATIONS[kind]
        data = input_class(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        arguments = _arguments(kind, data.validated_data)
        if data.validated_data["preview"]:
            return Response(_plan_body(plan(actor=request.user, **arguments)))
        record = carry_out(actor=request.user, **arguments)
        return Response(RestructuringSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="合并党组织", request=MergeInput, responses={200: PlanSerializer, 201: RestructuringSerializer}
    )
    @action(detail=False, methods=["post"])
    def merge(self, request: Request) -> Response:
        return self._operate(request, "merge")

    @extend_schema(
        summary="拆分党组织", request=SplitInput, responses={200: PlanSerializer, 201: RestructuringSerializer}
    )
    @action(detail=False, methods=["post"])
    def split(self, request: Request) -> Response:
        return self._operate(request, "split")

    @extend_schema(
        summary="调整隶属关系", request=MoveInput, responses={200: PlanSerializer, 201: RestructuringSerializer}
    )
    @action(detail=False, methods=["post"])
    def move(self, request: Request) -> Response:
        return self._operate(request, "move")

    @extend_schema(
        summary="变更党组织类别", request=ChangeKindInput, responses={200: PlanSerializer, 201: RestructuringSerializer}
    )
    @action(detail=False, methods=["post"], url_path="change-kind")
    def change_kind(self, request: Request) -> Response:
        return self._operate(request, "change_kind")

    @extend_schema(
        summary="撤销党组织", request=AbolishInput, responses={200: PlanSerializer, 201: RestructuringSerializer}
    )
    @action(detail=False, methods=["post"])
    def abolish(self, request: Request) -> Response:
        return self._operate(request, "abolish")
