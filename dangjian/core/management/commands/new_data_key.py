from typing import Any

from django.core.management.base import BaseCommand

from dangjian.core.crypto import new_key


class Command(BaseCommand):
    help = "Print a new random key for DATA_KEYS (put it first, keep the old keys after it, run rotate_data_keys)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(new_key())
