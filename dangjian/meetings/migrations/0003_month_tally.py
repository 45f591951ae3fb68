"""The month tally (tally.py), counted from the meetings already recorded (the same aggregate as
tally.rebuild, written against the models as they stand here)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Max, Q
from django.db.models.functions import ExtractMonth, ExtractYear


def count(apps: Any, schema_editor: Any) -> None:
    Meeting = apps.get_model("meetings", "Meeting")
    MonthTally = apps.get_model("meetings", "MonthTally")
    rows = (
        Meeting.kinds.through.objects.filter(meeting__deleted_at__isnull=True)
        .annotate(year=ExtractYear("meeting__held_on"), month=ExtractMonth("meeting__held_on"))
        .values_list("meeting__organization_id", "meetingkind_id", "meeting__party_group_id", "year", "month")
        .annotate(held=Count("meeting_id", filter=Q(meeting__counted=True)), last=Max("meeting__held_on"))
        .order_by()
    )
    found: dict[tuple[int, int], Any] = {}
    for organization, kind, group, year, month, held, last in rows.iterator(chunk_size=5000):
        row = found.setdefault((organization, year), {"held": {}, "groups_met": {}, "last_held": last})
        row["held"].setdefault(str(kind), [0] * 12)[month - 1] += held
        if group is not None and held:
            row["groups_met"].setdefault(str(kind), [0] * 12)[month - 1] += 1
        row["last_held"] = max(row["last_held"], last)
    MonthTally.objects.bulk_create(
        [
            MonthTally(
                organization_id=organization,
                year=year,
                months={
                    "held": {kind: ",".join(map(str, counts)) for kind, counts in row["held"].items()},
                    "groups": {kind: ",".join(map(str, counts)) for kind, counts in row["groups_met"].items()},
                },
                last_held=row["last_held"],
            )
            for (organization, year), row in found.items()
        ],
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_kinds_rules_and_ratings"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("months", models.JSONField(default=dict, verbose_name="每月召开次数")),
                ("last_held", models.DateField(verbose_name="本年最近一次召开日期")),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="orgs.organization"
                    ),
                ),
            ],
            options={
                "verbose_name": "组织生活月度计数",
                "verbose_name_plural": "组织生活月度计数",
                "constraints": [models.UniqueConstraint(fields=("year", "organization"), name="tally_once_per_year")],
            },
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
