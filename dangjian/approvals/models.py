"""The one approval log (审批记录) every workflow writes: who decided, at which organization and
level, pass / return / reject, the reason, when, and on which object.

Transfers (组织关系转接) are its first user; member development (发展党员) and the other
procedures reuse it. The object is a generic relation (content type + id), so a workflow needs no
table of its own for its history of decisions: it calls ``services.record_step`` in the same
transaction as the state change, and reads ``services.steps_for(obj)``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Decision(models.TextChoices):
    PASS = "pass", "通过"
    RETURN = "return", "退回"
    REJECT = "reject", "不同意"
    RECORD = "record", "办理"  # a step that is done rather than decided (issuing a letter, a receipt)


class ApprovalStep(models.Model):
    """One step of a workflow on one object. ``step`` names it in the workflow's own words
    (审批, 开具介绍信, 接收, …); ``level`` copies the deciding organization's kind at the time
    (党委, 党支部, …), so the log still reads right after a restructuring."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    workflow = models.CharField("业务", max_length=30)
    step = models.CharField("环节", max_length=30)
    decision = models.CharField("结果", max_length=10, choices=Decision.choices)
    reason = models.CharField("意见或理由", max_length=500, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="办理组织"
    )
    level = models.CharField("层级", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办理人",
    )
    actor_name = models.CharField("办理人姓名", max_length=150)
    at = models.DateTimeField("办理时间", auto_now_add=True)

    class Meta:
        verbose_name = "审批记录"
        verbose_name_plural = "审批记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="approval_step_target")]

    def __str__(self) -> str:
        return f"{self.step}：{self.get_decision_display()}（{self.actor_name}）"
