"""党纪处分 (Party disciplinary sanctions) in the registry, above all 留党察看 (RULES.md §6.1).

A sanction is decided on a date by an organization at or above the member's branch. Its effect
lasts a calendar period (警告 1 year, 严重警告 1.5 years, 撤销党内职务 2 years, 留党察看 1 or 2
years, 开除党籍: no re-joining for 5 years), kept in ``effect_until`` so that "who is under
留党察看 on date D" is one indexed query (``queries.py``). A 留党察看 is open until it ends: rights
restored (恢复党员权利) or 开除党籍.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from dangjian.core.history import history_user


class SanctionKind(models.TextChoices):
    """The five sanctions of 纪律处分条例 第九–十三条, lightest first."""

    WARNING = "warning", "警告"
    SERIOUS_WARNING = "serious_warning", "严重警告"
    REMOVAL_FROM_POST = "removal_from_post", "撤销党内职务"
    PROBATION = "probation", "留党察看"
    EXPULSION = "expulsion", "开除党籍"


class Ending(models.TextChoices):
    """How a 留党察看 ends."""

    RESTORED = "restored", "恢复党员权利"
    EXPELLED = "expelled", "开除党籍"


PROBATION_MONTHS = (12, 24)
EXTENSION_MONTHS = 12


class Sanction(models.Model):
    """One 党纪处分 of one member. For 留党察看: its months (12 or 24), at most one extension by 12
    months of a 12-month one, and its ending; ``effect_until`` is the first day the effect is over
    (for 留党察看, including the extension)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="sanctions", verbose_name="党员"
    )
    member_name = models.CharField("党员姓名", max_length=50)  # as decided, kept if the record is corrected
    kind = models.CharField("处分种类", max_length=20, choices=SanctionKind.choices)
    decided_on = models.DateField("处分决定日期")
    # History: the organization that decided, as it was. Organizations are never deleted from the
    # database (abolished and merged ones keep their row), so PROTECT never blocks a restructuring;
    # the name is copied for the record's wording.
    deciding_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="决定处分的党组织"
    )
    deciding_org_name = models.CharField("决定处分的党组织名称", max_length=100)
    document_number = models.CharField("处分决定文号", max_length=50, blank=True)
    reason = models.CharField("处分事由", max_length=500)
    months = models.PositiveSmallIntegerField("留党察看期限（月）", null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField("延长留党察看（月）", null=True, blank=True)
    extended_on = models.DateField("延长决定日期", null=True, blank=True)
    extension_reason = models.CharField("延长理由", max_length=500, blank=True)
    effect_until = models.DateField("影响期截止（不含）")
    ending = models.CharField("留党察看结束方式", max_length=20, choices=Ending.choices, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    ending_reason = models.CharField("结束说明", max_length=500, blank=True)
    # The 开除党籍 that ended a 留党察看 (its own record), if so.
    expulsion = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="开除党籍决定"
    )
    # The party posts the decision took away (elections.Officer, which ends them): the one named by
    # a 撤销党内职务, every post held by a 留党察看 (党内职务自然撤销) or a 开除党籍. Kept for the two
    # years without an equal or higher post, and for the record's wording.
    removed_posts = models.ManyToManyField(
        "elections.Officer", blank=True, related_name="+", verbose_name="撤销的党内职务"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "党纪处分"
        verbose_name_plural = "党纪处分"
        ordering = ["-decided_on", "-id"]
        indexes = [
            # The reader for other apps: 留党察看 of these members in force on a date.
            models.Index(fields=["member", "kind", "decided_on"], name="sanction_member_kind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(kind=SanctionKind.PROBATION, ended_on__isnull=True),
                name="sanction_one_open_probation_per_member",
            ),
            models.CheckConstraint(
                condition=(Q(kind=SanctionKind.PROBATION) & Q(months__in=PROBATION_MONTHS))
                | (~Q(kind=SanctionKind.PROBATION) & Q(months__isnull=True)),
                name="sanction_probation_months",
            ),
            models.CheckConstraint(
                condition=Q(extension_months__isnull=True, extended_on__isnull=True)
                | Q(
                    kind=SanctionKind.PROBATION,
                    months=12,
                    extension_months=EXTENSION_MONTHS,
                    extended_on__isnull=False,
                ),
                name="sanction_extension_once_of_12_months",
            ),
            models.CheckConstraint(
                condition=Q(ending="", ended_on__isnull=True)
                | (Q(kind=SanctionKind.PROBATION, ended_on__isnull=False) & ~Q(ending="")),
                name="sanction_ending_with_date",
            ),
            models.CheckConstraint(
                condition=Q(effect_until__gt=F("decided_on")), name="sanction_effect_after_decision"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("decided_on")),
                name="sanction_ended_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_name}：{self.get_kind_display()}（{self.decided_on:%Y-%m-%d}）"

    @property
    def kind_enum(self) -> SanctionKind:
        return SanctionKind(self.kind)

    @property
    def is_probation(self) -> bool:
        return self.kind == SanctionKind.PROBATION

    @property
    def is_open_probation(self) -> bool:
        """A 留党察看 not yet ended (rights not restored, not expelled)."""
        return self.is_probation and self.ended_on is None

    @property
    def total_months(self) -> int | None:
        if self.months is None:
            return None
        return self.months + (self.extension_months or 0)
