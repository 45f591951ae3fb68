"""The member registry (党员花名册) and where each member belonged when (membership periods)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from dangjian.core.enums import Education, Ethnicity, Gender
from dangjian.core.fields import PathField
from dangjian.core.history import history_user
from dangjian.core.idnumber import mask_id_number


class Category(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class Status(models.TextChoices):
    NORMAL = "normal", "正常"
    MOBILE = "mobile", "流动"
    LOST_CONTACT = "lost_contact", "失联"
    ABROAD = "abroad", "出国(境)"
    SUSPENDED = "suspended", "停止党籍"
    DECEASED = "deceased", "已故"
    LEFT = "left", "出党"

    @property
    def is_on_roll(self) -> bool:
        """Still a member of the organization (counted in its 党员数)."""
        return self not in (Status.DECEASED, Status.LEFT)


class PartyGroup(models.Model):
    """党小组: a group inside a branch; each member is in at most one, one member leads it."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="party_groups", verbose_name="所在党支部"
    )
    name = models.CharField("名称", max_length=50)
    leader = models.ForeignKey(
        "Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="党小组长"
    )
    dissolved_date = models.DateField("撤销日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "党小组"
        verbose_name_plural = "党小组"
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                condition=Q(dissolved_date__isnull=True),
                name="party_group_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A Party member. ``organization`` is where the member belongs now; ``org_path`` copies its
    tree path so that "members under this organization" is one index range scan, and the roster's
    order (organization, then name) is the same index. Both change only through the services."""

    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名全拼", max_length=200, editable=False)
    name_initials = models.CharField("姓名拼音首字母", max_length=50, editable=False, db_index=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN)
    birth_date = models.DateField("出生日期")
    id_number = models.CharField("公民身份号码", max_length=18, unique=True)
    education = models.CharField("学历", max_length=30, choices=Education.choices)
    category = models.CharField("人员类别", max_length=20, choices=Category.choices)
    joined_date = models.DateField("入党日期")
    regularized_date = models.DateField("转正日期", null=True, blank=True)
    status = models.CharField("党籍状态", max_length=20, choices=Status.choices, default=Status.NORMAL)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="members", verbose_name="所在党组织"
    )
    org_path = PathField("组织路径", max_length=255, editable=False)
    party_group = models.ForeignKey(
        PartyGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name="党小组"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name="登录账号",
    )
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["org_path", "name_pinyin", "id"]
        indexes = [
            # The subtree filter, its count and the roster's first page are one range scan of this
            # index. Only live rows are in it (the scope always asks for those), and on PostgreSQL
            # it carries the status too, so counts by subtree never touch the table.
            models.Index(
                fields=["org_path", "name_pinyin", "id"],
                include=["status"],
                condition=Q(deleted_at__isnull=True),
                name="member_roster_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(joined_date__gt=F("birth_date")), name="member_joined_after_birth"),
            models.CheckConstraint(
                condition=Q(regularized_date__isnull=True) | Q(regularized_date__gt=F("joined_date")),
                name="member_regularized_after_joined",
            ),
            models.CheckConstraint(
                condition=~Q(category=Category.PROBATIONARY) | Q(regularized_date__isnull=True),
                name="member_probationary_not_regularized",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class MembershipPeriod(models.Model):
    """The member belonged to the organization on the days ``start`` ≤ d < ``end`` (open while
    current): a move on date D ends one period and starts the next on D, so periods of one member
    neither overlap nor leave a gap, and "who belonged where on date D" is one query (DESIGN.md:
    time is data)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="periods", verbose_name="党员")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="membership_periods", verbose_name="党组织"
    )
    start = models.DateField("起始日期")
    end = models.DateField("截止日期", null=True, blank=True)
    reason = models.CharField("原因", max_length=100, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "组织隶属期间"
        verbose_name_plural = "组织隶属期间"
        ordering = ["member", "start"]
        indexes = [models.Index(fields=["organization", "start"], name="period_org_start")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(end__isnull=True), name="period_one_open_per_member"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="period_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.organization} {self.start}–{self.end or ''}"
