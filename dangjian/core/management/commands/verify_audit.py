from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import audit


class Command(BaseCommand):
    help = "Verify the security trail's hash chain; report the first event edited, deleted or reordered."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = audit.verify()
        if broken is not None:
            raise CommandError(f"审计链在第{broken.seq}号事件处断开：{broken.problem}（此前{checked}个事件完好）")
        self.stdout.write(f"审计链完整：已校验{checked}个事件。")
