"""The month's generation (``services.generate_month``): one statement writes the month for every
member on the roll with a basis who had joined by the month's end, at the branch holding them now;
a month already written is left as it is, however often the daily job runs and whoever paid it
ahead. And the demo county's ledger, written in bulk: it balances and a seed gives the same one."""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from conftest import World
from dangjian.demo.activity import build_activity
from dangjian.demo.generator import build_county
from dangjian.demo.users import ensure_staff_logins
from dangjian.dues import inbox, ledger, rules, services
from dangjian.dues.models import ArrearsReason, DuesBasis, DuesMonth, DuesPayment, PaymentKind, Relief
from dangjian.members.models import Member, Status

pytestmark = pytest.mark.django_db
D = dt.date
JANUARY = D(2026, 1, 1)


def basis(world: World, member: Member, base: str = "5400", since: dt.date = JANUARY) -> DuesBasis:
    """A basis set in December for a month to come (set_basis writes the months already begun)."""
    return services.set_basis(actor=world.town_admin, member=member, valid_from=since, category="in_service", base=base)


@pytest.fixture
def december(today: Any) -> Any:
    today(D(2025, 12, 20))
    return today


def test_a_month_is_written_once_however_often_the_daily_job_runs(world: World, december: Any) -> None:
    for member in (world.zhangsan, world.lisi, world.wangfang):
        basis(world, member)
    assert not DuesMonth.objects.exists()
    december(D(2026, 1, 1))
    assert services.generate_month(D(2026, 1, 1)) == 3
    for day in (2, 3, 9):  # the worker runs it every day
        december(D(2026, 1, day))
        assert services.generate_month(D(2026, 1, 1)) == 0
    assert DuesMonth.objects.filter(month=D(2026, 1, 1)).count() == 3


def test_the_months_paid_ahead_are_left_as_they_are_and_only_new_rows_are_counted(world: World, december: Any) -> None:
    for member in (world.zhangsan, world.lisi):
        basis(world, member)
    december(D(2026, 1, 10))
    services.generate_month(D(2026, 1, 1))
    # 经支部同意 张三 pays February and March ahead in January.
    services.record_payment(
        actor=world.branch_admin, member=world.zhangsan, amount="243", paid_on=D(2026, 1, 8), ahead=2
    )
    ahead = DuesMonth.objects.get(member=world.zhangsan, month=D(2026, 2, 1))
    december(D(2026, 2, 1))
    assert services.generate_month(D(2026, 2, 1)) == 1  # 李四's February only
    again = DuesMonth.objects.get(member=world.zhangsan, month=D(2026, 2, 1))
    assert (again.pk, again.owed, again.paid) == (ahead.pk, 8100, 8100)
    assert ledger.paid_through(world.zhangsan) == D(2026, 3, 1)


def test_only_members_on_the_roll_with_a_basis_joined_by_the_month_s_end_get_it(world: World, december: Any) -> None:
    basis(world, world.zhangsan)
    basis(world, world.lisi)
    Member.objects.filter(pk=world.lisi.pk).update(status=Status.DECEASED)  # off the roll since
    zhaoliu = world.zhaoliu  # no basis: his dues are kept outside dangjian
    newcomer = Member.objects.get(pk=world.wangfang.pk)
    Member.objects.filter(pk=newcomer.pk).update(joined_date=D(2026, 2, 20), regularized_date=None)
    newcomer.refresh_from_db()
    basis(world, newcomer, since=D(2026, 2, 1))
    december(D(2026, 3, 2))
    for month in rules.months_between(D(2026, 1, 1), D(2026, 3, 1)):
        services.generate_month(month)
    written = set(DuesMonth.objects.values_list("member_id", "month"))
    assert written == {
        *((world.zhangsan.pk, month) for month in rules.months_between(D(2026, 1, 1), D(2026, 3, 1))),
        (newcomer.pk, D(2026, 2, 1)),  # joined on February 20th: February is owed (第十条's month)
        (newcomer.pk, D(2026, 3, 1)),
    }
    assert not DuesMonth.objects.filter(member=zhaoliu).exists()
    # Under a path: the town's members only.
    assert services.generate_month(D(2026, 4, 1), path=world.other_town.path) == 0
    assert services.generate_month(D(2026, 4, 1), path=world.town.path) == 2


AS_OF = D(2026, 1, 15)


def build_demo() -> dict[str, Any]:
    """A small demo county with its past (the dues ledger last): what its dues say, by person."""
    build_county(members=300, seed=5, today=AS_OF, progress=lambda _: None)
    build_activity(seed=5, today=AS_OF, logins=ensure_staff_logins())
    person = dict(Member.objects.values_list("pk", "id_hash"))
    return {
        "bases": sorted(
            (str(person[m]), category, str(base), amount, relief)
            for m, category, base, amount, relief in DuesBasis.objects.values_list(
                "member_id", "category", "base", "amount", "relief"
            )
        ),
        "months": sorted(
            (str(person[m]), month, owed, paid)
            for m, month, owed, paid in DuesMonth.objects.values_list("member_id", "month", "owed", "paid")
        ),
        "payments": sorted(
            (str(person[m]), kind, amount, paid_on, method, receipt)
            for m, kind, amount, paid_on, method, receipt in DuesPayment.objects.values_list(
                "member_id", "kind", "amount", "paid_on", "method", "receipt"
            )
        ),
    }


def test_the_demo_ledger_balances_tells_its_stories_and_is_the_same_for_a_seed(empty_registry: None) -> None:
    with transaction.atomic():
        first = build_demo()
        transaction.set_rollback(True)
    second = build_demo()
    assert second == first
    out = StringIO()
    call_command("check_dues", stdout=out)  # every month's paid and every payment: the sums of their entries
    assert "党费账平衡" in out.getvalue()
    on_roll = Member.objects.filter(deleted_at__isnull=True, status__in=[s for s in Status if s.is_on_roll])
    assert set(DuesBasis.objects.values_list("member_id", flat=True)) == set(on_roll.values_list("pk", flat=True))
    categories = set(DuesBasis.objects.values_list("category", flat=True))
    assert {"in_service", "retired", "farmer"} <= categories
    relieved = DuesBasis.objects.exclude(relief="")
    assert sorted(relieved.values_list("relief", flat=True)) == [Relief.EXEMPT, Relief.REDUCED]
    assert set(relieved.values_list("relief_by__name", flat=True)) == {"中共坪塘镇委员会"}
    months = DuesMonth.objects.all()
    paid = months.aggregate(owed=Sum("owed"), paid=Sum("paid"))
    assert 0.9 * paid["owed"] < paid["paid"] < paid["owed"]  # most pay; a few are behind
    behind = ledger.arrears(months, AS_OF)
    assert sum(row.flagged for row in behind) >= 2  # 第十三条: the inbox has them
    assert len(list(inbox.compute(AS_OF, None))) == sum(row.flagged for row in behind)
    assert ArrearsReason.objects.exists()
    kinds = set(DuesPayment.objects.values_list("kind", flat=True))
    assert kinds == {PaymentKind.DUES, PaymentKind.EXTRA, PaymentKind.REVERSAL}
    extra = DuesPayment.objects.get(kind=PaymentKind.EXTRA)
    assert extra.amount == 100_000 and extra.remit_to_centre
    assert DuesPayment.objects.exclude(reason="").filter(kind=PaymentKind.DUES).exists()  # 补交 beyond six months
