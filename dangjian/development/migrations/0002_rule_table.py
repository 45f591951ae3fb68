"""The rule table's first rows: the values of RULES.md §1.2 (frozen here, as a migration must be;
the county edits them afterwards)."""

from typing import Any

from django.db import migrations

# code, from step (0: birth), to step, at least, amount, unit, blocking, source
ROWS = [
    ("age", 0, 1, True, 18, "years", True, "《发展党员工作细则》第五条：年满十八岁"),
    ("talk", 1, 2, False, 1, "months", False, "《发展党员工作细则》第七条：一个月内派人谈话"),
    ("activist_wait", 1, 3, True, 6, "months", False, "部分地方规定：递交申请半年以上方可确定为积极分子"),
    ("target_after_year", 3, 7, True, 1, "years", True, "《发展党员工作细则》第十三条：经过一年以上培养教育"),
    ("pre_review", 12, 13, False, 1, "months", False, "部分地方规定：上级党委一个月内预审"),
    ("meeting_after_pre_review", 13, 15, False, 1, "months", False, "部分地方规定：预审后一个月内召开支部大会"),
    ("review_valid", 10, 15, False, 1, "years", False, "部分地方规定：政治审查结论一年内有效"),
    ("approval_3m", 15, 17, False, 3, "months", False, "《发展党员工作细则》第二十三条：三个月内审批，特殊情况可延长"),
    ("approval_6m", 15, 17, False, 6, "months", True, "《发展党员工作细则》第二十三条：审批期限最长不超过六个月"),
    ("probation_year", 15, 23, True, 1, "years", True, "党章第七条：预备期为一年，从支部大会通过之日算起"),
    ("regularization_approval", 23, 24, False, 3, "months", True, "《发展党员工作细则》第三十三条：三个月内审批"),
]


def forward(apps: Any, schema_editor: Any) -> None:
    IntervalRule = apps.get_model("development", "IntervalRule")
    for code, from_step, to_step, at_least, amount, unit, blocking, source in ROWS:
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
            },
        )


def backward(apps: Any, schema_editor: Any) -> None:
    apps.get_model("development", "IntervalRule").objects.filter(code__in=[row[0] for row in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("development", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
