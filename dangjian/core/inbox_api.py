"""/api/v1/inbox/ (待办事项): the caller's items (``?state=``, ``?source=``, ``?kind=``), one
item, the counts by source and kind, and dismissing an item with its reason. Thin: read through
``core.inbox``, call its service, answer with the fresh item."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from . import inbox
from .api import RecordSerializer, ServiceViewSet
from .models import InboxItem, InboxState
from .text import text_problem


class InboxItemSerializer(RecordSerializer):
    source_label = serializers.SerializerMethodField()
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    overdue_days = serializers.SerializerMethodField()
    subject_type = serializers.SerializerMethodField()
    dismissed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = InboxItem
        fields = ["id", "source", "source_label", "key", "kind", "title", "organization", "organization_name"]
        fields += ["due", "overdue_days", "state", "state_display", "link", "subject_type", "object_id"]
        fields += ["opened_at", "closed_at", "dismissed_reason", "dismissed_by_name"]
        read_only_fields = fields

    def get_source_label(self, item: InboxItem) -> str:
        return inbox.source_label(item.source)

    def get_overdue_days(self, item: InboxItem) -> int:
        """Days past the deadline of an open item; 0 when it is not overdue or no longer open."""
        return inbox.days_overdue(item, timezone.localdate()) if item.state == InboxState.OPEN else 0

    def get_subject_type(self, item: InboxItem) -> str | None:
        """The kind of record the work is about, as app_label.model (transfers.transfer)."""
        if item.content_type_id is None:
            return None
        content_type = ContentType.objects.get_for_id(item.content_type_id)
        return f"{content_type.app_label}.{content_type.model}"

    def get_dismissed_by_name(self, item: InboxItem) -> str | None:
        return str(item.dismissed_by) if item.dismissed_by_id else None


class InboxDismissInput(serializers.Serializer[Any]):
    # Blank is let through: the service refuses it with its own words, as the page does.
    reason = serializers.CharField(max_length=inbox.REASON_MAX, required=False, allow_blank=True, default="")


STATE = OpenApiParameter("state", OpenApiTypes.STR, enum=InboxState.values, description="状态，默认 open（待办）")
SOURCE = OpenApiParameter("source", OpenApiTypes.STR, description="来源（如 transfers、development、elections）")
KIND = OpenApiParameter("kind", OpenApiTypes.STR, description="事项类别（如 回执超期、半年考察）")


@extend_schema_view(list=extend_schema(parameters=[STATE, SOURCE, KIND]))
class InboxItemViewSet(ServiceViewSet):
    """待办事项: the items of your subtree, open ones soonest first (the overdue before the rest);
    ``dismiss`` with a reason; ``summary``: the counts by source and kind."""

    queryset = InboxItem.objects.select_related("organization", "dismissed_by")
    serializer_class = InboxItemSerializer
    http_method_names = ["get", "post", "head", "options"]

    def _state(self) -> str:
        state = self.request.query_params.get("state") or InboxState.OPEN
        if state not in InboxState.values:
            raise serializers.ValidationError({"state": [f"状态应为：{'、'.join(InboxState.values)}"]})
        return state

    def _filter(self, name: str) -> str | None:
        value = self.request.query_params.get(name) or None
        if value is not None and (len(value) > 30 or text_problem(value)):
            raise serializers.ValidationError({name: ["没有这样的来源或事项类别"]})
        return value

    def get_queryset(self) -> Any:
        if self.action != "list":
            return super().get_queryset()
        state, source, kind = self._state(), self._filter("source"), self._filter("kind")
        return inbox.items_for(self.request.user, state=state, source=source, kind=kind)

    @extend_schema(summary="忽略待办事项", request=InboxDismissInput, responses=InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        """忽略：写明理由；期限推后时会重新列入待办。"""
        item = self.get_object()
        inbox.dismiss_item(actor=request.user, item=item, **self.parse(request, InboxDismissInput))
        return self.respond(item)

    @extend_schema(
        summary="待办事项分类统计",
        parameters=[STATE],
        responses=inline_serializer(
            "InboxGroup",
            {
                "source": serializers.CharField(),
                "label": serializers.CharField(),
                "count": serializers.IntegerField(),
                "overdue": serializers.IntegerField(),
                "kinds": inline_serializer(
                    "InboxKindCount",
                    {
                        "kind": serializers.CharField(),
                        "count": serializers.IntegerField(),
                        "overdue": serializers.IntegerField(),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
    )
    @action(detail=False, pagination_class=None)
    def summary(self, request: Request) -> Response:
        """By source and kind: how many, how many overdue."""
        groups = inbox.groups(request.user, state=self._state())
        return Response(
            [
                {
                    "source": g.source,
                    "label": g.label,
                    "count": g.count,
                    "overdue": g.overdue,
                    "kinds": [{"kind": k.kind, "count": k.count, "overdue": k.overdue} for k in g.kinds],
                }
                for g in groups
            ]
        )
