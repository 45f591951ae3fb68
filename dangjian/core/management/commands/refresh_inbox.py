import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core import inbox


class Command(BaseCommand):
    help = (
        "Recompute the inbox (待办) from every registered source, or from --source only, as of today or "
        "--date: opens what fell due, updates what changed, closes what was done. The task worker runs it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="as of this day (YYYY-MM-DD)")
        parser.add_argument(
            "--source", action="append", default=None, metavar="NAME", help="only this source (may be repeated)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names = [source.name for source in inbox.sources()]
        unknown = [name for name in options["source"] or () if name not in names]
        if unknown:
            raise CommandError(f"没有名为 {'、'.join(unknown)} 的待办来源；已登记的来源：{'、'.join(names)}")
        started = time.monotonic()
        outcomes = inbox.refresh(options["date"], sources=options["source"])
        for outcome in outcomes:
            self.stdout.write(
                f"{inbox.source_label(outcome.source)}（{outcome.source}）：新增 {outcome.opened}，"
                f"更新 {outcome.updated}，办结 {outcome.closed}"
            )
        self.stdout.write(f"待办事项已更新，用时 {time.monotonic() - started:.1f} 秒。")
