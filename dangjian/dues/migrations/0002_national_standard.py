"""The national standard of 2008 (《关于中国共产党党费收缴、使用和管理的规定》 第二、五、六条), frozen here as
a migration must be; a province or county adds its own rows afterwards. It is in force from the
first day of 2008: the day it took effect is not in our sources, and no member's ledger reaches
back that far."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import migrations

NAME = "中组部2008年党费收缴标准"


def forward(apps: Any, schema_editor: Any) -> None:
    apps.get_model("dues", "DuesStandard").objects.update_or_create(
        name=NAME,
        region="",
        defaults={
            "valid_from": dt.date(2008, 1, 1),
            "in_service_brackets": [["3000", "0.005"], ["5000", "0.01"], ["10000", "0.015"], [None, "0.02"]],
            "retired_brackets": [["5000", "0.005"], [None, "0.01"]],
            "retired_base_share": Decimal("1.00"),
            "farmer_amount": Decimal("0.20"),
            "small_fixed_amount": Decimal("0.20"),
            "rounding": "fen_half_up",
            "basis": "《关于中国共产党党费收缴、使用和管理的规定》（中共中央组织部，2008年）第二至六条",
        },
    )


def backward(apps: Any, schema_editor: Any) -> None:
    apps.get_model("dues", "DuesStandard").objects.filter(name=NAME, region="").delete()


class Migration(migrations.Migration):
    dependencies = [("dues", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
