"""What the statistics keep: reports computed in the background (so a large subtree's page need
not wait) and reports submitted upward (报送), frozen with the time and the person."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.fields import PathField
from dangjian.orgs.models import UnitCategory


class SnapshotState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "统计中"
    DONE = "done", "已完成"
    FAILED = "failed", "统计失败"


class Snapshot(models.Model):
    """A report computed for an organization and a date, kept: a whole county's takes about a
    second, so the dashboard and the report page show the kept one with the time it was computed,
    and compute it again on request (in the task worker for large subtrees)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="党组织"
    )
    org_path = PathField("组织路径", max_length=255, editable=False)
    day = models.DateField("统计日期")
    form_code = models.CharField("表式", max_length=20)
    state = models.CharField("状态", max_length=10, choices=SnapshotState.choices, default=SnapshotState.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    figures = models.JSONField("各表数字", default=dict)
    parts = models.JSONField("所属各党组织的数字", default=dict)
    series = models.JSONField("图表数据", default=dict)
    members = models.PositiveIntegerField("党员数", default=0)  # what it cost: chooses the worker next time
    requested_at = models.DateTimeField("请求时间", auto_now_add=True)
    computed_at = models.DateTimeField("统计时间", null=True, blank=True)
    message = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "统计结果"
        verbose_name_plural = "统计结果"
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="snapshot_one_per_day")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.get_state_display()}"


class SubmissionState(models.TextChoices):
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"


class Submission(models.Model):
    """报送: a committee's report for a year, frozen. The level above sees it, aggregates it, and
    may return it with a reason; returned, it stays as history and a new one is submitted.
    ``roll`` keeps who was counted on the report date (member ids, compressed), so later
    corrections show member by member against what was submitted."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="报送党组织"
    )
    org_path = PathField("组织路径", max_length=255, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    day = models.DateField("统计日期")
    form_code = models.CharField("表式", max_length=20)
    figures = models.JSONField("各表数字")
    parts = models.JSONField("所属各党组织的数字", default=dict)
    roll = models.BinaryField("报送时在册党员", editable=False)
    checks_failed = models.PositiveSmallIntegerField("未通过的审核公式", default=0)
    note = models.CharField("报送说明", max_length=500, blank=True)
    state = models.CharField("状态", max_length=10, choices=SubmissionState.choices, default=SubmissionState.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="报送人"
    )
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="退回人",
    )
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "统计年报报送"
        verbose_name_plural = "统计年报报送"
        ordering = ["org_path", "-year", "-submitted_at"]
        indexes = [models.Index(fields=["org_path", "year"], name="submission_path_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                condition=Q(state="submitted"),
                name="submission_one_standing_per_year",
            ),
            models.CheckConstraint(
                condition=Q(state="submitted") | (Q(returned_at__isnull=False) & ~Q(return_reason="")),
                name="submission_returned_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year} {self.get_state_display()}"


class UnitClosing(models.TextChoices):
    ORGANIZED = "organized", "已建立党组织"
    COVERED = "covered", "已纳入联合党支部"
    GONE = "gone", "单位注销或撤并"


class UncoveredUnit(models.Model):
    """未建立党组织的单位: a unit (enterprise, social organization, village…) in a committee's area
    with no Party organization yet, kept by that committee (属地管理) from the day it is listed
    until an organization is set up for it, a joint branch takes it in, or the unit is gone: the
    党组织覆盖情况 counts it as of any date."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="属地党组织"
    )
    org_path = PathField("组织路径", max_length=255, editable=False)
    name = models.CharField("单位名称", max_length=100)
    unit_category = models.CharField("单位类别", max_length=30, choices=UnitCategory.choices)
    employees = models.PositiveIntegerField("从业人员数", null=True, blank=True)
    party_members = models.PositiveSmallIntegerField("党员人数", default=0)
    listed_on = models.DateField("登记日期")
    closed_on = models.DateField("销号日期", null=True, blank=True)
    closing = models.CharField("销号原因", max_length=20, choices=UnitClosing.choices, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "未建立党组织的单位"
        verbose_name_plural = "未建立党组织的单位"
        ordering = ["org_path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], condition=Q(closed_on__isnull=True), name="uncovered_unit_open_once"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, closing="")
                | (Q(closed_on__gte=models.F("listed_on")) & ~Q(closing="")),
                name="uncovered_unit_closed_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name
