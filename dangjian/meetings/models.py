"""Organizational life (组织生活): meetings as they were held, who was expected and who came, and
the compliance rules (三会一课 and the rest) as effective-dated data."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from dangjian.core.fields import PathField
from dangjian.core.history import history_user


class Attendees(models.TextChoices):
    """Who is expected at a meeting of this kind (应到人员), read from the records on its date."""

    ROLL = "roll", "本组织党员"
    GROUP = "group", "党小组成员"
    COMMITTEE = "committee", "支部委员会委员"
    CHOSEN = "chosen", "指定人员"  # 谈心谈话: the people talked with


class MeetingKind(models.Model):
    """A kind of organizational life (支部党员大会, 支部委员会, 党课…). Kinds are data: a county may
    add one (an 党建联席会, say); the shipped kinds' codes are what the rules and the reports use."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    attendees = models.CharField("应到人员", max_length=20, choices=Attendees.choices, default=Attendees.ROLL)
    has_lecturer = models.BooleanField("须填写授课人", default=False)
    needs_quorum = models.BooleanField("须过半数到会", default=False)
    # A meeting held as this kind can also count for the kinds listed here (主题党日 held as a 党员大会
    # with a 党课); two kinds neither of which allows the other cannot be one meeting.
    combines_with = models.ManyToManyField("self", blank=True, verbose_name="可合并召开的类型")
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "组织生活类型"
        verbose_name_plural = "组织生活类型"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """One meeting as held: its organization (a branch, a 总支, a committee; for a 党小组会 the
    branch and the group), the date it was held on (compliance counts it then, never by the day it
    was typed in), the people who ran it and what it decided. ``kinds``: every kind it fulfils."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="meetings", verbose_name="党组织"
    )
    org_path = PathField("组织路径", max_length=255, editable=False)
    party_group = models.ForeignKey(
        "members.PartyGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="党小组",
    )
    kinds = models.ManyToManyField(MeetingKind, related_name="meetings", verbose_name="组织生活类型")
    held_on = models.DateField("召开日期")
    starts_at = models.TimeField("开始时间")
    ends_at = models.TimeField("结束时间", null=True, blank=True)
    place = models.CharField("地点", max_length=100)
    topic = models.CharField("主题", max_length=200)
    host = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主持人"
    )
    recorder = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="记录人"
    )
    lecturer = models.CharField("授课人", max_length=50, blank=True)
    lecturer_member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="授课党员",
    )
    lecturer_post = models.CharField("授课人职务", max_length=100, blank=True)
    content = models.TextField("主要内容", blank=True)
    decisions = models.TextField("议定事项", blank=True)
    minutes = models.TextField("会议记录", blank=True)
    entered_on = models.DateField("录入日期")
    backfilled = models.BooleanField("补录", default=False)
    # A 支委会 below its quorum is kept (the record is true) but counts for no rule.
    quorum_met = models.BooleanField("到会人数过半", null=True, blank=True)
    counted = models.BooleanField("计入组织生活", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True, editable=False)

    history = HistoricalRecords(get_user=history_user, m2m_fields=[kinds])

    class Meta:
        verbose_name = "组织生活记录"
        verbose_name_plural = "组织生活记录"
        ordering = ["-held_on", "-starts_at", "-id"]
        indexes = [
            # A subtree's meetings of a year (the heat map, the branch page): one range scan.
            models.Index(fields=["org_path", "held_on"], condition=Q(deleted_at__isnull=True), name="meeting_subtree"),
            models.Index(fields=["organization", "held_on"], name="meeting_org_held"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(entered_on__gte=F("held_on")), name="meeting_entered_after_held"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"


class Presence(models.TextChoices):
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"
    UNMARKED = "unmarked", "未登记"


class Standing(models.TextChoices):
    """How a person attends (参会身份): with a vote, without one, or as a guest."""

    VOTING = "voting", "正式党员"
    PROBATIONARY = "probationary", "预备党员（无表决权）"
    INFLOW = "inflow", "流入党员（列席）"
    GUEST = "guest", "列席人员"


class Attendance(models.Model):
    """One person at one meeting. The expected (应到) rows are written from the roll on the meeting
    date when the meeting is recorded; a guest is added with the reason."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name="会议")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    standing = models.CharField("参会身份", max_length=20, choices=Standing.choices)
    expected = models.BooleanField("应到", default=True)
    presence = models.CharField("出席情况", max_length=20, choices=Presence.choices, default=Presence.UNMARKED)
    reason = models.CharField("说明", max_length=200, blank=True)  # 请假事由, or why a guest attends
    checked_in_at = models.DateTimeField("扫码签到时间", null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "参会情况"
        verbose_name_plural = "参会情况"
        ordering = ["meeting", "-expected", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_meeting")]
        indexes = [models.Index(fields=["member", "presence"], name="attendance_member")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_presence_display()}"


class MonthTally(models.Model):
    """An organization's organizational life in a year, month by month: for each kind, the meetings
    held that count; for each kind held by party groups, how many of its groups met; the day of its
    last meeting, counted or not. What the compliance of a subtree reads instead of all its
    meetings: one row per organization and year (10^4 for a county of 10^4 branches, against
    4·10^5 meetings). Written only by ``tally.recount``, from the meetings themselves, in the
    transaction of every change to them."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    # {"held": {"<kind id>": "January's count,…,December's"}, "groups": the same for the groups that met}
    months = models.JSONField("每月召开次数", default=dict)
    last_held = models.DateField("本年最近一次召开日期")

    class Meta:
        verbose_name = "组织生活月度计数"
        verbose_name_plural = "组织生活月度计数"
        constraints = [models.UniqueConstraint(fields=["year", "organization"], name="tally_once_per_year")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}"


class AppliesTo(models.TextChoices):
    """Which organizations a compliance rule binds."""

    BRANCH = "branch", "党支部（含联合党支部、临时党支部）"
    GENERAL_BRANCH = "general_branch", "党总支"
    COMMITTEE = "committee", "基层党委、党工委"


class Period(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF_YEAR = "half_year", "每半年"
    YEAR = "year", "每年"


class ComplianceRule(models.Model):
    """At least ``min_count`` meetings of ``kind`` per ``period`` for the organizations it applies
    to, while in force (``valid_from`` ≤ the period's first day ≤ ``valid_to``). A rule that
    changes gets a new row from the day of the change; the old row's ``valid_to`` closes it, so a
    past year's results never change. ``in_quarter``: a yearly duty that falls in a given quarter
    (组织生活会 in Q4). ``per_group``: each party group must meet (党小组会). ``by_secretary``: the
    committee's own secretary gives it (党委书记每年至少讲一次党课)."""

    applies_to = models.CharField("适用组织", max_length=20, choices=AppliesTo.choices)
    unit_category = models.CharField(
        "仅限单位类别", max_length=30, blank=True, help_text="留空：适用于各类单位的党组织"
    )
    kind = models.ForeignKey(MeetingKind, on_delete=models.PROTECT, related_name="rules", verbose_name="组织生活类型")
    period = models.CharField("周期", max_length=20, choices=Period.choices)
    in_quarter = models.PositiveSmallIntegerField("限在第几季度", null=True, blank=True)
    min_count = models.PositiveSmallIntegerField("至少次数", default=1)
    needs_committee = models.BooleanField("仅设支部委员会的组织", default=False)
    per_group = models.BooleanField("每个党小组", default=False)
    by_secretary = models.BooleanField("由本组织书记讲授", default=False)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    basis = models.CharField("依据", max_length=200)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "组织生活规则"
        verbose_name_plural = "组织生活规则"
        ordering = ["applies_to", "kind__order", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="rule_valid_to_after_from"
            ),
            models.CheckConstraint(
                condition=Q(in_quarter__isnull=True) | Q(in_quarter__gte=1, in_quarter__lte=4, period="year"),
                name="rule_quarter_of_a_year",
            ),
            models.CheckConstraint(condition=Q(min_count__gte=1), name="rule_min_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_applies_to_display()} {self.kind} {self.get_period_display()}≥{self.min_count}"


class LifeSettings(models.Model):
    """The settings of organizational life a province chooses (RULES.md §4 gives the defaults)."""

    backfill_allowed = models.BooleanField("允许补录", default=True)
    backfill_days = models.PositiveSmallIntegerField(
        "补录认定天数", default=7, help_text="会议结束后超过此天数录入的，标注为补录"
    )
    silence_days = models.PositiveSmallIntegerField("无组织生活提醒天数", default=30)
    due_soon_days = models.PositiveSmallIntegerField("临期提醒天数", default=10)
    lapse_months = models.PositiveSmallIntegerField("连续未参加组织生活（月）", default=6)
    # 优秀 一般不超过参评党员的1/3 (RULES-2.md §2): the cap is floor(rated ÷ this); empty: no cap
    # ("不下指标、不定比例" in some counties).
    excellent_cap_divisor = models.PositiveSmallIntegerField("优秀比例（参评人数的几分之一）", null=True, default=3)
    ratings_need_approval = models.BooleanField("优秀、不合格须报上级党组织审批", default=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "组织生活设置"
        verbose_name_plural = "组织生活设置"

    def __str__(self) -> str:
        return "组织生活设置"

    @classmethod
    def current(cls) -> "LifeSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()


# --- 民主评议党员: the annual review (RULES-2.md §2) --------------------------------------------


class ReviewRating(models.Model):
    """A rating of the review (优秀/合格/基本合格/不合格: local practice, so data; an older scheme
    has three). ``capped``: the rating the 1/3 cap is about; ``needs_approval``: reported to the
    upper committee for approval where the settings say so; ``failing``: opens the follow-up."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    capped = models.BooleanField("受比例限制", default=False)
    needs_approval = models.BooleanField("须报上级党组织审批", default=False)
    failing = models.BooleanField("不合格", default=False)

    class Meta:
        verbose_name = "民主评议等次"
        verbose_name_plural = "民主评议等次"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """One branch's 民主评议党员 of one year: who takes part (the roll when it was opened), the
    民主测评 tally per member (counts per rating only: the ballot is secret), the committee's rating."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="reviews", verbose_name="党支部"
    )
    org_path = PathField("组织路径", max_length=255, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="评议会议"
    )
    opened_on = models.DateField("开始日期")
    # The steps of 三评一定 as the branch held them: 个人自评 → 党员互评 → 民主测评 (then 组织评定).
    self_assessed_on = models.DateField("个人自评日期", null=True, blank=True)
    mutual_assessed_on = models.DateField("党员互评日期", null=True, blank=True)
    tallied_on = models.DateField("民主测评日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "民主评议党员"
        verbose_name_plural = "民主评议党员"
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="review_once_a_year")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年度民主评议党员"


class Outcome(models.TextChoices):
    """The end of a 限期改正 (RULES-2.md §2; the annual report's table 8)."""

    CORRECTED = "corrected", "已改正"
    PERSUADED_TO_LEAVE = "persuaded_to_leave", "劝其退党"
    REMOVED = "removed", "除名"


class ReviewEntry(models.Model):
    """One member in one review. 预备党员 take part without a rating (``rated`` false)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="entries", verbose_name="民主评议")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    rated = models.BooleanField("评定等次", default=True)
    tally = models.JSONField("民主测评票数", default=dict, blank=True)  # {rating code: votes}
    rating = models.ForeignKey(
        ReviewRating, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="评定等次"
    )
    rating_reason = models.CharField("说明", max_length=200, blank=True)  # above the cap, or why
    approval = models.BooleanField("上级审批", null=True, blank=True)  # None: not needed or pending
    approved_on = models.DateField("审批日期", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    correction_from = models.DateField("限期改正起始", null=True, blank=True)
    correction_until = models.DateField("限期改正期限", null=True, blank=True)
    outcome = models.CharField("处置结果", max_length=30, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField("处置日期", null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "民主评议结果"
        verbose_name_plural = "民主评议结果"
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="review_entry_once"),
            models.CheckConstraint(
                condition=Q(rated=True) | Q(rating__isnull=True), name="review_probationary_unrated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.rating or ''}"


class Attachment(models.Model):
    """A photo or document of a meeting (签到表, 会议照片, 记录本的扫描件), stored under MEDIA_ROOT and
    read only through the scope; a photo has a small thumbnail made when it is uploaded."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name="会议")
    file = models.FileField("文件", upload_to="meetings/%Y/%m/")
    thumbnail = models.FileField("缩略图", upload_to="meetings/%Y/%m/thumbs/", blank=True)
    file_name = models.CharField("文件名", max_length=200)
    is_image = models.BooleanField("照片", default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.file_name
