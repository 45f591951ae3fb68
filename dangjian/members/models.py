"""The member registry (党员花名册) and where each member belonged when (membership periods)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from dangjian.core.crypto import lookup_hash
from dangjian.core.enums import Degree, Education, Ethnicity, Gender, Occupation
from dangjian.core.fields import BytewiseCharField, EncryptedTextField, PathField
from dangjian.core.history import history_user
from dangjian.core.idnumber import mask_id_number, mask_phone


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
    # The relation went to an organization outside this system (组织关系转往系统外): the record
    # stays, off the roll, until a letter brings the person back (members.moves).
    TRANSFERRED_OUT = "transferred_out", "已转出"

    @property
    def is_on_roll(self) -> bool:
        """Still a member of the organization (counted in its 党员数)."""
        return self not in (Status.DECEASED, Status.LEFT, Status.TRANSFERRED_OUT)

    @property
    def is_set_directly(self) -> bool:
        """Chosen on the status form or at registration; 已转出 is recorded by the transfer's 回执."""
        return self != Status.TRANSFERRED_OUT


# The statuses a form offers (变更党籍状态, 登记党员): all but the one a transfer records.
DIRECT_STATUS_CHOICES = [(status.value, status.label) for status in Status if status.is_set_directly]


class LeftReason(models.TextChoices):
    """出党 and how (the 出党 table of the annual report, RULES.md §6, §8)."""

    WITHDREW = "withdrew", "退党除名"
    REMOVED = "removed", "除名"
    LAPSED = "lapsed", "自行脱党除名"
    EXPELLED = "expelled", "开除党籍"
    PROBATION_CANCELLED = "probation_cancelled", "取消预备党员资格"


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
    # Lower-case ASCII: compared byte-wise (the roster index orders by it; see BytewiseCharField).
    name_pinyin = BytewiseCharField("姓名全拼", max_length=200, editable=False)
    name_initials = models.CharField("姓名拼音首字母", max_length=50, editable=False, db_index=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN)
    native_place = models.CharField("籍贯", max_length=50, blank=True)
    birth_date = models.DateField("出生日期")
    # Personal data: encrypted, found by keyed hash (core.crypto); the last four characters are
    # kept plain for the search box, as the masked display shows them anyway.
    id_number = EncryptedTextField("公民身份号码")
    id_hash = models.UUIDField("公民身份号码索引", editable=False)  # 128 bits of a keyed hash, not a UUID
    id_tail = models.CharField("公民身份号码末四位", max_length=4, editable=False)
    education = models.CharField("学历", max_length=30, choices=Education.choices)
    degree = models.CharField("学位", max_length=20, choices=Degree.choices, blank=True)
    occupation = models.CharField("职业类别", max_length=20, choices=Occupation.choices, blank=True)
    job = models.CharField("工作单位及职务", max_length=100, blank=True)
    phone = EncryptedTextField("联系电话", null=True, blank=True)
    phone_hash = models.UUIDField("联系电话索引", null=True, blank=True, editable=False)
    phone_tail = models.CharField("联系电话末四位", max_length=4, blank=True, editable=False)
    address = models.CharField("家庭住址", max_length=200, blank=True)
    category = models.CharField("人员类别", max_length=20, choices=Category.choices)
    joined_date = models.DateField("入党日期")
    regularized_date = models.DateField("转正日期", null=True, blank=True)
    is_central_household = models.BooleanField("党员中心户", default=False)
    status = models.CharField("党籍状态", max_length=20, choices=Status.choices, default=Status.NORMAL)
    status_date = models.DateField("状态变更日期", null=True, blank=True)
    status_reason = models.CharField("状态变更原因", max_length=200, blank=True)
    left_reason = models.CharField("出党方式", max_length=30, choices=LeftReason.choices, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="members", verbose_name="所在党组织"
    )
    org_path = PathField("组织路径", max_length=255, editable=False)
    party_group = models.ForeignKey(
        PartyGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="党小组",
        db_index=False,  # a partial index below: most members are in no group
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
            # Declared here, not as db_index/unique on the fields: those add a second
            # (varchar_pattern_ops) index on PostgreSQL for LIKE, which these columns never serve
            # and which every insert (the import's COPY) would pay for.
            models.Index(fields=["id_tail"], name="member_id_tail"),
            models.Index(fields=["phone_hash"], name="member_phone_hash"),
            # Only members in a group: the NULLs, most rows, are never looked up by it (a group's
            # members are), and an import does not pay an index entry for each of them.
            models.Index(fields=["party_group"], condition=Q(party_group__isnull=False), name="member_party_group"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_hash"], name="member_one_record_per_person"),
            models.CheckConstraint(condition=Q(joined_date__gt=F("birth_date")), name="member_joined_after_birth"),
            models.CheckConstraint(
                condition=Q(regularized_date__isnull=True) | Q(regularized_date__gt=F("joined_date")),
                name="member_regularized_after_joined",
            ),
            models.CheckConstraint(
                condition=~Q(category=Category.PROBATIONARY) | Q(regularized_date__isnull=True),
                name="member_probationary_not_regularized",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.LEFT) ^ Q(left_reason=""), name="member_left_reason_when_left"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone or "")

    @staticmethod
    def id_columns(number: str) -> dict[str, Any]:
        """The number (already validated and normalised) with its lookup hash and search tail."""
        return {"id_number": number, "id_hash": lookup_hash(number), "id_tail": number[-4:]}

    @staticmethod
    def phone_columns(phone: str) -> dict[str, Any]:
        if not phone:
            return {"phone": None, "phone_hash": None, "phone_tail": ""}
        return {"phone": phone, "phone_hash": lookup_hash(phone), "phone_tail": phone[-4:]}


class MembershipPeriod(models.Model):
    """The member belonged to the organization on the days ``start`` ≤ d < ``end`` (open while
    current): a move on date D ends one period and starts the next on D, so periods of one member
    neither overlap nor leave a gap, and "who belonged where on date D" is one query (DESIGN.md:
    time is data)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="periods", verbose_name="党员")
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="membership_periods",
        verbose_name="党组织",
        db_index=False,  # period_org_start begins with it: a second index would only slow inserts
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


class StatusPeriod(models.Model):
    """The member's 党籍状态 on the days ``start`` ≤ d < ``end``, like membership periods: a change
    on date D ends one period and starts the next on D, so "status on date D" is one query. The
    category needs no table of its own: a member is 预备 from the joined date and 正式 from the
    regularized date."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_periods", verbose_name="党员")
    status = models.CharField("党籍状态", max_length=20, choices=Status.choices)
    start = models.DateField("起始日期")
    end = models.DateField("截止日期", null=True, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)
    left_reason = models.CharField("出党方式", max_length=30, choices=LeftReason.choices, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "党籍状态期间"
        verbose_name_plural = "党籍状态期间"
        ordering = ["member", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(end__isnull=True), name="status_one_open_per_member"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="status_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()} {self.start}–{self.end or ''}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "校验中"
    FAILED = "failed", "有错误，未导入"
    DONE = "done", "已导入"


class MemberImport(models.Model):
    """One upload of the member workbook (党员信息导入): validated whole, committed all or nothing.
    The upload holds ID numbers in clear, so it is deleted when the job ends; the job (who, when,
    which file, how many rows) and the periods' reason 登记入册（导入） record where rows came from.
    A running job touches ``heartbeat_at`` while its process lives: one whose process died (killed,
    out of memory) stops touching it and is failed by the worker (``tasks.recover_interrupted``)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="导入时所在组织"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="导入人"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    file = models.FileField("上传文件", upload_to="imports/%Y/%m/")
    file_name = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已校验行数", default=0)
    created_count = models.PositiveIntegerField("导入人数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误明细（前若干条）", default=list, blank=True)
    message = models.CharField("说明", max_length=300, blank=True)
    report = models.FileField("标注错误的工作簿", upload_to="imports/%Y/%m/", blank=True)
    heartbeat_at = models.DateTimeField("最近运行时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "党员信息导入"
        verbose_name_plural = "党员信息导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    ACCEPTED = "accepted", "已采纳"
    REJECTED = "rejected", "未采纳"


class CorrectionRequest(models.Model):
    """A member asks for their own record to be corrected (信息更正申请); the branch's
    administrator accepts it (the change is made through the member service) or rejects it."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="corrections", verbose_name="党员")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    changes = models.JSONField("申请更正的内容")
    reason = models.CharField("说明", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_note = models.CharField("处理意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "信息更正申请"
        verbose_name_plural = "信息更正申请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="pending"), name="correction_one_pending_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.created_at:%Y-%m-%d} {self.get_status_display()}"
