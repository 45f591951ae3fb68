"""The rule table's publicity (公示) rows: RULES.md §1.2 derived rules, publicity of at least five
working days (Monday to Friday, no holiday calendar) before the activist (3), the development
target (7), the admission's approval (17, after the branch vote) and the regularization's approval
(24, after the branch vote). A local rule [P]: advisory as shipped; the county may make them
blocking or change the number of days. Frozen here, as a migration must be."""

from typing import Any

from django.db import migrations

# code, from step (the publicity begins on or after it), to step (it is over before it), at least,
# amount, unit, blocking, source, kind
ROWS = [
    ("publicity_activist", 2, 3, True, 5, "workdays", False, "部分地方规定：确定入党积极分子前公示", "publicity"),
    ("publicity_target", 6, 7, True, 5, "workdays", False, "部分地方规定：确定发展对象前公示", "publicity"),
    (
        "publicity_admission",
        15,
        17,
        True,
        5,
        "workdays",
        False,
        "部分地方规定：支部大会通过后、上级党委审批前公示拟接收的预备党员",
        "publicity",
    ),
    (
        "publicity_regularization",
        23,
        24,
        True,
        5,
        "workdays",
        False,
        "部分地方规定：支部大会通过后、上级党委审批前公示拟转正的预备党员",
        "publicity",
    ),
]


def forward(apps: Any, schema_editor: Any) -> None:
    IntervalRule = apps.get_model("development", "IntervalRule")
    for code, from_step, to_step, at_least, amount, unit, blocking, source, kind in ROWS:
        IntervalRule.objects.update_or_create(
            code=code,
            defaults={
                "from_step": from_step,
                "to_step": to_step,
                "at_least": at_least,
                "amount": amount,
                "unit": unit,
                "blocking": blocking,
                "source": source,
                "kind": kind,
            },
        )


def backward(apps: Any, schema_editor: Any) -> None:
    apps.get_model("development", "IntervalRule").objects.filter(code__in=[row[0] for row in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("development", "0003_probation_refusal_publicity")]
    operations = [migrations.RunPython(forward, backward)]
