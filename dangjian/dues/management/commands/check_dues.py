"""``manage.py check_dues``: proves the ledger balances. Each month's ``paid`` is the sum of its
entries, each payment's amount the sum of its entries, and so each branch's month totals (owed,
paid, outstanding) are the sums of its rows. Exits with an error naming every row that is not."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F, Sum, Value
from django.db.models.functions import Coalesce

from dangjian.dues.models import DuesMonth, DuesPayment


class Command(BaseCommand):
    help = "核对党费账：每月已交等于分配记录之和，每笔交纳等于其分配之和"

    def handle(self, *args: Any, **options: Any) -> None:
        months = (
            DuesMonth.objects.annotate(entries_total=Coalesce(Sum("entries__amount"), Value(0)))
            .exclude(paid=F("entries_total"))
            .values_list("member_id", "month", "organization__name", "paid", "entries_total")
        )
        problems = [
            f"党员{member} {month:%Y-%m}（{org}）：已交{paid}分，分配记录合计{total}分"
            for member, month, org, paid, total in months[:50]
        ]
        payments = (
            DuesPayment.objects.annotate(entries_total=Coalesce(Sum("entries__amount"), Value(0)))
            .exclude(amount=F("entries_total"))
            .values_list("pk", "amount", "entries_total")
        )
        problems += [f"交纳记录{pk}：金额{amount}分，分配记录合计{total}分" for pk, amount, total in payments[:50]]
        if problems:
            raise CommandError("党费账不平：\n" + "\n".join(problems))
        self.stdout.write(f"党费账平衡：{DuesMonth.objects.count()}条月账，{DuesPayment.objects.count()}笔交纳记录")
