from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dangjian.core import audit


class Command(BaseCommand):
    help = (
        "Append a checkpoint of the security trail's last event to AUDIT_CHECKPOINT_FILE, after the chain "
        "verifies: for a checkpoint file started anew (rotated) or a server that had none yet."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.AUDIT_CHECKPOINT_FILE
        if not path:
            raise CommandError("未设置 AUDIT_CHECKPOINT_FILE。")
        _, broken = audit.verify()
        # A problem of the file itself (missing, empty, lagging) is what this command mends; a
        # broken chain or a cut tail must not be covered by a fresh checkpoint.
        if broken is not None and not broken.anchor:
            raise CommandError(f"{broken.message}：未写入校验点。")
        last = audit.last_checkpoint()
        if last is None:
            self.stdout.write("审计链中尚无事件，无需写入校验点。")
            return
        seq, line = last
        try:
            audit.append_checkpoint(path, line)
        except OSError as error:
            raise CommandError(f"无法写入 {path}：{error.strerror}") from error
        self.stdout.write(f"已将第{seq}号事件的校验点写入 {path}。")
