"""/api/v1/development-files/: the development files (发展党员档案) of your subtree; open one
(POST), enter its next step, record an assessment or a publicity (公示); ``pipeline`` and ``due``
for a subtree."""

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.core import scope
from dangjian.core.api import InScope, OptionalChoice, PlausibleDate, RecordSerializer, ServiceViewSet
from dangjian.core.dates import DateKind
from dangjian.core.enums import Education
from dangjian.core.errors import DomainError
from dangjian.members.models import Member, PartyGroup
from dangjian.orgs.models import Organization

from . import reports, rules, services
from .models import Applicant, Assessment, FileStatus, Publicity, StepRecord


class StepRecordSerializer(RecordSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = StepRecord
        fields = ["step", "name", "round", "date", "note", "outcome", "refused", "warnings"]
        read_only_fields = fields

    def get_name(self, record: StepRecord) -> str:
        return rules.step_name(record.step)


class AssessmentSerializer(RecordSerializer):
    class Meta:
        model = Assessment
        fields = ["kind", "date", "note"]
        read_only_fields = fields


class PublicitySerializer(RecordSerializer):
    working_days = serializers.IntegerField(read_only=True, help_text="周一至周五的天数（未扣除法定节假日）")

    class Meta:
        model = Publicity
        fields = ["step", "round", "start", "end", "working_days", "result"]
        read_only_fields = fields


class ApplicantSerializer(RecordSerializer):
    id_number = serializers.CharField(source="masked_id_number", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    stage = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=FileStatus.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    steps = StepRecordSerializer(many=True, read_only=True)
    assessments = AssessmentSerializer(many=True, read_only=True)
    publicity = PublicitySerializer(many=True, read_only=True)

    class Meta:
        model = Applicant
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "education",
            "organization",
            "organization_name",
            "step",
            "stage",
            "status",
            "status_display",
            "member",
            "steps",
            "assessments",
            "publicity",
        ]
        read_only_fields = fields

    def get_stage(self, applicant: Applicant) -> str:
        return str(applicant.stage)


class ApplicantInput(serializers.Serializer[Any]):
    organization = InScope(Organization, "党组织")
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18)
    application_date = PlausibleDate(kind=DateKind.EVENT)
    education = serializers.ChoiceField(choices=Education.choices)
    job = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    leaving_date = PlausibleDate(kind=DateKind.PLANNED, required=False, allow_null=True, default=None)


class VoteInput(serializers.Serializer[Any]):
    present = serializers.IntegerField(min_value=0, max_value=100000)
    yes = serializers.IntegerField(min_value=0, max_value=100000)
    no = serializers.IntegerField(min_value=0, max_value=100000)
    abstain = serializers.IntegerField(min_value=0, max_value=100000)
    written_yes = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    written_no = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    written_abstain = serializers.IntegerField(min_value=0, max_value=100000, default=0)


class LeftOutInput(serializers.Serializer[Any]):
    member = InScope(Member, "党员")
    reason = serializers.CharField(max_length=200, help_text="不计入应到会人数的理由（长期卧病、被依法留置等）")


class StepInputSerializer(serializers.Serializer[Any]):
    step = serializers.IntegerField(min_value=1, max_value=25, help_text="下一步的序号（1–25）")
    date = PlausibleDate(kind=DateKind.EVENT)
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    members = serializers.ListField(
        child=InScope(Member, "党员"), required=False, default=list, help_text="谈话人、培养联系人或入党介绍人"
    )
    training_days = serializers.IntegerField(min_value=0, max_value=366, required=False, allow_null=True, default=None)
    training_hours = serializers.IntegerField(
        min_value=0, max_value=10000, required=False, allow_null=True, default=None
    )
    review_passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    vote = VoteInput(required=False, allow_null=True, default=None)
    excluded = LeftOutInput(
        many=True, required=False, default=list, help_text="支部大会：不计入应到会人数的党员及理由（步骤15、23）"
    )
    outcome = OptionalChoice(choices=list(services.OUTCOMES), required=False, default="", help_text="结论（需要时）")
    extension_months = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True, default=None
    )
    reject = serializers.BooleanField(required=False, default=False)
    party_group = InScope(PartyGroup, "党小组", required=False, allow_null=True, default=None)


class AssessmentInput(serializers.Serializer[Any]):
    date = PlausibleDate(kind=DateKind.EVENT)
    note = serializers.CharField(max_length=500)


class PublicityInput(serializers.Serializer[Any]):
    step = serializers.ChoiceField(choices=rules.PUBLICITY_CHOICES, help_text="公示后办理的步骤：3、7、17或24")
    start = PlausibleDate(kind=DateKind.PLANNED)
    end = PlausibleDate(kind=DateKind.PLANNED)
    result = serializers.CharField(max_length=500, help_text="公示结果：有无反映问题及核实处理情况")


class QuotaInput(serializers.Serializer[Any]):
    organization = InScope(Organization, "党组织")
    year = serializers.IntegerField(min_value=1950, max_value=2100)
    amount = serializers.IntegerField(min_value=0, max_value=1000000)


class QuotaRowSerializer(serializers.Serializer[Any]):
    organization = serializers.IntegerField(source="organization.pk")
    organization_name = serializers.CharField(source="organization.name")
    amount = serializers.IntegerField()
    given_by = serializers.IntegerField(source="given_by.pk", allow_null=True, default=None)
    reached = serializers.IntegerField(help_text="本年度确定为发展对象的人数（含下级）")


class CountSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="分组（性别、年龄段、学历、职业）")
    count = serializers.IntegerField()


class YearSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    quotas = QuotaRowSerializer(many=True)
    admitted = serializers.IntegerField(help_text="本年度发展党员数（支部大会通过并经审批）")
    by_gender = CountSerializer(many=True)
    by_age = CountSerializer(many=True)
    by_education = CountSerializer(many=True)
    by_occupation = CountSerializer(many=True)
    blank_villages = serializers.ListField(
        child=serializers.CharField(), help_text="近三年未发展党员的村（社区）党组织"
    )


ORG_PARAM = OpenApiParameter("organization", OpenApiTypes.INT, description="党组织 id（默认：当前所在组织）")


@extend_schema_view(create=extend_schema(request=ApplicantInput, responses={201: ApplicantSerializer}))
class ApplicantViewSet(ServiceViewSet):
    """发展党员档案 of your subtree (ID numbers masked); open a file (POST, step 1)."""

    queryset = (
        Applicant.objects.select_related("organization")
        .prefetch_related("steps", "assessments", "publicity")
        .order_by("org_path", "name")
    )
    serializer_class = ApplicantSerializer
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        applicant = services.create_applicant(actor=request.user, **self.parse(request, ApplicantInput))
        return Response(ApplicantSerializer(applicant).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="办理发展党员的下一步", request=StepInputSerializer, responses=ApplicantSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request: Request, pk: str | None = None) -> Response:
        """办理下一步: refused with the rule's text when a blocking rule fails; advisory rules
        come back in the step's ``warnings``."""
        applicant = self.get_object()
        data = self.parse(request, StepInputSerializer)
        step, date = data.pop("step"), data.pop("date")
        people = data.pop("members")
        if (role := rules.step_info(step).people) is not None:
            data[role.value] = people  # 谈话人, 培养联系人 or 入党介绍人, as the step names them
        vote = data.pop("vote")
        data["excluded"] = {item["member"].pk: item["reason"] for item in data.pop("excluded")}
        given = services.StepInput(vote=dict(vote) if vote else None, **data)
        try:
            services.enter_step(actor=request.user, applicant=applicant, step=step, date=date, data=given)
        except DomainError as error:
            # The service names the people by their role; here they came as ``members``.
            people_errors = {record.value for record in rules.PEOPLE}
            raise DomainError(
                {("members" if name in people_errors else name): texts for name, texts in error.errors.items()}
            ) from None
        return Response(ApplicantSerializer(Applicant.objects.get(pk=applicant.pk)).data)

    @extend_schema(summary="登记考察（每半年一次）", request=AssessmentInput, responses=ApplicantSerializer)
    @action(detail=True, methods=["post"])
    def assessment(self, request: Request, pk: str | None = None) -> Response:
        """登记考察 (每半年一次): of an activist, or of a probationary member (预备期考察)."""
        applicant = self.get_object()
        services.record_assessment(actor=request.user, applicant=applicant, **self.parse(request, AssessmentInput))
        return Response(ApplicantSerializer(Applicant.objects.get(pk=applicant.pk)).data)

    @extend_schema(summary="登记公示", request=PublicityInput, responses=ApplicantSerializer)
    @action(detail=True, methods=["post"])
    def publicity(self, request: Request, pk: str | None = None) -> Response:
        """登记公示: dates and result of the publicity held before step 3, 7, 17 or 24 (checked
        there: at least 5 working days, Monday to Friday, by the rule table)."""
        applicant = self.get_object()
        services.record_publicity(actor=request.user, applicant=applicant, **self.parse(request, PublicityInput))
        return Response(ApplicantSerializer(Applicant.objects.get(pk=applicant.pk)).data)

    def _organization(self, request: Request) -> Organization:
        acting = scope.require_role(request.user, lambda role: role.reads_members, "查看发展党员")
        pk = request.query_params.get("organization")
        if not pk:
            return acting.organization
        return scope.get_scoped_or_404(request.user, Organization.objects.all(), pk=pk)

    @extend_schema(
        summary="各阶段在办的发展党员档案",
        parameters=[ORG_PARAM],
        responses=inline_serializer(
            "PipelineRow", {"stage": serializers.CharField(), "count": serializers.IntegerField()}, many=True
        ),
    )
    @action(detail=False, pagination_class=None)
    def pipeline(self, request: Request) -> Response:
        """Open files of the subtree by stage."""
        rows = reports.pipeline(request.user, self._organization(request))
        return Response([{"stage": str(row.stage), "count": row.count} for row in rows])

    @extend_schema(
        summary="到期和逾期的考察、转正与审批",
        parameters=[ORG_PARAM],
        responses=inline_serializer(
            "DueItem",
            {
                "file": serializers.IntegerField(),
                "name": serializers.CharField(),
                "kind": serializers.CharField(),
                "due": serializers.DateField(),
                "text": serializers.CharField(),
                "overdue": serializers.BooleanField(),
            },
            many=True,
        ),
    )
    @action(detail=False, pagination_class=None)
    def due(self, request: Request) -> Response:
        """Half-year assessments (activists and probationary members), probation ending within 30
        days, approvals overdue."""
        items = reports.due_items(request.user, self._organization(request), timezone.localdate())
        return Response(
            [
                {
                    "file": i.applicant.pk,
                    "name": i.applicant.name,
                    "kind": i.kind,
                    "due": i.due,
                    "text": i.text,
                    "overdue": i.overdue,
                }
                for i in items
            ]
        )

    @extend_schema(
        summary="年度发展党员计划与完成情况",
        parameters=[ORG_PARAM, OpenApiParameter("year", OpenApiTypes.INT, description="年度（默认今年）")],
        responses=YearSerializer,
    )
    @action(detail=False)
    def year(self, request: Request) -> Response:
        """The year of a subtree: plan and progress, counts and structure, 空白村."""
        organization = self._organization(request)
        today = timezone.localdate()
        try:
            chosen = int(request.query_params.get("year") or today.year)
        except ValueError:
            chosen = today.year
        if not 1950 <= chosen <= 2100:
            chosen = today.year
        counts = reports.year_counts(request.user, organization, chosen)

        def pairs(rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
            return [{"name": name, "count": count} for name, count in rows]

        body = {
            "year": chosen,
            "quotas": QuotaRowSerializer(reports.plan_progress(request.user, organization, chosen), many=True).data,
            "admitted": counts.total,
            "by_gender": pairs(counts.by_gender),
            "by_age": pairs(counts.by_age),
            "by_education": pairs(counts.by_education),
            "by_occupation": pairs(counts.by_occupation),
            "blank_villages": [org.name for org in reports.blank_villages(request.user, organization, today)],
        }
        return Response(body)

    @extend_schema(summary="下达发展党员计划", request=QuotaInput, responses=QuotaRowSerializer)
    @action(detail=False, methods=["post"])
    def quota(self, request: Request) -> Response:
        """下达发展党员计划: the county sets its own; each level divides what it holds."""
        quota = services.set_quota(actor=request.user, **self.parse(request, QuotaInput))
        reached = services.targets_in_year(quota.org_path, quota.year)
        row = reports.QuotaRow(quota.organization, quota.amount, quota.given_by, reached)
        return Response(QuotaRowSerializer(row).data)
