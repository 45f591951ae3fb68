from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from dangjian.members.integrity import problems


class Command(BaseCommand):
    help = "Check the registry's invariants: one organization per member, contiguous periods, a sound tree."

    def handle(self, *args: Any, **options: Any) -> None:
        found = problems()
        # Apps above the registry (transfers, …) add their own invariants: an AppConfig may define
        # integrity_problems() returning its findings.
        for config in apps.get_app_configs():
            if check := getattr(config, "integrity_problems", None):
                found += check()
        if found:
            raise CommandError("发现问题：\n" + "\n".join(found))
        self.stdout.write("数据完整：每名在册党员恰在一个组织，组织隶属期间前后衔接，组织树无误。")
