"""Party dues (党费): the standards that turn a base into a monthly amount, as effective-dated data. A
province or county adds a standard of its own from a date (a farmer's amount of its own, a
university counting 30% of a pension); a past standard is never edited, so a past month keeps the
amount it was owed."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from dangjian.core.fields import PathField
from dangjian.core.history import history_user

from . import rules


class DuesStandard(models.Model):
    """The brackets, rates and fixed amounts in force from ``valid_from`` to ``valid_to`` (both
    inclusive) in ``region`` (blank: everywhere without a standard of its own)."""

    name = models.CharField("名称", max_length=100)
    region = models.CharField("适用地区", max_length=50, blank=True, help_text="留空为全国标准")
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    in_service_brackets = models.JSONField(
        "在职党员交纳比例", help_text="[[上限（含）, 比例], …]，最后一档上限为 null：按全部基数计算，不累进"
    )
    retired_brackets = models.JSONField("离退休党员交纳比例")
    retired_base_share = models.DecimalField(
        "离退休费计入基数的比例",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
    )
    farmer_amount = models.DecimalField(
        "农民党员每月交纳金额",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
        validators=[MinValueValidator(Decimal("0.20")), MaxValueValidator(Decimal("1.00"))],
        help_text="0.2元至1元，由省级党委确定（第六条）",
    )
    small_fixed_amount = models.DecimalField(
        "学生、下岗失业、抚恤救济、低保党员每月交纳金额", max_digits=4, decimal_places=2, default=Decimal("0.20")
    )
    rounding = models.CharField(
        "计算到",
        max_length=20,
        choices=[
            (rules.Rounding.FEN_HALF_UP.value, "分（四舍五入）"),
            (rules.Rounding.JIAO_HALF_UP.value, "角（四舍五入）"),
            (rules.Rounding.FEN_DOWN.value, "分（分以下舍去）"),
        ],
        default=rules.Rounding.FEN_HALF_UP.value,
    )
    basis = models.CharField("依据", max_length=200)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "党费交纳标准"
        verbose_name_plural = "党费交纳标准"
        ordering = ["region", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="dues_standard_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region or '全国'} {self.name}（{self.valid_from:%Y-%m-%d}起）"

    def clean(self) -> None:
        errors = {}
        for field in ("in_service_brackets", "retired_brackets"):
            value = getattr(self, field)
            problem = rules.brackets_problem(value) if isinstance(value, list) else "应为各档上限和比例的列表"
            if problem:
                errors[field] = problem
        if errors:
            raise ValidationError(errors)

    def as_rules(self) -> rules.Standard:
        return rules.Standard(
            in_service=rules.parsed(self.in_service_brackets),
            retired=rules.parsed(self.retired_brackets),
            retired_base_share=self.retired_base_share,
            farmer_amount=self.farmer_amount,
            small_fixed_amount=self.small_fixed_amount,
            rounding=rules.Rounding(self.rounding),
        )


class Relief(models.TextChoices):
    """Hardship (第七条): the branch studies the case, the committee above approves."""

    NONE = "", "无"
    REDUCED = "reduced", "少交"
    EXEMPT = "exempt", "免交"


CATEGORY_CHOICES = [(category.value, category.label) for category in rules.Category]


class DuesBasis(models.Model):
    """How a member's dues are worked out from ``valid_from`` (a month's first day) until the next
    basis: the category, the base (for the categories paid by rate), a hardship reduction or
    exemption, and the monthly amount these give under the standard in force. A new salary, a
    retirement or a new standard adds a basis; the earlier one ends the month before."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues_bases")
    valid_from = models.DateField("起始月份")
    valid_to = models.DateField("截止月份", null=True, blank=True, editable=False)
    category = models.CharField("党费类别", max_length=20, choices=CATEGORY_CHOICES)
    base = models.DecimalField("交纳基数（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    relief = models.CharField("困难减免", max_length=10, choices=Relief.choices, blank=True, default="")
    relief_amount = models.DecimalField("减免后每月金额（元）", max_digits=8, decimal_places=2, null=True, blank=True)
    relief_by = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="批准减免的党委",
    )
    relief_on = models.DateField("批准日期", null=True, blank=True)
    standard = models.ForeignKey(DuesStandard, on_delete=models.PROTECT, related_name="+", verbose_name="交纳标准")
    amount = models.BigIntegerField("每月应交（分）")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "党费基数"
        verbose_name_plural = "党费基数"
        ordering = ["member", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["member", "valid_from"], name="dues_basis_one_per_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_basis_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.valid_from:%Y-%m}起 {self.get_category_display()}"


class DuesMonth(models.Model):
    """What a member owes for one month, to the branch holding their relation that month, with
    the basis and standard that produced it: written once by the month's generation, never
    recomputed. ``paid`` is the sum of the month's entries, kept by the payment services in
    their transaction (``manage.py check_dues`` proves it)."""

    # No index of its own: the unique (member, month) serves every lookup by member.
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues_months", db_index=False)
    month = models.DateField("月份")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="dues_months", verbose_name="所在支部"
    )
    org_path = PathField("组织路径", max_length=255)
    basis = models.ForeignKey(DuesBasis, on_delete=models.PROTECT, related_name="months", verbose_name="基数")
    owed = models.BigIntegerField("应交（分）")
    paid = models.BigIntegerField("已交（分）", default=0)

    class Meta:
        verbose_name = "党费月账"
        verbose_name_plural = "党费月账"
        ordering = ["member", "month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_month_one_per_member"),
            models.CheckConstraint(condition=Q(owed__gte=0) & Q(paid__gte=0), name="dues_month_amounts"),
        ]
        indexes = [
            models.Index(fields=["org_path", "month"], name="dues_month_path"),
            # The months still owed under a path (the arrears list, the inbox's 第十三条 items): a
            # few percent of the rows, so the list reads them alone, not a town's whole year.
            models.Index(fields=["org_path", "month"], condition=Q(paid__lt=F("owed")), name="dues_month_owing"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m}"

    @property
    def outstanding(self) -> int:
        return max(self.owed - self.paid, 0)


class Method(models.TextChoices):
    CASH = "cash", "现金"
    BANK = "bank", "银行转账"
    WECHAT = "wechat", "微信"
    ALIPAY = "alipay", "支付宝"


class PaymentKind(models.TextChoices):
    DUES = "dues", "交纳党费"
    EXTRA = "extra", "自愿多交党费"
    REVERSAL = "reversal", "冲正"


class DuesPayment(models.Model):
    """One receipt of money (or its reversal), as the branch recorded it. Append-only: a mistake
    is corrected by a reversing payment with its reason, never by an edit. Its entries say which
    months it paid."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_payments")
    kind = models.CharField("类别", max_length=10, choices=PaymentKind.choices, default=PaymentKind.DUES)
    amount = models.BigIntegerField("金额（分）")
    paid_on = models.DateField("交纳日期")
    method = models.CharField("交纳方式", max_length=10, choices=Method.choices, default=Method.CASH)
    receipt = models.CharField("收据或交易单号", max_length=64, blank=True)
    payer = models.CharField("代交人", max_length=50, blank=True, help_text="经支部同意由其他党员或亲属代交时填写")
    reason = models.CharField("说明", max_length=200, blank=True)
    collected_by = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="收缴组织"
    )
    org_path = PathField("组织路径", max_length=255)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name="冲正的记录"
    )
    remit_to_centre = models.BooleanField("全部上缴中央", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "党费交纳记录"
        verbose_name_plural = "党费交纳记录"
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["receipt"], condition=~Q(receipt=""), name="dues_payment_receipt_unique"),
        ]
        indexes = [models.Index(fields=["org_path", "paid_on"], name="dues_payment_path")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.paid_on} {self.amount}"


class DuesEntry(models.Model):
    """The part of a payment that went to one month (``month`` empty: a voluntary extra)."""

    payment = models.ForeignKey(DuesPayment, on_delete=models.PROTECT, related_name="entries")
    month = models.ForeignKey(DuesMonth, on_delete=models.PROTECT, null=True, related_name="entries")
    amount = models.BigIntegerField("金额（分）")

    class Meta:
        verbose_name = "党费分配"
        verbose_name_plural = "党费分配"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.month_id}: {self.amount}"


class ArrearsReason(models.Model):
    """A valid reason the branch recorded for months a member did not pay (serious illness,
    out of contact through no fault of theirs): those months do not count towards the six of
    第十三条."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues_reasons")
    from_month = models.DateField("起始月份")
    to_month = models.DateField("截止月份")
    reason = models.CharField("正当理由", max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "未交党费的正当理由"
        verbose_name_plural = "未交党费的正当理由"
        ordering = ["member", "from_month"]
        constraints = [
            models.CheckConstraint(condition=Q(to_month__gte=F("from_month")), name="dues_reason_months"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.from_month:%Y-%m}–{self.to_month:%Y-%m}"


class RemittanceShare(models.Model):
    """The part of what reaches an organization that it passes on to the committee above (上缴),
    from a date: a branch usually passes on all it collects; the shares of the committees between
    are the province's to set (第十五条: the provincial level remits 5% of the year to the Centre)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="上缴组织"
    )
    share = models.DecimalField(
        "上缴比例",
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="0至1，例如全部上缴为1，上缴5%为0.05",
    )
    valid_from = models.DateField("起始日期")
    basis = models.CharField("依据", max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "党费上缴比例"
        verbose_name_plural = "党费上缴比例"
        ordering = ["organization", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "valid_from"], name="dues_share_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.share}（{self.valid_from:%Y-%m-%d}起）"


class Remittance(models.Model):
    """Dues passed on to the committee above (上缴), as the receiving side confirmed them.
    Append-only: a wrong one is put right by a negative one with its reason."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="dues_remittances", verbose_name="上缴组织"
    )
    org_path = PathField("组织路径", max_length=255)
    to_organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="接收组织"
    )
    to_name = models.CharField("接收单位", max_length=100, blank=True, help_text="上级不在本系统时填写，如市委组织部")
    year = models.PositiveSmallIntegerField("所属年度")
    amount = models.BigIntegerField("金额（分）")
    remitted_on = models.DateField("上缴日期")
    voucher = models.CharField("凭证号", max_length=64, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "党费上缴记录"
        verbose_name_plural = "党费上缴记录"
        ordering = ["-remitted_on", "-id"]
        indexes = [models.Index(fields=["org_path", "year"], name="dues_remittance_path")]

    def __str__(self) -> str:
        return f"{self.organization_id}→{self.to_organization_id} {self.year} {self.amount}"
