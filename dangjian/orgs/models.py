"""The organization tree: 党委, 党工委, 党总支 and the branch-level kinds, on a materialized path."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from dangjian.core.fields import PathField
from dangjian.core.history import history_user


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "党委"
    WORKING_COMMITTEE = "working_committee", "党工委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    TEMPORARY_BRANCH = "temporary_branch", "临时党支部"

    @property
    def is_branch_level(self) -> bool:
        return self in BRANCH_LEVEL_KINDS


BRANCH_LEVEL_KINDS = frozenset({OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMPORARY_BRANCH})


class UnitCategory(models.TextChoices):
    """单位类别, the domains the statistics count organizations by (RULES.md §8)."""

    ORGAN = "organ", "机关"
    PUBLIC_INSTITUTION = "public_institution", "事业单位"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    COLLECTIVE_ENTERPRISE = "collective_enterprise", "集体企业"
    NON_PUBLIC_ENTERPRISE = "non_public_enterprise", "非公有制企业"
    SOCIAL_ORGANIZATION = "social_organization", "社会组织"
    TOWNSHIP = "township", "乡镇"
    SUBDISTRICT = "subdistrict", "街道"
    VILLAGE = "village", "行政村"
    COMMUNITY = "community", "城市社区"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    OTHER = "other", "其他"


class SetupMode(models.TextChoices):
    """组建方式 (RULES.md §4; the source reports' "两新" organizations)."""

    SINGLE = "single", "单独组建"
    JOINT = "joint", "联合组建"
    VILLAGE_ENTERPRISE = "village_enterprise", "村企联建"
    AFFILIATED = "affiliated", "挂靠联建"
    INDUSTRY = "industry", "行业统建"


class Organization(MP_Node):
    """A Party organization. Abolished ones (撤销) stay for history; deleted ones are hidden."""

    path = PathField(max_length=255, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    code = models.CharField("组织代码", max_length=32, unique=True)
    kind = models.CharField("组织类别", max_length=20, choices=OrgKind.choices)
    unit_category = models.CharField("单位类别", max_length=30, choices=UnitCategory.choices)
    holds_members_directly = models.BooleanField(
        "直接管理党员",
        default=False,
        help_text="党委、党总支经批准直接管理党员时勾选；党支部一级总是直接管理党员。",
    )
    setup_mode = models.CharField("组建方式", max_length=20, choices=SetupMode.choices, blank=True)
    setup_approval = models.CharField(
        "批准文件",
        max_length=100,
        blank=True,
        help_text="低于人数标准设立党总支、党委，或党委、党总支直接管理党员时，上级批准的文号",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    founded_date = models.DateField("成立日期", null=True, blank=True)
    abolished_date = models.DateField("撤销日期", null=True, blank=True)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["numchild"])

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        constraints = [
            models.CheckConstraint(
                condition=Q(abolished_date__isnull=True)
                | Q(founded_date__isnull=True)
                | Q(abolished_date__gte=models.F("founded_date")),
                name="organization_abolished_after_founded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_enum(self) -> OrgKind:
        return OrgKind(self.kind)

    @property
    def holds_members(self) -> bool:
        return self.kind_enum.is_branch_level or self.holds_members_directly

    @property
    def is_abolished(self) -> bool:
        return self.abolished_date is not None

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class CoveredUnit(models.Model):
    """A unit (company, school, …) an organization covers; a 联合党支部 covers several."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="covered_units", verbose_name="党组织"
    )
    name = models.CharField("单位名称", max_length=100)
    unit_category = models.CharField("单位类别", max_length=30, choices=UnitCategory.choices)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "覆盖单位"
        verbose_name_plural = "覆盖单位"
        ordering = ["organization", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="covered_unit_unique")]

    def __str__(self) -> str:
        return self.name


class CoManagementKind(models.TextChoices):
    TERRITORIAL = "territorial", "属地共管"
    MUTUAL = "mutual", "双向共管"


class CoManagement(models.Model):
    """属地共管 / 双向共管: besides its vertical line, ``organization`` is co-managed by
    ``co_manager`` (a town's 区域化党建 over the schools and hospitals in the town). The
    co-manager sees the organization's profile, counts and compliance, never its members."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="co_managers", verbose_name="被共管组织"
    )
    co_manager = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="co_managed", verbose_name="共管组织"
    )
    kind = models.CharField("共管方式", max_length=20, choices=CoManagementKind.choices)
    since = models.DateField("起始日期")
    until = models.DateField("终止日期", null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "共管关系"
        verbose_name_plural = "共管关系"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "co_manager"], condition=Q(until__isnull=True), name="co_management_open_once"
            ),
            models.CheckConstraint(condition=~Q(organization=F("co_manager")), name="co_management_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.co_manager} {self.get_kind_display()} {self.organization}"


class StructureThresholds(models.Model):
    """The numbers of the structure rules (RULES.md §4), as data a province may adjust."""

    branch_min_full_members = models.PositiveSmallIntegerField("党支部最少正式党员数", default=3)
    branch_max_members = models.PositiveSmallIntegerField("党支部党员数一般不超过", default=50)
    committee_from_full_members = models.PositiveSmallIntegerField("设支部委员会的正式党员数", default=7)
    general_branch_min_members = models.PositiveSmallIntegerField("设党总支的党员数", default=50)
    committee_min_members = models.PositiveSmallIntegerField("设基层党委的党员数", default=100)
    joint_branch_max_units = models.PositiveSmallIntegerField("联合党支部覆盖单位一般不超过", default=5)
    term_warning_months = models.PositiveSmallIntegerField("届满前提醒（月）", default=6)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "组织设置标准"
        verbose_name_plural = "组织设置标准"

    def __str__(self) -> str:
        return "组织设置标准"

    @classmethod
    def current(cls) -> "StructureThresholds":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class RestructuringKind(models.TextChoices):
    MERGE = "merge", "撤并"
    SPLIT = "split", "拆分"
    MOVE = "move", "调整隶属关系"
    CHANGE_KIND = "change_kind", "组织改建"
    ABOLISH = "abolish", "撤销"


class Restructuring(models.Model):
    """One restructuring (组织调整) as it was done: what, when, by whom, and (in its items) where
    every member, party group, committee and sub-organization came from and went."""

    kind = models.CharField("调整方式", max_length=20, choices=RestructuringKind.choices)
    effective_date = models.DateField("调整日期")
    subject = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="restructurings", verbose_name="调整后组织"
    )
    summary = models.JSONField("概要", default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="操作人"
    )
    created_at = models.DateTimeField("办理时间", auto_now_add=True)

    class Meta:
        verbose_name = "组织调整"
        verbose_name_plural = "组织调整"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject} {self.effective_date}"


class RestructuringItem(models.Model):
    """One thing moved by a restructuring, from one organization to another."""

    restructuring = models.ForeignKey(Restructuring, on_delete=models.CASCADE, related_name="items")
    item_type = models.CharField("对象类型", max_length=30)  # "organization", "member", "party_group", …
    item_id = models.PositiveBigIntegerField("对象编号")
    item_repr = models.CharField("对象", max_length=200)
    from_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="原组织"
    )
    to_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="新组织"
    )

    class Meta:
        verbose_name = "组织调整明细"
        verbose_name_plural = "组织调整明细"
        indexes = [models.Index(fields=["item_type", "item_id"], name="restructuring_item_lookup")]

    def __str__(self) -> str:
        return f"{self.item_repr}: {self.from_organization_id} → {self.to_organization_id}"
