"""Members transferred out of the tree stay in the registry as 已转出 (issue 16).

Before, the 回执 of a transfer to outside the tree soft-deleted the member. Each member so deleted
(an accepted transfer to outside, the member's record deleted) is restored: the record is live
again, its open membership period ends on the transfer's accepted date (the receipt's date), and
its status is 已转出 from that date, the reason naming where the relation went. Each change gets
its history row, so the record's story says when and why it changed.

Going back, the members still 已转出 by such a transfer are soft-deleted again and their 已转出
status period removed; those who came back in since keep their one record.
"""

from typing import Any

from django.db import migrations
from django.utils import timezone

REASON = "组织关系转出至{}"
NOTE = "迁移：转往系统外的党员由删除改记为“已转出”"


def _history(apps: Any, model: str, obj: Any, kind: str, when: Any) -> None:
    """One simple-history row for ``obj`` (the historical model's fields copied from it)."""
    historical = apps.get_model(obj._meta.app_label, f"Historical{model}")
    values = {
        field.attname: getattr(obj, field.attname)
        for field in historical._meta.fields
        if not field.name.startswith("history_")
    }
    historical.objects.create(
        **values, history_date=when, history_type=kind, history_change_reason=NOTE, history_user=None
    )


def forwards(apps: Any, schema_editor: Any) -> None:
    Transfer = apps.get_model("transfers", "Transfer")
    Member = apps.get_model("members", "Member")
    MembershipPeriod = apps.get_model("members", "MembershipPeriod")
    StatusPeriod = apps.get_model("members", "StatusPeriod")
    now = timezone.now()
    gone = Transfer.objects.filter(
        kind="to_outside", state="accepted", accepted_date__isnull=False, member__deleted_at__isnull=False
    ).order_by("member_id", "-accepted_date", "-pk")
    seen: set[int] = set()
    for transfer in gone.iterator():
        if transfer.member_id in seen:
            continue  # the latest transfer out says where the member went
        seen.add(transfer.member_id)
        member = Member.objects.get(pk=transfer.member_id)
        date = transfer.accepted_date
        reason = REASON.format(transfer.to_outside)[:200]
        for period in MembershipPeriod.objects.filter(member=member, end__isnull=True):
            period.end = max(date, period.start)
            period.save(update_fields=["end"])
            _history(apps, "MembershipPeriod", period, "~", now)
        current = StatusPeriod.objects.filter(member=member, end__isnull=True).order_by("-start").first()
        if current is not None and current.status == "transferred_out":
            continue  # already done (a partly applied run)
        if current is not None:
            date = max(date, current.start)
            current.end = date
            current.save(update_fields=["end"])
            _history(apps, "StatusPeriod", current, "~", now)
        away = StatusPeriod.objects.create(member=member, status="transferred_out", start=date, reason=reason)
        _history(apps, "StatusPeriod", away, "+", now)
        member.deleted_at, member.party_group_id = None, None
        member.status, member.status_date, member.status_reason, member.left_reason = (
            "transferred_out",
            date,
            reason,
            "",
        )
        member.save(
            update_fields=["deleted_at", "party_group", "status", "status_date", "status_reason", "left_reason"]
        )
        _history(apps, "Member", member, "~", now)


def backwards(apps: Any, schema_editor: Any) -> None:
    Member = apps.get_model("members", "Member")
    StatusPeriod = apps.get_model("members", "StatusPeriod")
    now = timezone.now()
    away = Member.objects.filter(status="transferred_out", deleted_at__isnull=True)
    for member in away.iterator():
        current = StatusPeriod.objects.filter(member=member, end__isnull=True, status="transferred_out").first()
        if current is None:
            continue
        before = StatusPeriod.objects.filter(member=member, end=current.start).order_by("-start").first()
        current.delete()
        status, date, reason = "normal", None, ""
        if before is not None:
            before.end = None
            before.save(update_fields=["end"])
            status, date, reason = before.status, before.start, before.reason
        member.status, member.status_date, member.status_reason = status, date, reason
        member.deleted_at = now
        member.save(update_fields=["status", "status_date", "status_reason", "deleted_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0001_initial"),
        ("members", "0010_status_transferred_out"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
