"""Party dues (党费): the standards that turn a base into a monthly amount, as effective-dated data. A
province or county adds a standard of its own from a date (a farmer's amount of its own, a
university counting 30% of a pension); a past standard is never edited, so a past month keeps the
amount it was owed."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

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
