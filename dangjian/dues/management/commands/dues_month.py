"""``manage.py dues_month [YYYY-MM]``: write a month's ledger rows (this month by default) for
every member on the roll with a basis; the months already written stay as they are. The worker
does this every day (``manage.py worker``), so a month is ready on its first day."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.dues import services


class Command(BaseCommand):
    help = "生成某月的党费月账（默认本月）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("month", nargs="?", help="YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = dt.datetime.strptime(options["month"], "%Y-%m").date() if options["month"] else timezone.localdate()
        except ValueError as error:
            raise CommandError("月份应写作 YYYY-MM，例如 2026-03") from error
        written = services.generate_month(month)
        self.stdout.write(f"{month:%Y-%m}：新生成{written}条党费月账")
