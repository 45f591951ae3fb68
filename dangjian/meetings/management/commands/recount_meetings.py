import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from dangjian.meetings import tally


class Command(BaseCommand):
    help = (
        "Rewrite the month tally of organizational life (组织生活月度计数) from the meetings recorded: after "
        "meetings were written past the services (a bulk load, a repair in the database)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with transaction.atomic():
            rows = tally.rebuild()
        self.stdout.write(f"组织生活月度计数已重新统计：{rows}行，用时{time.monotonic() - started:.1f}秒")
