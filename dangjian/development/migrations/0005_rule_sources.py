"""The rule table's sources as its messages cite them: the regulation and its article
(《中国共产党发展党员工作细则》第十三条), or nothing for a local rule. Migrations 0002 and 0004 shipped
notes ("《发展党员工作细则》第十三条：经过一年以上培养教育", "部分地方规定：…") that the refusals
quoted word for word. A row whose source the county has edited is left as it is. Frozen here, as
a migration must be."""

from typing import Any

from django.db import migrations, models

DETAILED_RULES = "《中国共产党发展党员工作细则》"

# code → (the source as shipped, the source now)
SOURCES = {
    "age": ("《发展党员工作细则》第五条：年满十八岁", f"{DETAILED_RULES}第五条"),
    "talk": ("《发展党员工作细则》第七条：一个月内派人谈话", f"{DETAILED_RULES}第七条"),
    "activist_wait": ("部分地方规定：递交申请半年以上方可确定为积极分子", ""),
    "target_after_year": ("《发展党员工作细则》第十三条：经过一年以上培养教育", f"{DETAILED_RULES}第十三条"),
    "pre_review": ("部分地方规定：上级党委一个月内预审", ""),
    "meeting_after_pre_review": ("部分地方规定：预审后一个月内召开支部大会", ""),
    "review_valid": ("部分地方规定：政治审查结论一年内有效", ""),
    "approval_3m": ("《发展党员工作细则》第二十三条：三个月内审批，特殊情况可延长", f"{DETAILED_RULES}第二十三条"),
    "approval_6m": ("《发展党员工作细则》第二十三条：审批期限最长不超过六个月", f"{DETAILED_RULES}第二十三条"),
    "probation_year": ("党章第七条：预备期为一年，从支部大会通过之日算起", "《中国共产党章程》第七条"),
    "regularization_approval": ("《发展党员工作细则》第三十三条：三个月内审批", f"{DETAILED_RULES}第三十三条"),
    "publicity_activist": ("部分地方规定：确定入党积极分子前公示", ""),
    "publicity_target": ("部分地方规定：确定发展对象前公示", ""),
    "publicity_admission": ("部分地方规定：支部大会通过后、上级党委审批前公示拟接收的预备党员", ""),
    "publicity_regularization": ("部分地方规定：支部大会通过后、上级党委审批前公示拟转正的预备党员", ""),
}


def _rewrite(apps: Any, index_from: int, index_to: int) -> None:
    IntervalRule = apps.get_model("development", "IntervalRule")
    for code, sources in SOURCES.items():
        IntervalRule.objects.filter(code=code, source=sources[index_from]).update(source=sources[index_to])


def forward(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, 0, 1)


def backward(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, 1, 0)


class Migration(migrations.Migration):
    dependencies = [("development", "0004_publicity_rules")]

    operations = [
        migrations.AlterField(
            model_name="historicalintervalrule",
            name="source",
            field=models.CharField(blank=True, max_length=200, verbose_name="依据"),
        ),
        migrations.AlterField(
            model_name="intervalrule",
            name="source",
            field=models.CharField(blank=True, max_length=200, verbose_name="依据"),
        ),
        migrations.RunPython(forward, backward),
    ]
