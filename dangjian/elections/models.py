"""Committees by term (领导班子与届次): who held which position in an organization, and when."""

from django.db import models
from django.db.models import Case, F, Q, Value, When
from simple_history.models import HistoricalRecords

from dangjian.core.history import history_user


class Position(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANIZATION = "organization", "组织委员"
    PROPAGANDA = "propaganda", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    YOUTH = "youth", "青年委员"
    WOMEN = "women", "妇女委员"
    MEMBER = "member", "委员"


# Officers are listed by rank, as the choices are declared: 书记 first, then 副书记, then the
# 委员 (组织、宣传、纪检…); the stored values sort alphabetically and put 书记 near the end.
POSITION_ORDER = Case(
    *(When(position=position.value, then=Value(rank)) for rank, position in enumerate(Position)),
    default=Value(len(Position)),
)


class Term(models.Model):
    """One term (届) of an organization's committee (or of its secretary, where a branch under 7
    正式党员 has no committee). ``expected_end`` is computed from the rules when it starts."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="terms", verbose_name="党组织"
    )
    number = models.PositiveSmallIntegerField("届次")
    start = models.DateField("任期开始")
    expected_end = models.DateField("应届满日期")
    actual_end = models.DateField("实际结束日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "届次"
        verbose_name_plural = "届次"
        ordering = ["organization", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="term_number_unique"),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(actual_end__isnull=True), name="term_one_open"
            ),
            models.CheckConstraint(condition=Q(expected_end__gt=F("start")), name="term_end_after_start"),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True) | Q(actual_end__gte=F("start")), name="term_actual_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.number}届"


class Officer(models.Model):
    """A position on a term's committee held by a member, from ``since`` (until ``until``)."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="officers", verbose_name="届次")
    position = models.CharField("职务", max_length=20, choices=Position.choices)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="offices", verbose_name="党员")
    since = models.DateField("任职日期")
    until = models.DateField("离任日期", null=True, blank=True)
    # Set when a 党纪处分 took the post away (受到留党察看处分，党内职务自然撤销; 受到撤销党内职务处分;
    # 被开除党籍): the seat is vacant until someone is appointed to it (组织设置体检). Empty for an
    # ordinary 免职 or the end of the term. db_default: the demo writes officers in bulk.
    removal = models.CharField("职务撤销原因", max_length=100, blank=True, default="", db_default="")

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "班子成员"
        verbose_name_plural = "班子成员"
        ordering = ["term", POSITION_ORDER.asc(), "since", "pk"]

    def __str__(self) -> str:
        return f"{self.get_position_display()} {self.member}"

    @property
    def title(self) -> str:
        """The post as a decision names it: 中共兴丰村支部委员会书记."""
        return f"{self.term.organization.name}{self.get_position_display()}"
