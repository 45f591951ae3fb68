"""/api/v1/dues-months/, dues-payments/, dues-bases/ and dues-arrears/ (党费). Thin like the other
APIs: parse, call a service of ``services``, answer with the fresh object through the scope.

Money is kept in fen (integers) and shown in yuan with two decimals as a string ("81.00", the
field named plainly), the same amount in fen beside it (``…_fen``); amounts sent are yuan as a
string of two decimals at most ("81", "81.5", "81.00"). A month is its first day ("2026-01-01");
the list filters take a month as ``YYYY-MM``."""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.core import scope
from dangjian.core.api import (
    BlankAsNull,
    InScope,
    NamedOutsideScope,
    OptionalChoice,
    PlausibleDate,
    RecordSerializer,
    ServiceViewSet,
)
from dangjian.core.dates import DateKind
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import ledger, services
from .models import CATEGORY_CHOICES, DuesBasis, DuesEntry, DuesMonth, DuesPayment, Method, Relief

# 困难减免 as the API shows it: null when there is none (the blank choice is never sent as '').
RELIEF_CHOICES = [(relief.value, relief.label) for relief in Relief if relief.value]
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class Yuan(serializers.DecimalField):
    """An amount kept in fen, shown in yuan: 8100 → "81.00" (a reversal's: "-81.00")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, read_only=True, coerce_to_string=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return super().to_representation(Decimal(int(value)).scaleb(-2))


def yuan_input(label: str, **kwargs: Any) -> serializers.DecimalField:
    """An amount sent in yuan ("81.00"); the service checks it (positive, to the fen, not too much)."""
    return serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True, label=label, **kwargs)


# --- What is shown -----------------------------------------------------------------------------


class DuesMonthSerializer(RecordSerializer):
    """党费月账：一名党员一个月的应交、已交和未交。"""

    member_name = serializers.CharField(source="member.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, help_text="所在支部名称")
    owed = Yuan(help_text="应交（元）")
    owed_fen = serializers.IntegerField(source="owed", read_only=True, help_text="应交（分）")
    paid = Yuan(help_text="已交（元）")
    paid_fen = serializers.IntegerField(source="paid", read_only=True, help_text="已交（分）")
    outstanding = Yuan(help_text="未交（元）")
    outstanding_fen = serializers.IntegerField(source="outstanding", read_only=True, help_text="未交（分）")

    class Meta:
        model = DuesMonth
        fields = [
            "id",
            "member",
            "member_name",
            "month",
            "organization",
            "organization_name",
            "basis",
            "owed",
            "owed_fen",
            "paid",
            "paid_fen",
            "outstanding",
            "outstanding_fen",
        ]
        read_only_fields = fields


class DuesEntrySerializer(RecordSerializer):
    """一笔交纳计入某月的部分。"""

    month = serializers.SerializerMethodField(help_text="计入的月份（每月1日）；自愿多交党费为 null")
    amount = Yuan(help_text="计入该月的金额（元），冲正为负数")
    amount_fen = serializers.IntegerField(source="amount", read_only=True)

    class Meta:
        model = DuesEntry
        fields = ["month", "amount", "amount_fen"]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_month(self, entry: DuesEntry) -> dt.date | None:
        return entry.month.month if entry.month is not None else None


class DuesPaymentSerializer(RecordSerializer):
    """党费交纳记录（或冲正记录）及其计入的月份。"""

    member_name = serializers.CharField(source="member.name", read_only=True)
    amount = Yuan(help_text="金额（元），冲正为负数")
    amount_fen = serializers.IntegerField(source="amount", read_only=True, help_text="金额（分）")
    reversed_by = serializers.SerializerMethodField(help_text="冲正这笔记录的记录 id；未冲正为 null")
    entries = DuesEntrySerializer(many=True, read_only=True, help_text="这笔钱计入了哪些月份")

    class Meta:
        model = DuesPayment
        fields = [
            "id",
            "member",
            "member_name",
            "kind",
            "amount",
            "amount_fen",
            "paid_on",
            "method",
            "receipt",
            "payer",
            "reason",
            "collected_by",
            "reverses",
            "reversed_by",
            "remit_to_centre",
            "recorded_at",
            "entries",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reversed_by(self, payment: DuesPayment) -> int | None:
        reversal = getattr(payment, "reversed_by", None)  # a reverse one-to-one: absent, not None
        return reversal.pk if reversal is not None else None


class DuesBasisSerializer(RecordSerializer):
    """党费基数：自起始月份起的党费类别、交纳基数、困难减免和每月应交金额。"""

    member_name = serializers.CharField(source="member.name", read_only=True)
    relief = BlankAsNull(choices=RELIEF_CHOICES, allow_null=True, read_only=True, help_text="困难减免：少交或免交")
    standard_name = serializers.CharField(source="standard.name", read_only=True, help_text="交纳标准名称")
    amount = Yuan(help_text="每月应交（元）")
    amount_fen = serializers.IntegerField(source="amount", read_only=True, help_text="每月应交（分）")

    class Meta:
        model = DuesBasis
        fields = [
            "id",
            "member",
            "member_name",
            "valid_from",
            "valid_to",
            "category",
            "base",
            "relief",
            "relief_amount",
            "relief_by",
            "relief_on",
            "standard",
            "standard_name",
            "amount",
            "amount_fen",
            "note",
            "recorded_at",
        ]
        read_only_fields = fields


class ArrearsRowSerializer(serializers.Serializer[ledger.Behind]):
    """欠交党费的党员（截至本月）。"""

    member = serializers.IntegerField(source="member_id")
    name = serializers.CharField(help_text="姓名")
    organization = serializers.IntegerField(source="organization_id", help_text="最近欠交月份所在支部")
    organization_name = serializers.CharField(source="organization")
    months = serializers.ListField(child=serializers.DateField(), help_text="未交清的月份（每月1日），从早到晚")
    amount = Yuan(help_text="共欠交（元）")
    amount_fen = serializers.IntegerField(source="amount", help_text="共欠交（分）")
    silent_months = serializers.IntegerField(help_text="截至上月，连续未交纳党费且无正当理由的月数")
    flagged = serializers.BooleanField(help_text="连续6个月以上未交纳党费（规定第十三条）")


# --- What is sent --------------------------------------------------------------------------------


class DuesPaymentInput(serializers.Serializer[Any]):
    member = InScope(Member, "党员")
    amount = yuan_input("交纳金额", help_text="交纳金额（元），如 81.00；按欠交月份从早到晚计入")
    paid_on = PlausibleDate(kind=DateKind.EVENT, help_text="交纳日期")
    method = serializers.ChoiceField(choices=Method.choices, required=False, default=Method.CASH)
    receipt = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="收据或交易单号（不能重复）"
    )
    payer = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", help_text="代交人（经支部同意代交时）"
    )
    ahead = serializers.IntegerField(
        min_value=0, max_value=services.AHEAD_LIMIT, required=False, default=0, help_text="预交以后的月数"
    )
    extra = serializers.BooleanField(required=False, default=False, help_text="超出应交的部分作为自愿多交党费")
    reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="说明（补交超过6个月的须说明原因）"
    )
    for_month = PlausibleDate(
        kind=DateKind.PLANNED, required=False, allow_null=True, default=None, help_text="登记的月份，该党员须有该月账"
    )


class ReverseInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200, allow_blank=True, help_text="冲正的原因")


class DuesBasisInput(serializers.Serializer[Any]):
    member = InScope(Member, "党员")
    valid_from = PlausibleDate(kind=DateKind.PLANNED, help_text="起始月份（该月任一日，按月计）")
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES)
    base = yuan_input(
        "交纳基数", required=False, allow_null=True, default=None, help_text="交纳基数（元）：按比例交纳的类别必填"
    )
    relief = OptionalChoice(choices=RELIEF_CHOICES, required=False, default="", help_text="困难减免：少交或免交")
    relief_amount = yuan_input(
        "减免后每月金额", required=False, allow_null=True, default=None, help_text="少交的：减免后每月金额（元）"
    )
    # The committee above the member's branch, which may lie above the caller's scope (a branch
    # records what its town approved): the service answers alike for one elsewhere and none.
    relief_by = NamedOutsideScope(
        Organization, required=False, allow_null=True, default=None, help_text="批准减免的上级党委 id"
    )
    relief_on = PlausibleDate(kind=DateKind.EVENT, required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# --- Filters ------------------------------------------------------------------------------------


def _scoped_one(request: Request, model: type[Any], name: str, label: str) -> Any:
    """The object named by query parameter ``name`` in the caller's scope; a 400 otherwise."""
    raw = request.query_params.get(name, "")
    pk = int(raw) if raw.isascii() and raw.isdecimal() and len(raw) < 19 else 0
    found = scope.scoped(request.user, model.objects.filter(pk=pk)).first()
    if found is None:
        raise serializers.ValidationError({name: [f"所选{label}不存在或不在您的管理范围内"]})
    return found


def _of_member_and_organization(request: Request, rows: QuerySet[Any], path: str) -> QuerySet[Any]:
    """The rows of ``?member=`` and of ``?organization=``'s subtree (by the rows' ``path``)."""
    if request.query_params.get("member"):
        rows = rows.filter(member=_scoped_one(request, Member, "member", "党员"))
    if request.query_params.get("organization"):
        organization = _scoped_one(request, Organization, "organization", "党组织")
        rows = rows.filter(**{f"{path}__startswith": organization.path})
    return rows


def _month(request: Request, name: str) -> dt.date | None:
    raw = request.query_params.get(name, "")
    if not raw:
        return None
    match = MONTH_PATTERN.match(raw)
    if match is None or not 1921 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12:
        raise serializers.ValidationError({name: ["月份应写作 YYYY-MM，如 2026-01（1921至2100年）"]})
    return dt.date(int(match[1]), int(match[2]), 1)


def _yes(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true")


MEMBER_PARAM = OpenApiParameter("member", OpenApiTypes.INT, description="党员 id")
ORG_PARAM = OpenApiParameter("organization", OpenApiTypes.INT, description="党组织 id（含下级）")


def month_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "string", "pattern": r"^\d{4}-\d{2}$"}, description=description)


# --- Viewsets -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            MEMBER_PARAM,
            OpenApiParameter("organization", OpenApiTypes.INT, description="该月所在支部（含下级）"),
            month_param("month_from", "起始月份 YYYY-MM（含）"),
            month_param("month_to", "截止月份 YYYY-MM（含）"),
            OpenApiParameter("outstanding", OpenApiTypes.BOOL, description="仅未交清的月份"),
        ]
    ),
)
class DuesMonthViewSet(ServiceViewSet):
    """党费月账: what each member owes for a month and what has been paid on it, in the branch that
    held the member's relation that month. Read only: payments change it (dues-payments/)."""

    queryset = DuesMonth.objects.select_related("member", "organization").order_by("-month", "member_id")
    serializer_class = DuesMonthSerializer
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet[DuesMonth]:
        rows = super().get_queryset()
        if self.action != "list":
            return rows
        request = self.request
        rows = _of_member_and_organization(request, rows, "org_path")
        if first := _month(request, "month_from"):
            rows = rows.filter(month__gte=first)
        if last := _month(request, "month_to"):
            rows = rows.filter(month__lte=last)
        if _yes(request, "outstanding"):
            rows = rows.filter(paid__lt=F("owed"))
        return rows


@extend_schema_view(
    list=extend_schema(
        parameters=[
            MEMBER_PARAM,
            OpenApiParameter("organization", OpenApiTypes.INT, description="交纳时党员所在党组织（含下级）"),
            OpenApiParameter("year", OpenApiTypes.INT, description="交纳年度"),
        ]
    ),
    create=extend_schema(summary="登记党费交纳", request=DuesPaymentInput, responses={201: DuesPaymentSerializer}),
)
class DuesPaymentViewSet(ServiceViewSet):
    """党费交纳记录: each receipt of money, shared among the months owed, the oldest first. POST records
    one; a mistake is put right by reverse/ (冲正), never by an edit."""

    queryset = (
        DuesPayment.objects.select_related("member", "reversed_by")
        .prefetch_related("entries__month")
        .order_by("-paid_on", "-id")
    )
    serializer_class = DuesPaymentSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[DuesPayment]:
        rows = super().get_queryset()
        if self.action != "list":
            return rows
        request = self.request
        rows = _of_member_and_organization(request, rows, "org_path")
        if raw := request.query_params.get("year"):
            if not (raw.isascii() and raw.isdecimal() and 1921 <= int(raw) <= 2100):
                raise serializers.ValidationError({"year": ["年度应为1921至2100之间的整数"]})
            rows = rows.filter(paid_on__year=int(raw))
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.parse(request, DuesPaymentInput)
        payment = services.record_payment(actor=request.user, **data)
        return self.respond(payment, status.HTTP_201_CREATED)

    @extend_schema(summary="冲正党费交纳记录", request=ReverseInput, responses={201: DuesPaymentSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str) -> Response:
        """登记一笔金额相反的冲正记录（须说明原因），从原记录计入的每个月份扣回。答复为冲正记录。"""
        payment = self.get_object()
        data = self.parse(request, ReverseInput)
        reversal = services.reverse_payment(actor=request.user, payment=payment, reason=data["reason"])
        return self.respond(reversal, status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[MEMBER_PARAM, ORG_PARAM]),
    create=extend_schema(summary="核定党费基数", request=DuesBasisInput, responses={201: DuesBasisSerializer}),
)
class DuesBasisViewSet(ServiceViewSet):
    """党费基数: a member's category, base and hardship relief from a month on, with the monthly
    amount the standard in force gives. POST sets a new one (the earlier one ends the month before)."""

    queryset = DuesBasis.objects.select_related("member", "standard").order_by("member_id", "-valid_from")
    serializer_class = DuesBasisSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[DuesBasis]:
        rows = super().get_queryset()
        if self.action != "list":
            return rows
        request = self.request
        rows = _of_member_and_organization(request, rows, "member__org_path")
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.parse(request, DuesBasisInput)
        basis = services.set_basis(actor=request.user, **data)
        return self.respond(basis, status.HTTP_201_CREATED)


class DuesArrearsViewSet(viewsets.GenericViewSet[Any]):
    """欠交党费: the members of your scope with dues outstanding up to this month, the longest
    without paying first (a 党员 sees their own)."""

    serializer_class = ArrearsRowSerializer
    queryset = DuesMonth.objects.none()  # the report is computed from the scoped ledger

    @extend_schema(summary="欠交党费的党员", parameters=[ORG_PARAM])
    def list(self, request: Request) -> Response:
        months = scope.scoped(request.user, DuesMonth.objects.filter(member__deleted_at__isnull=True))
        if request.query_params.get("organization"):
            organization = _scoped_one(request, Organization, "organization", "党组织")
            months = months.filter(org_path__startswith=organization.path)
        rows = ledger.arrears(months, timezone.localdate())
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
