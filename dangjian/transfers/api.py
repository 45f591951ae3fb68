"""/api/v1/transfers/ (组织关系转接: the inboxes, each step of the workflow, the letter PDF) and
/api/v1/mobile-members/ (流动党员). Thin: parse, call a service, answer with the fresh object."""

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.approvals.models import ApprovalStep
from dangjian.approvals.services import steps_for
from dangjian.core.api import (
    InScope,
    NamedOutsideScope,
    PlausibleDate,
    RecordSerializer,
    ServiceViewSet,
    date_parameter,
)
from dangjian.core.dates import DateKind
from dangjian.core.enums import Education, Ethnicity, Gender
from dangjian.members.models import Category, Member
from dangjian.orgs.models import Organization

from . import letter, rules, services, services_mobile
from .models import MobileMember, Transfer


class ApprovalStepSerializer(RecordSerializer):
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = ApprovalStep
        fields = ["step", "decision", "decision_display", "reason", "organization", "organization_name", "level"]
        fields += ["actor_name", "at"]
        read_only_fields = fields


class TransferSerializer(RecordSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    from_name = serializers.CharField(read_only=True)
    to_name = serializers.CharField(read_only=True)
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id",
            "kind",
            "kind_display",
            "state",
            "state_display",
            "member",
            "member_name",
            "from_org",
            "from_name",
            "to_org",
            "to_name",
            "sending_committee",
            "receiving_committee",
            "reason",
            "requested_at",
            "letter_number",
            "issued_date",
            "valid_days",
            "valid_until",
            "dues_paid_through",
            "voided_letters",
            "accepted_date",
            "receipt_date",
            "return_reason",
            "steps",
        ]
        read_only_fields = fields

    def get_steps(self, transfer: Transfer) -> list[dict[str, Any]]:
        if self.context.get("view") and self.context["view"].action == "list":
            return []  # the log is on the detail; a list stays one query
        return ApprovalStepSerializer(steps_for(transfer), many=True).data  # type: ignore[return-value]


class RequestInput(serializers.Serializer[Any]):
    member = InScope(Member, "党员")
    # Any organization of the tree (nationwide transfer goes directly between 基层党委), not only
    # those in the caller's scope; one the caller may not name answers as one that does not exist.
    to_org = NamedOutsideScope(
        Organization, required=False, allow_null=True, default=None, help_text="转入组织 id（本系统内）"
    )
    to_outside = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=200, allow_blank=True)


class DecisionInput(serializers.Serializer[Any]):
    approve = serializers.BooleanField(default=True)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LetterInput(serializers.Serializer[Any]):
    valid_days = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="有效期（天）")
    dues_paid_through = PlausibleDate(
        kind=DateKind.PLANNED,
        allow_null=True,
        help_text="党费交至的月份（该月任一日）；党费在本系统记账的党员按党费账开具，此值不用，可为null",
    )
    date = PlausibleDate(
        kind=DateKind.EVENT, required=False, allow_null=True, default=None, help_text="开具日期，默认今天"
    )


class ReissueInput(serializers.Serializer[Any]):
    valid_days = serializers.IntegerField(allow_null=True)
    dues_paid_through = PlausibleDate(
        kind=DateKind.PLANNED, allow_null=True, help_text="同开具介绍信：党费在本系统记账的党员按党费账"
    )
    reason = serializers.CharField(max_length=500, allow_blank=True)


class DateInput(serializers.Serializer[Any]):
    date = PlausibleDate(kind=DateKind.EVENT, required=False, allow_null=True, default=None, help_text="默认今天")


class ReasonInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, allow_blank=True)


class ReceiptInput(serializers.Serializer[Any]):
    letter_number = serializers.CharField(max_length=50, allow_blank=True)
    date = PlausibleDate(kind=DateKind.EVENT, required=False, allow_null=True, default=None, help_text="对方接收日期")


class IncomingInput(serializers.Serializer[Any]):
    to_org = InScope(Organization, "转入党组织")
    from_outside = serializers.CharField(max_length=100, allow_blank=True)
    letter_number = serializers.CharField(max_length=50, allow_blank=True)
    issued_date = PlausibleDate(kind=DateKind.EVENT)
    valid_days = serializers.IntegerField()
    dues_paid_through = PlausibleDate(kind=DateKind.PLANNED, required=False, allow_null=True, default=None)
    date = PlausibleDate(kind=DateKind.EVENT, required=False, allow_null=True, default=None, help_text="接收日期")
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)
    education = serializers.ChoiceField(choices=Education.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    joined_date = PlausibleDate(kind=DateKind.EVENT)
    regularized_date = PlausibleDate(kind=DateKind.EVENT, required=False, allow_null=True)
    job = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="按此日期判断逾期，默认今天")


def as_of(request: Request) -> dt.date:
    return date_parameter(request, "as_of") or timezone.localdate()


BOX_PARAMETER = OpenApiParameter("box", OpenApiTypes.STR, enum=list(services.BOXES), description="待办分类")


@extend_schema_view(
    list=extend_schema(parameters=[BOX_PARAMETER]),
    create=extend_schema(request=RequestInput, responses={201: TransferSerializer}),
)
class TransferViewSet(ServiceViewSet):
    """组织关系转接: the transfers either side of which is in your subtree; ``?box=`` one inbox.
    POST starts one; then approve → issue → accept (or return), receipt; cancel; letter (PDF)."""

    queryset = Transfer.objects.select_related("from_org", "to_org")
    serializer_class = TransferSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        name = self.request.query_params.get("box")
        if self.action == "list" and name:
            if name not in services.BOXES:
                raise serializers.ValidationError({"box": [f"待办分类应为：{'、'.join(services.BOXES)}"]})
            return services.box(self.request.user, name).select_related("from_org", "to_org")
        return super().get_queryset()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        transfer = services.request_transfer(actor=request.user, **self.parse(request, RequestInput))
        return self.respond(transfer, status.HTTP_201_CREATED)

    def _do(self, request: Request, operation: Any, serializer: Any) -> Response:
        transfer = self.get_object()
        operation(actor=request.user, transfer=transfer, **self.parse(request, serializer))
        return self.respond(transfer)

    @extend_schema(summary="审批组织关系转接", request=DecisionInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """审批：approve=false 为不同意（须写理由）。"""
        return self._do(request, services.approve_transfer, DecisionInput)

    @extend_schema(summary="开具介绍信", request=LetterInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str) -> Response:
        return self._do(request, services.issue_letter, LetterInput)

    @extend_schema(summary="重新开具介绍信", request=ReissueInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def reissue(self, request: Request, pk: str) -> Response:
        return self._do(request, services.reissue_letter, ReissueInput)

    @extend_schema(summary="接收组织关系", request=DateInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._do(request, services.accept_transfer, DateInput)

    @extend_schema(summary="退回介绍信", request=ReasonInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_letter(self, request: Request, pk: str) -> Response:
        return self._do(request, services.return_transfer, ReasonInput)

    @extend_schema(summary="撤销组织关系转接", request=ReasonInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self._do(request, services.cancel_transfer, ReasonInput)

    @extend_schema(summary="登记回执", request=DateInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def receipt(self, request: Request, pk: str) -> Response:
        return self._do(request, services.record_receipt, DateInput)

    @extend_schema(
        summary="按介绍信编号登记回执",
        request=ReceiptInput,
        responses=TransferSerializer,
        operation_id="v1_transfers_receipt_by_number",
    )
    @action(detail=False, methods=["post"], url_path="receipt", url_name="receipt-by-number")
    def receipt_by_number(self, request: Request) -> Response:
        """登记回执：按介绍信编号查找。"""
        transfer = services.record_receipt_by_number(actor=request.user, **self.parse(request, ReceiptInput))
        return self.respond(transfer)

    @extend_schema(summary="登记系统外转入", request=IncomingInput, responses={201: TransferSerializer})
    @action(detail=False, methods=["post"])
    def incoming(self, request: Request) -> Response:
        """登记系统外转入：凭介绍信接收党员。"""
        data = self.parse(request, IncomingInput)
        transfer = services.register_incoming(actor=request.user, **data)
        return self.respond(transfer, status.HTTP_201_CREATED)

    @extend_schema(summary="下载介绍信", responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def letter(self, request: Request, pk: str) -> HttpResponse:
        transfer = self.get_object()
        response = HttpResponse(letter.letter_for(request.user, transfer), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="letter-{transfer.pk}.pdf"'
        return response

    @extend_schema(
        summary="组织关系转接待办数量",
        parameters=[AS_OF],
        responses=inline_serializer("TransferInbox", {n: serializers.IntegerField() for n in services.BOXES}),
    )
    @action(detail=False, methods=["get"])
    def inbox(self, request: Request) -> Response:
        """待办数量：待审批、待接收、已开出未接收、逾期、口袋党员。"""
        return Response(services.inbox_counts(request.user, as_of(request)))


class MobileMemberSerializer(RecordSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    outflow_org_name = serializers.CharField(source="outflow_org.name", read_only=True)
    inflow_org_name = serializers.CharField(source="inflow_org.name", read_only=True, default="")
    alert = serializers.SerializerMethodField(help_text="suspend：失联满6个月；remove：停止党籍满2年")
    review_due = serializers.SerializerMethodField()

    class Meta:
        model = MobileMember
        fields = ["id", "member", "member_name", "outflow_org", "outflow_org_name", "inflow_org", "inflow_org_name"]
        fields += ["destination", "reason", "contact", "expected_months", "certificate_number", "left_date"]
        fields += ["last_contact_date", "last_review_date", "returned_date", "alert", "review_due"]
        read_only_fields = fields

    def get_alert(self, mobile: MobileMember) -> str:
        return services_mobile.alert(mobile).value

    def get_review_due(self, mobile: MobileMember) -> bool:
        if mobile.returned_date or not mobile.certificate_number:
            return False
        return rules.review_due(mobile.left_date, mobile.last_review_date, timezone.localdate())


class OutflowInput(serializers.Serializer[Any]):
    member = InScope(Member, "党员")
    destination = serializers.CharField(max_length=100, allow_blank=True)
    reason = serializers.CharField(max_length=100, allow_blank=True)
    contact = serializers.CharField(max_length=100, allow_blank=True)
    expected_months = serializers.IntegerField()
    left_date = PlausibleDate(kind=DateKind.EVENT)
    certificate_number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class InflowInput(serializers.Serializer[Any]):
    organization = InScope(Organization, "流入党组织")
    certificate_number = serializers.CharField(max_length=50, allow_blank=True)


class MobileDateInput(serializers.Serializer[Any]):
    date = PlausibleDate(kind=DateKind.EVENT)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("side", OpenApiTypes.STR, enum=["out", "in"], description="流出（默认）或流入"),
            OpenApiParameter("alert", OpenApiTypes.STR, enum=["suspend", "remove"], description="失联提醒"),
        ]
    ),
    create=extend_schema(request=OutflowInput, responses={201: MobileMemberSerializer}),
)
class MobileMemberViewSet(ServiceViewSet):
    """流动党员: out (relation in your subtree) or in (organizational life in your subtree)."""

    queryset = MobileMember.objects.select_related("member", "outflow_org", "inflow_org")
    serializer_class = MobileMemberSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        if self.action != "list":
            return super().get_queryset()
        side = self.request.query_params.get("side", "out")
        if side not in ("out", "in"):
            raise serializers.ValidationError({"side": ["应为 out（流出）或 in（流入）"]})
        rows = services_mobile.mobile_list(self.request.user, side)
        wanted = self.request.query_params.get("alert")
        if wanted:
            if wanted not in ("suspend", "remove"):
                raise serializers.ValidationError({"alert": ["应为 suspend 或 remove"]})
            ids = [m.pk for m in rows if services_mobile.alert(m).value == wanted]
            rows = rows.filter(pk__in=ids)
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        mobile = services_mobile.register_outflow(actor=request.user, **self.parse(request, OutflowInput))
        return self.respond(mobile, status.HTTP_201_CREATED)

    @extend_schema(summary="登记流入党员", request=InflowInput, responses=MobileMemberSerializer)
    @action(detail=False, methods=["post"])
    def inflow(self, request: Request) -> Response:
        """登记流入：凭流动党员活动证编号。"""
        mobile = services_mobile.register_inflow(actor=request.user, **self.parse(request, InflowInput))
        return self.respond(mobile)

    def _do(self, request: Request, operation: Any) -> Response:
        mobile = self.get_object()
        operation(actor=request.user, mobile=mobile, **self.parse(request, MobileDateInput))
        return self.respond(mobile)

    @extend_schema(summary="登记与流动党员的联系", request=MobileDateInput, responses=MobileMemberSerializer)
    @action(detail=True, methods=["post"])
    def contact(self, request: Request, pk: str) -> Response:
        return self._do(request, services_mobile.record_contact)

    @extend_schema(summary="登记流动党员的评议", request=MobileDateInput, responses=MobileMemberSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        return self._do(request, services_mobile.review_certificate)

    @extend_schema(summary="流动党员返回", request=MobileDateInput, responses=MobileMemberSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_home(self, request: Request, pk: str) -> Response:
        return self._do(request, services_mobile.record_return)

    @extend_schema(
        summary="流动党员汇总",
        parameters=[AS_OF],
        responses=inline_serializer(
            "MobileSummary",
            {
                "organization": serializers.IntegerField(),
                "organization_name": serializers.CharField(),
                "out": serializers.IntegerField(),
                "in": serializers.IntegerField(),
                "lost_contact": serializers.IntegerField(),
            },
            many=True,
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def summary(self, request: Request) -> Response:
        """本级及下级组织的流动党员汇总。"""
        return Response(services_mobile.summary(request.user, as_of(request)))
