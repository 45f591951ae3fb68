"""Random sequences of payments and reversals through the services (hypothesis): no month is ever
paid more than it owes or less than nothing, money beyond the months goes only to a payment
marked as a voluntary extra, a refused payment writes nothing, and each branch's totals are the
sums of its entries. ``DUES_EXAMPLES`` sets the number of sequences (a deeper run: 500)."""

import datetime as dt
import os
from collections.abc import Callable

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import World
from dangjian.core.errors import DomainError
from dangjian.dues import rules, services
from dangjian.dues.models import DuesEntry, DuesMonth, DuesPayment, PaymentKind

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("DUES_EXAMPLES", "30"))
TODAY = dt.date(2026, 6, 15)

payment = st.fixed_dictionaries(
    {
        "what": st.just("pay"),
        "yuan": st.integers(min_value=1, max_value=60_000).map(lambda fen: f"{fen // 100}.{fen % 100:02d}"),
        "ahead": st.sampled_from([0, 0, 0, 1, 3]),
        "extra": st.booleans(),
        "day": st.integers(min_value=0, max_value=40),
        "member": st.integers(min_value=0, max_value=2),
    }
)
reversal = st.fixed_dictionaries({"what": st.just("reverse"), "which": st.integers(min_value=0, max_value=20)})


def balances() -> tuple[int, int, int]:
    return (
        DuesPayment.objects.count(),
        DuesEntry.objects.count(),
        DuesMonth.objects.aggregate(s=Sum("paid"))["s"] or 0,
    )


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(st.one_of(payment, payment, reversal), min_size=1, max_size=8))
def check_sequence(world: World, steps: list[dict]) -> None:
    members = [world.zhangsan, world.lisi, world.wangfang]
    not_extra: set[int] = set()  # payments made without "自愿多交"
    with transaction.atomic():
        for step in steps:
            before = balances()
            try:
                if step["what"] == "pay":
                    made = services.record_payment(
                        actor=world.town_admin,
                        member=members[step["member"]],
                        amount=step["yuan"],
                        paid_on=TODAY - dt.timedelta(days=step["day"]),
                        ahead=step["ahead"],
                        extra=step["extra"],
                        reason="补交" if step["day"] % 2 else "",
                    )
                    if not step["extra"]:
                        not_extra.add(made.pk)
                else:
                    made_so_far = list(DuesPayment.objects.exclude(kind=PaymentKind.REVERSAL).order_by("id"))
                    if not made_so_far:
                        continue
                    services.reverse_payment(
                        actor=world.town_admin, payment=made_so_far[step["which"] % len(made_so_far)], reason="录入有误"
                    )
            except DomainError:
                assert balances() == before  # refused: nothing written
        for owed, paid in DuesMonth.objects.values_list("owed", "paid"):
            assert 0 <= paid <= owed
        for row in DuesMonth.objects.all():
            assert row.paid == (row.entries.aggregate(s=Sum("amount"))["s"] or 0)
        for pay in DuesPayment.objects.all():
            assert pay.amount == (pay.entries.aggregate(s=Sum("amount"))["s"] or 0)
        assert not DuesEntry.objects.filter(month__isnull=True, payment__in=not_extra).exists()
        by_branch_months = dict(
            DuesMonth.objects.values("organization").annotate(s=Sum("paid")).values_list("organization", "s")
        )
        by_branch_entries = dict(
            DuesEntry.objects.filter(month__isnull=False)
            .values("month__organization")
            .annotate(s=Sum("amount"))
            .values_list("month__organization", "s")
        )
        assert by_branch_months == {org: by_branch_entries.get(org, 0) for org in by_branch_months}
        transaction.set_rollback(True)


def test_random_payments_and_reversals_keep_the_ledger_whole(world: World, today: Callable[[dt.date], None]) -> None:
    today(dt.date(2026, 1, 5))
    for member, category, base in ((world.zhangsan, "in_service", "6000"), (world.lisi, "retired", "5000.01")):
        services.set_basis(
            actor=world.town_admin, member=member, valid_from=dt.date(2026, 1, 1), category=category, base=base
        )
    services.set_basis(actor=world.town_admin, member=world.wangfang, valid_from=dt.date(2026, 1, 1), category="farmer")
    today(TODAY)
    for month in rules.months_between(dt.date(2026, 1, 1), TODAY):
        services.generate_month(month)
    check_sequence(world)
