"""Member development (发展党员): one file per person from application to regularization, its
steps, the branch-meeting votes, assessments, documents, and the rule table of intervals."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from dangjian.core.crypto import lookup_hash
from dangjian.core.enums import Education, Ethnicity, Gender, Occupation
from dangjian.core.fields import EncryptedTextField, PathField
from dangjian.core.history import history_user
from dangjian.core.idnumber import mask_id_number

from . import rules


class FileStatus(models.TextChoices):
    OPEN = "open", "培养中"
    PROBATION = "probation", "预备期"
    REGULARIZED = "regularized", "已转正"
    ARCHIVED = "archived", "已归档"
    CANCELLED = "cancelled", "已取消预备党员资格"
    CLOSED = "closed", "已终止"


class Applicant(models.Model):
    """发展党员档案: the person (not yet a member: no Member row until the upper committee
    approves admission), the branch that develops them and where the file stands. The ID number is
    kept like a member's (encrypted, found by keyed hash, masked when shown)."""

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN)
    birth_date = models.DateField("出生日期")
    id_number = EncryptedTextField("公民身份号码")
    id_hash = models.UUIDField("公民身份号码索引", editable=False)
    id_tail = models.CharField("公民身份号码末四位", max_length=4, editable=False)
    education = models.CharField("学历", max_length=30, choices=Education.choices)
    occupation = models.CharField("职业类别", max_length=20, choices=Occupation.choices, blank=True)
    job = models.CharField("工作单位及职务", max_length=100, blank=True)
    leaving_date = models.DateField("预计离开工作单位日期", null=True, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="applicants", verbose_name="培养党支部"
    )
    org_path = PathField("组织路径", max_length=255, editable=False)
    step = models.PositiveSmallIntegerField("已完成步骤", choices=rules.STEP_CHOICES, default=1)
    # The regularization round: 0 at first, one more each time the branch discusses the
    # regularization again (after an approved extension, or after the upper committee refused the
    # branch's resolution at step 24). Steps 22–24 (23–24 after a refusal) are recorded per round.
    round = models.PositiveSmallIntegerField("转正轮次", default=0)
    status = models.CharField("状态", max_length=12, choices=FileStatus.choices, default=FileStatus.OPEN)
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    member = models.OneToOneField(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="development_file",
        verbose_name="党员记录",
    )
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "发展党员档案"
        verbose_name_plural = "发展党员档案"
        ordering = ["org_path", "name"]
        indexes = [models.Index(fields=["org_path", "status", "step"], name="applicant_pipeline")]
        constraints = [
            # One person, one open file (a closed one may be followed by a new application).
            models.UniqueConstraint(
                fields=["id_hash"],
                condition=~Q(status__in=["closed", "cancelled"]),
                name="applicant_one_file_per_person",
            ),
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=25), name="applicant_step_1_to_25"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def stage(self) -> rules.Stage:
        return rules.stage_of(self.step)

    @property
    def step_name(self) -> str:
        return rules.step_name(self.step)

    @staticmethod
    def id_columns(number: str) -> dict[str, Any]:
        return {"id_number": number, "id_hash": lookup_hash(number), "id_tail": number[-4:]}


class StepRecord(models.Model):
    """One of the 25 steps, done on a date. ``round`` counts the repetitions of steps 22–24: after
    an approved extension of probation (22–24 again) or after the upper committee refused the
    branch's resolution (``refused`` on that step 24; 23–24 again). ``warnings`` keeps the
    advisory rules that the date broke."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="steps", verbose_name="档案")
    step = models.PositiveSmallIntegerField("步骤", choices=rules.STEP_CHOICES)
    round = models.PositiveSmallIntegerField("轮次", default=0)
    date = models.DateField("日期")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="办理组织"
    )
    note = models.CharField("情况说明", max_length=500, blank=True)
    outcome = models.CharField("结果", max_length=20, blank=True)  # 23/24: regularize, extend, cancel
    training_days = models.PositiveSmallIntegerField("集中培训天数", null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField("集中培训学时", null=True, blank=True)
    review_passed = models.BooleanField("政审结论合格", null=True, blank=True)
    # Steps 13, 17, 24: the upper committee did not agree (the note says why). At 24 ``outcome``
    # keeps the branch's resolution that was refused.
    refused = models.BooleanField("上级党委不同意", default=False)
    warnings = models.JSONField("提醒", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "发展步骤"
        verbose_name_plural = "发展步骤"
        ordering = ["applicant", "round", "step"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "step", "round"], name="step_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} {rules.step_name(self.step)} {self.date}"


class ActorRole(models.TextChoices):
    TALKER = "talker", "谈话人"
    CONTACT = "contact", "培养联系人"
    INTRODUCER = "introducer", "入党介绍人"


class StepActor(models.Model):
    """A member who acted in a step: talker, contact (培养联系人) or introducer (入党介绍人)."""

    record = models.ForeignKey(StepRecord, on_delete=models.CASCADE, related_name="actors", verbose_name="步骤")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    role = models.CharField("角色", max_length=12, choices=ActorRole.choices)

    class Meta:
        verbose_name = "步骤参与人"
        verbose_name_plural = "步骤参与人"
        constraints = [models.UniqueConstraint(fields=["record", "member", "role"], name="step_actor_once")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member}"


class BranchVote(models.Model):
    """支部大会表决 (steps 15 and 23): who was expected, present, and how they voted. The
    expected count is computed by the service as of the meeting date; ``excluded`` lists members
    left out of it by the branch, with the reason (RULES.md §1.3 [U]: kept auditable)."""

    record = models.OneToOneField(StepRecord, on_delete=models.CASCADE, related_name="vote", verbose_name="步骤")
    expected = models.PositiveIntegerField("应到会有表决权的正式党员")
    present = models.PositiveIntegerField("实到会有表决权的正式党员")
    yes = models.PositiveIntegerField("赞成")
    no = models.PositiveIntegerField("反对")
    abstain = models.PositiveIntegerField("弃权")
    written_yes = models.PositiveIntegerField("书面赞成意见", default=0)
    written_no = models.PositiveIntegerField("书面反对意见", default=0)
    written_abstain = models.PositiveIntegerField("书面弃权意见", default=0)
    excluded = models.JSONField("不计入应到会人数的党员", default=list, blank=True)
    arithmetic = models.CharField("计票", max_length=300)

    class Meta:
        verbose_name = "支部大会表决"
        verbose_name_plural = "支部大会表决"

    def __str__(self) -> str:
        return self.arithmetic


class AssessmentKind(models.TextChoices):
    ACTIVIST = "activist", "培养考察"  # 入党积极分子: steps 3–6, checked (blocking) at step 7
    PROBATION = "probation", "预备期考察"  # 预备党员 (step 21 继续教育考察): advisory at step 23


class Assessment(models.Model):
    """The branch's half-yearly assessment (每半年一次) of an activist (培养考察) or of a
    probationary member (预备期考察); the service sets the kind from where the file stands."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="assessments", verbose_name="档案")
    kind = models.CharField("考察类别", max_length=10, choices=AssessmentKind.choices, default=AssessmentKind.ACTIVIST)
    date = models.DateField("考察日期")
    note = models.CharField("考察意见", max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="录入人"
    )

    class Meta:
        verbose_name = "考察记录"
        verbose_name_plural = "考察记录"
        ordering = ["applicant", "date"]

    def __str__(self) -> str:
        return f"{self.applicant} {self.date}"


class DocumentKind(models.TextChoices):
    """The five-stage checklist of what the branch keeps (RULES.md §1.2 step 25)."""

    APPLICATION = "application", "入党申请书"
    TALK = "talk", "谈话记录"
    ACTIVIST = "activist", "积极分子推荐及确定材料"
    ASSESSMENT = "assessment", "培养考察登记表"
    TARGET = "target", "发展对象确定及备案材料"
    REVIEW = "review", "政治审查材料"
    TRAINING = "training", "集中培训结业证明"
    VOLUNTEER = "volunteer", "入党志愿书"
    RESOLUTION = "resolution", "支部大会决议"
    APPROVAL = "approval", "上级党委审批意见"
    REGULARIZATION = "regularization", "转正申请书"
    OTHER = "other", "其他材料"


CHECKLIST: dict[rules.Stage, tuple[DocumentKind, ...]] = {
    rules.Stage.APPLICATION: (DocumentKind.APPLICATION, DocumentKind.TALK),
    rules.Stage.ACTIVIST: (DocumentKind.ACTIVIST, DocumentKind.ASSESSMENT),
    rules.Stage.CANDIDATE: (DocumentKind.TARGET, DocumentKind.REVIEW, DocumentKind.TRAINING),
    rules.Stage.ADMISSION: (DocumentKind.VOLUNTEER, DocumentKind.RESOLUTION, DocumentKind.APPROVAL),
    rules.Stage.PROBATION: (DocumentKind.REGULARIZATION,),
}


class Document(models.Model):
    """An uploaded document of the file (stored under MEDIA_ROOT)."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="documents", verbose_name="档案")
    kind = models.CharField("材料类别", max_length=20, choices=DocumentKind.choices)
    file = models.FileField("文件", upload_to="development/%Y/%m/")
    file_name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "发展党员材料"
        verbose_name_plural = "发展党员材料"
        ordering = ["applicant", "kind", "uploaded_at"]

    def __str__(self) -> str:
        return self.file_name


class Publicity(models.Model):
    """公示: the publicity the branch held before a step (the activist 3, the development target 7,
    the admission's approval 17, the regularization's approval 24), from ``start`` to ``end``, and
    what came of it (objections raised and how they were settled, or 无异议). The rule table's
    publicity rows check it when that step is entered."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="publicity", verbose_name="档案")
    step = models.PositiveSmallIntegerField("公示事项", choices=rules.PUBLICITY_CHOICES)
    round = models.PositiveSmallIntegerField("轮次", default=0)
    start = models.DateField("公示开始日期")
    end = models.DateField("公示结束日期")
    result = models.CharField("公示结果", max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "发展党员公示"
        verbose_name_plural = "发展党员公示"
        ordering = ["applicant", "start", "step"]
        constraints = [models.CheckConstraint(condition=Q(start__lte=models.F("end")), name="publicity_start_end")]

    def __str__(self) -> str:
        return f"{self.applicant} {self.get_step_display()} {self.start}—{self.end}"

    @property
    def working_days(self) -> int:
        return rules.working_days(self.start, self.end)


class RuleKind(models.TextChoices):
    INTERVAL = "interval", "步骤间隔"
    PUBLICITY = "publicity", "公示期"


class IntervalRule(models.Model):
    """The rule table. An interval rule: step ``to_step`` at least / at most ``amount`` ``unit``
    after ``from_step`` (0: birth). A publicity rule: before ``to_step``, a publicity (公示) of at
    least ``amount`` working days, begun on or after ``from_step`` and over before ``to_step``.
    Blocking rules refuse the step; advisory ones warn and are recorded with it. Shipped with
    RULES.md's values, edited by the county."""

    code = models.SlugField("编码", max_length=40, unique=True)
    kind = models.CharField("规则类别", max_length=10, choices=RuleKind.choices, default=RuleKind.INTERVAL)
    from_step = models.PositiveSmallIntegerField("起算步骤", choices=[(0, "出生"), *rules.STEP_CHOICES])
    to_step = models.PositiveSmallIntegerField("检查步骤", choices=rules.STEP_CHOICES)
    at_least = models.BooleanField("至少（否则为至多）")
    amount = models.PositiveSmallIntegerField("数量")
    unit = models.CharField("单位", max_length=8, choices=[(u.value, label) for u, label in rules.UNIT_LABELS.items()])
    blocking = models.BooleanField("强制（否则仅提醒）")
    source = models.CharField("依据", max_length=200, blank=True)  # blank: the messages cite nothing
    active = models.BooleanField("启用", default=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "发展党员时限规则"
        verbose_name_plural = "发展党员时限规则"
        ordering = ["to_step", "from_step", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(from_step__lt=models.F("to_step")), name="interval_rule_forward"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="interval_rule_positive"),
        ]

    def __str__(self) -> str:
        return self.as_rule().text

    def as_rule(self) -> rules.Interval:
        return rules.Interval(
            self.code,
            self.from_step,
            self.to_step,
            self.at_least,
            self.amount,
            self.unit,
            self.blocking,
            self.source,
            self.kind,
        )


class Quota(models.Model):
    """发展党员计划: how many development targets (发展对象) an organization may take in a year.
    The county sets its own; each level divides what it holds among organizations of its subtree."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="development_quotas", verbose_name="党组织"
    )
    org_path = PathField("组织路径", max_length=255, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    amount = models.PositiveIntegerField("计划名额")
    given_by = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="下达组织",
    )

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "发展党员计划"
        verbose_name_plural = "发展党员计划"
        ordering = ["year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="quota_once_per_year")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}: {self.amount}"


def round_labels(records: Iterable[StepRecord]) -> dict[int, str]:
    """Why each regularization round after the first began: the step 24 that closed the round
    before it approved an extension, or refused the branch's resolution."""
    return {
        record.round + 1: "（上级党委不同意后重新讨论）" if record.refused else "（延长预备期后）"
        for record in records
        if record.step == rules.REGULARIZATION_APPROVAL
    }
