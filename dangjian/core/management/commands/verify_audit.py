from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core import audit


class Command(BaseCommand):
    help = (
        "Verify the security trail's hash chain (the first event edited, deleted or reordered), then that "
        "every checkpoint of AUDIT_CHECKPOINT_FILE is still in it (a cut tail)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="check this file's checkpoints instead (a rotated file, or a copy of the checkpoint log lines)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["checkpoints"]
        checked, broken = audit.verify(path)
        anchor = path or settings.AUDIT_CHECKPOINT_FILE
        if broken is not None:
            where = f"（校验点文件：{anchor}）" if broken.anchor else f"（此前{checked}个事件完好）"
            raise CommandError(f"{broken.message}{where}")
        against = f"，外部校验点文件 {anchor} 相符" if anchor else "（未设置外部校验点文件，无法发现链尾被截断）"
        self.stdout.write(f"审计链完整：已校验{checked}个事件{against}。")
