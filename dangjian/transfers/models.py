"""组织关系转接 (transfers of a member's Party relation) and 流动党员 (mobile members).

A transfer names both sides: organizations of the tree, or the name of one outside it. Issuing
the letter (介绍信) does not move the member; only acceptance does (``members.moves``), and until
then the sending organization keeps responsibility (RULES.md §3.1). Every step is written to the
approval log (``approvals``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from dangjian.core.history import history_user


class TransferKind(models.TextChoices):
    INSIDE = "inside", "系统内转接"
    TO_OUTSIDE = "to_outside", "转出到系统外"
    FROM_OUTSIDE = "from_outside", "从系统外转入"


class TransferState(models.TextChoices):
    REQUESTED = "requested", "待审批"
    APPROVED = "approved", "已审批，待开介绍信"
    ISSUED = "issued", "介绍信已开具，待接收"
    ACCEPTED = "accepted", "已接收"
    RETURNED = "returned", "已退回"
    REJECTED = "rejected", "未获批准"
    CANCELLED = "cancelled", "已撤销"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATES


OPEN_STATES = (TransferState.REQUESTED, TransferState.APPROVED, TransferState.ISSUED)


class Transfer(models.Model):
    """One transfer of one member's relation. Open (待审批, 待开介绍信, 待接收) until accepted,
    returned, rejected or cancelled; one open transfer per member (a database constraint)."""

    kind = models.CharField("转接类型", max_length=20, choices=TransferKind.choices)
    state = models.CharField("状态", max_length=20, choices=TransferState.choices, default=TransferState.REQUESTED)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="transfers", verbose_name="党员"
    )
    member_name = models.CharField("党员姓名", max_length=50)  # the letter's name, kept if the record leaves
    from_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="转出组织"
    )
    from_outside = models.CharField("转出组织（系统外）", max_length=100, blank=True)
    to_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="转入组织"
    )
    to_outside = models.CharField("转入组织（系统外）", max_length=100, blank=True)
    # The 基层党委 that approve and send, and that receive (RULES.md §3.1): fixed when requested.
    sending_committee = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="转出基层党委",
    )
    receiving_committee = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="转入基层党委",
    )
    reason = models.CharField("转接原因", max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    letter_number = models.CharField("介绍信编号", max_length=50, blank=True)
    issued_date = models.DateField("开具日期", null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField("有效期（天）", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    dues_paid_through = models.DateField("党费交至（月）", null=True, blank=True)
    voided_letters = models.CharField("已作废的介绍信编号", max_length=200, blank=True)
    accepted_date = models.DateField("接收日期", null=True, blank=True)
    receipt_date = models.DateField("回执日期", null=True, blank=True)
    return_reason = models.CharField("退回或不同意的理由", max_length=500, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["state", "valid_until"], name="transfer_state_valid"),
            models.Index(fields=["state", "accepted_date"], name="transfer_state_accepted"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(state__in=OPEN_STATES), name="transfer_one_open_per_member"
            ),
            models.UniqueConstraint(
                fields=["letter_number"], condition=~Q(letter_number=""), name="transfer_letter_number_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=TransferKind.INSIDE, from_org__isnull=False, to_org__isnull=False)
                    | Q(kind=TransferKind.TO_OUTSIDE, from_org__isnull=False, to_org__isnull=True)
                    | Q(kind=TransferKind.FROM_OUTSIDE, from_org__isnull=True, to_org__isnull=False)
                ),
                name="transfer_sides_match_kind",
            ),
            models.CheckConstraint(condition=~Q(from_org=models.F("to_org")), name="transfer_two_organizations"),
            models.CheckConstraint(
                condition=~Q(state=TransferState.ACCEPTED) | Q(accepted_date__isnull=False),
                name="transfer_accepted_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state=TransferState.ISSUED) | ~Q(letter_number=""),
                name="transfer_issued_has_letter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_name}：{self.from_name} → {self.to_name}"

    @property
    def from_name(self) -> str:
        return self.from_org.name if self.from_org_id and self.from_org else self.from_outside

    @property
    def to_name(self) -> str:
        return self.to_org.name if self.to_org_id and self.to_org else self.to_outside

    @property
    def state_enum(self) -> TransferState:
        return TransferState(self.state)


class MobileMember(models.Model):
    """A member away from their branch (流动党员, RULES.md §3.2): registered at the outflow
    organization (where the relation stays), optionally known at an inflow organization of the
    tree (which runs the member's organizational life, without a vote there). Open until the
    member returns; one open record per member."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="mobility", verbose_name="党员")
    outflow_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="流出党组织"
    )
    inflow_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="流入党组织（本系统内）",
    )
    destination = models.CharField("外出地点", max_length=100)
    reason = models.CharField("外出原因", max_length=100)
    contact = models.CharField("联系方式", max_length=100)
    expected_months = models.PositiveSmallIntegerField("预计外出时间（月）")
    certificate_number = models.CharField("流动党员活动证编号", max_length=50, blank=True)
    left_date = models.DateField("外出日期")
    last_contact_date = models.DateField("最近联系日期")
    last_review_date = models.DateField("最近年审日期", null=True, blank=True)
    returned_date = models.DateField("返回日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "流动党员"
        verbose_name_plural = "流动党员"
        ordering = ["last_contact_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(returned_date__isnull=True), name="mobile_one_open_per_member"
            ),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~Q(certificate_number="") & Q(returned_date__isnull=True),
                name="mobile_certificate_unique",
            ),
            models.CheckConstraint(
                condition=Q(returned_date__isnull=True) | Q(returned_date__gte=models.F("left_date")),
                name="mobile_returned_after_left",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.destination}"
