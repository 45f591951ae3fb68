"""The demo county's party dues (党费) of the last thirteen months, to this one: a basis for every
member on the roll (most 在职 on after-tax pay of 2,500 to 12,000 yuan, retirees on their
pensions, the farmers of the village branches at the national 0.2 yuan, a few students, and two
hardship cases approved by 坪塘镇党委: one exempt on 低保, one paying less), some raised from this
January, the months written by ``services.generate_month``, and the payments: most members pay
each month (cash with a receipt, WeChat or the bank), some by the quarter ahead (经支部同意), a few
are one to three months behind, three have paid nothing for six months or more (the inbox's
第十三条 items; one of them in the demo branch), one was in hospital with the branch's reason
recorded, one paid back eight months with the reason 第十二条 asks for, one payment typed wrong
was reversed (冲正) and entered again, and one member gave 1,000 yuan more (全部上缴中央). 坪塘镇's
branches have passed up what they collected this year (上缴), the town half of what reaches it.

Written in bulk after the other stories, as a county's first import of its paper dues ledgers
would be: the bases by ``bulk_create``, the payments and their entries as rows, then one UPDATE
of every month's ``paid`` from its entries, so that ``manage.py check_dues`` balances. The hardship
cases, the back-payment, the reversal, the reason, the extra and the remittances go through the
services, on their days."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.core.bulk import RowWriter
from dangjian.core.enums import Occupation
from dangjian.dues import remittance, rules, services, standards
from dangjian.dues.models import (
    DuesBasis,
    DuesEntry,
    DuesMonth,
    DuesPayment,
    Method,
    PaymentKind,
    Relief,
    RemittanceShare,
)
from dangjian.members.models import Category, Member, Status
from dangjian.members.services import ON_ROLL
from dangjian.orgs.models import Organization, UnitCategory

from .activity import Cast, on

PAYMENT_COLUMNS = (
    "id",
    "member",
    "kind",
    "amount",
    "paid_on",
    "method",
    "receipt",
    "payer",
    "reason",
    "collected_by",
    "org_path",
    "remit_to_centre",
    "recorded_by",
    "recorded_at",
)
ENTRY_COLUMNS = ("id", "payment", "month", "amount")
# (low, high) after-tax monthly pay in yuan of a member in service, by occupation.
PAY = {
    Occupation.OFFICIAL: (4500, 9500),
    Occupation.PROFESSIONAL: (4000, 11000),
    Occupation.MANAGER: (5000, 12000),
    Occupation.WORKER: (2500, 6500),
    Occupation.OTHER: (2500, 5000),
    "": (3000, 6000),
}
RAISED = 0.05  # of the members in service, raised from this January (第十条: from the month first paid)
QUARTERLY, BEHIND = 0.10, 0.025
LEDGER_MONTHS = 13  # this month and the twelve before it
BACK_MONTHS = 8  # the months the member who paid back had missed (more than 第十二条's six)


Row = tuple[int, dt.date, int]  # a ledger month: its id, the month, what it owes (fen)


@dataclass
class Payer:
    """One member of the ledger and how they pay."""

    pk: int
    organization: int
    path: str
    joined: dt.date
    status: str
    habit: str = "monthly"  # monthly, quarterly, behind, silent, reason, back, reversal
    unpaid: int = 0  # the last months (this one included) left unpaid
    months: list[Row] = field(default_factory=list)


def write(cast: Cast) -> dict[str, int]:
    """Write the county's dues ledger; returns what was written."""
    today = cast.today
    this = rules.first_of(today)
    start = rules.add_months(this, -LEDGER_MONTHS + 1)
    standard = standards.in_force(start)
    if standard is None:
        return {}
    branches = {
        org.pk: org for org in Organization.objects.filter(path__startswith=cast.root.path, deleted_at__isnull=True)
    }
    members = list(
        Member.objects.filter(org_path__startswith=cast.root.path, deleted_at__isnull=True, status__in=ON_ROLL)
        .order_by("id")
        .only("id", "organization_id", "org_path", "occupation", "birth_date", "joined_date", "status", "category")
    )
    if not members:
        return {}
    rng = cast.rng
    writers = {pk: cast.writer_of(org) for pk, org in branches.items()}
    payers = {m.pk: Payer(m.pk, m.organization_id, m.org_path, m.joined_date, m.status) for m in members}
    special = _special(cast, members, branches, start)
    hardship = _hardship(cast, members, branches, start)

    # The bases, from the ledger's first month (or the month the member joined).
    rates = standard.as_rules()
    bases, raises = [], []
    for member in members:
        if member.pk in hardship:
            continue
        category, base = _category(rng, member, branches[member.organization_id], today)
        since = max(start, rules.first_of(member.joined_date))
        basis = DuesBasis(
            member_id=member.pk,
            valid_from=since,
            category=category.value,
            base=base,
            standard=standard,
            amount=rules.owed(rates, category, base),
            recorded_by=writers[member.organization_id],
        )
        raise_from = dt.date(today.year, 1, 1)
        if category is rules.Category.IN_SERVICE and since < raise_from and rng.random() < RAISED:
            assert base is not None
            raised = (base * Decimal(rng.randint(103, 110)) / 100).quantize(rules.FEN)
            basis.valid_to = rules.add_months(raise_from, -1)
            raises.append(
                DuesBasis(
                    member_id=member.pk,
                    valid_from=raise_from,
                    category=category.value,
                    base=raised,
                    standard=standard,
                    amount=rules.owed(rates, category, raised),
                    note="调资",
                    recorded_by=basis.recorded_by,
                )
            )
        bases.append(basis)
    with on(start):
        DuesBasis.objects.bulk_create(bases, batch_size=2000)
    with on(dt.date(today.year, 1, 5)):
        DuesBasis.objects.bulk_create(raises, batch_size=2000)

    for month in rules.months_between(start, this):
        services.generate_month(month, path=cast.root.path)

    # How each member pays (the special cases chosen above).
    for pk, (habit, unpaid) in special.items():
        payers[pk].habit, payers[pk].unpaid = habit, unpaid
    for payer in payers.values():
        if payer.habit != "monthly" or payer.pk in hardship:
            continue
        draw = rng.random()
        if draw < BEHIND:
            payer.habit, payer.unpaid = "behind", rng.randint(1, 3)
        elif draw < BEHIND + QUARTERLY:
            payer.habit = "quarterly"
    _quarter_ahead(payers, this)
    for pk, member_id, month, owed in (
        DuesMonth.objects.filter(org_path__startswith=cast.root.path)
        .order_by("member_id", "month")
        .values_list("pk", "member_id", "month", "owed")
    ):
        payers[member_id].months.append((pk, month, owed))

    ledger = _Ledger(cast, branches)
    for payer in payers.values():
        ledger.pay(payer)
    ledger.write()
    # Each month's paid is the sum of its entries (what the payment services keep in their transaction).
    entries = DuesEntry.objects.filter(month=OuterRef("pk")).values("month").annotate(total=Sum("amount"))
    DuesMonth.objects.filter(org_path__startswith=cast.root.path).update(
        paid=Coalesce(Subquery(entries.values("total")), Value(0))
    )
    _through_the_services(cast, payers, special, branches, this)
    return {
        "bases": len(bases) + len(raises) + len(hardship),
        "months": DuesMonth.objects.filter(org_path__startswith=cast.root.path).count(),
        "payments": DuesPayment.objects.filter(org_path__startswith=cast.root.path).count(),
        "remittances": _remittances(cast, this),
    }


def _remittances(cast: Cast, this: dt.date) -> int:
    """坪塘镇's branches pass up what they collected this year before this month (上缴, by the town's
    administrator in the month's first days); the town passes half of what reaches it to the county
    (a share the county set, 第十五条: the committees' shares are the province's to set)."""
    town = cast.town(cast.pingtang)
    year = rules.add_months(this, -1).year
    RemittanceShare.objects.get_or_create(
        organization=town,
        valid_from=dt.date(year, 1, 1),
        defaults={"share": Decimal("0.5"), "basis": "县委组织部《党费收缴、使用和管理实施细则》"},
    )
    collected = (
        DuesPayment.objects.filter(
            org_path__startswith=town.path, paid_on__gte=dt.date(year, 1, 1), paid_on__lt=this, kind=PaymentKind.DUES
        )
        .exclude(org_path=town.path)
        .values("collected_by")
        .annotate(total=Sum("amount"))
        .order_by("collected_by")
    )
    day = min(this + dt.timedelta(days=4), cast.today)
    written = 0
    with on(day):
        for row in collected:
            organization = Organization.objects.get(pk=row["collected_by"])
            if organization.path == town.path or not organization.path.startswith(town.path):
                continue
            remittance.record_remittance(
                actor=cast.pingtang,
                organization=organization,
                year=year,
                amount=rules.yuan(row["total"]).replace(",", ""),
                remitted_on=day,
                voucher=f"SJ{day:%Y%m}-{organization.code}",
                note=f"{year}年1月至{rules.add_months(this, -1).month}月党费",
            )
            written += 1
    return written


def _category(rng: Any, member: Member, branch: Organization, today: dt.date) -> tuple[rules.Category, Decimal | None]:
    """The member's category and base (yuan), from the occupation, the age and the branch."""
    age = (today - member.birth_date).days // 365
    village = branch.unit_category == UnitCategory.VILLAGE
    occupation = member.occupation
    if occupation == Occupation.STUDENT or (age < 23 and occupation == Occupation.OTHER):
        return rules.Category.STUDENT, None
    if occupation == Occupation.FARMER or (occupation == Occupation.RETIRED and village and rng.random() < 0.7):
        return rules.Category.FARMER, None
    if occupation == Occupation.RETIRED:
        low, high = (1500, 3500) if village else (2500, 7500)
        return rules.Category.RETIRED, _yuan(rng, low, high)
    if occupation == Occupation.OTHER and rng.random() < 0.3:
        return rules.Category.NO_FIXED_INCOME, _yuan(rng, 1500, 4000)  # 灵活就业: last quarter's average
    if occupation == Occupation.OTHER and rng.random() < 0.1:
        return rules.Category.UNEMPLOYED, None
    if occupation == Occupation.MANAGER and branch.unit_category == UnitCategory.STATE_ENTERPRISE:
        return rules.Category.ANNUAL_SALARY, _yuan(rng, 9000, 16000)
    low, high = PAY.get(occupation, PAY[""])
    return rules.Category.IN_SERVICE, _yuan(rng, low, high)


def _yuan(rng: Any, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 10, high * 10)) / 10  # after tax, to the jiao


def _candidates(
    cast: Cast,
    members: list[Member],
    branches: dict[int, Organization],
    start: dt.date,
    under: Organization,
    taken: set[int],
    *,
    old: bool = False,
    units: tuple[str, ...] = (UnitCategory.VILLAGE, UnitCategory.COMMUNITY),
) -> list[Member]:
    """Full members on the roll under ``under`` (in branches of ``units``), in the ledger from its
    first month, that no story has."""
    return [
        m
        for m in members
        if m.org_path.startswith(under.path)
        and m.status == Status.NORMAL
        and m.category == Category.FULL
        and m.joined_date < start
        and m.pk not in cast.used
        and m.pk not in taken
        and branches[m.organization_id].unit_category in units
        and (not old or (cast.today - m.birth_date).days > 65 * 365)
    ]


def _special(
    cast: Cast, members: list[Member], branches: dict[int, Organization], start: dt.date
) -> dict[int, tuple[str, int]]:
    """The members of the ledger's stories: habit and the last months left unpaid (by the bulk)."""
    taken: set[int] = set()
    pingtang, gushan = cast.town(cast.pingtang), cast.town(cast.gushan)
    rural = (UnitCategory.VILLAGE, UnitCategory.COMMUNITY)
    cases = [
        ("silent", 7, cast.login_branch, rural),  # 第十三条: six finished months and this one
        ("silent", 8, pingtang, rural),
        ("silent", 10, gushan, rural),
        ("reason", 7, pingtang, rural),  # in hospital: a valid reason recorded, not flagged
        ("back", 0, gushan, rural),  # BACK_MONTHS unpaid, then paid back last month
        ("reversal", 0, pingtang, rural),  # last month's payment typed wrong, reversed, entered again
        ("extra", 0, cast.root, (UnitCategory.ORGAN,)),  # 1,000 yuan more, two months ago
    ]
    found: dict[int, tuple[str, int]] = {}
    for habit, unpaid, under, units in cases:
        pool = _candidates(cast, members, branches, start, under, taken, units=units)
        if not pool:
            continue
        chosen = cast.rng.choice(pool)
        taken.add(chosen.pk)
        found[chosen.pk] = (habit, unpaid)
    cast.used.update(taken)
    return found


def _hardship(cast: Cast, members: list[Member], branches: dict[int, Organization], start: dt.date) -> set[int]:
    """Two members of 坪塘镇 in hardship (第七条), approved by the town committee in December:
    one on 低保 exempt, one retired and seriously ill paying 5 yuan a month instead of 10.50."""
    town = cast.town(cast.pingtang)
    pool = _candidates(cast, members, branches, start, town, set(), old=True)
    if len(pool) < 2:
        return set()
    exempt, reduced = cast.rng.sample(pool, 2)
    approved = start - dt.timedelta(days=12)
    with on(start):
        services.set_basis(
            actor=cast.pingtang,
            member=exempt,
            valid_from=start,
            category=rules.Category.SUBSISTENCE,
            relief=Relief.EXEMPT,
            relief_by=town,
            relief_on=approved,
            note="领取最低生活保障金，经支部研究、镇党委批准免交",
        )
        services.set_basis(
            actor=cast.pingtang,
            member=reduced,
            valid_from=start,
            category=rules.Category.RETIRED,
            base="2100",
            relief=Relief.REDUCED,
            relief_amount="5",
            relief_by=town,
            relief_on=approved,
            note="身患重病，经支部研究、镇党委批准少交",
        )
    cast.used.update({exempt.pk, reduced.pk})
    return {exempt.pk, reduced.pk}


def _quarter_ahead(payers: dict[int, Payer], this: dt.date) -> None:
    """The months of this quarter after this one, for the members paying by the quarter ahead
    (what ``record_payment`` with ``ahead`` writes)."""
    ahead = [rules.add_months(this, step) for step in range(1, 3 - (this.month - 1) % 3)]
    if not ahead:
        return
    quarterly = [payer.pk for payer in payers.values() if payer.habit == "quarterly"]
    open_bases = DuesBasis.objects.filter(member_id__in=quarterly, valid_to__isnull=True).order_by("member_id")
    rows = [
        DuesMonth(
            member_id=basis.member_id,
            month=month,
            organization_id=payers[basis.member_id].organization,
            org_path=payers[basis.member_id].path,
            basis=basis,
            owed=basis.amount,
        )
        for basis in open_bases
        for month in ahead
    ]
    DuesMonth.objects.bulk_create(rows, batch_size=2000)


class _Ledger:
    """The payments and their entries, as rows with their ids."""

    def __init__(self, cast: Cast, branches: dict[int, Organization]) -> None:
        self.cast, self.rng, self.today = cast, cast.rng, cast.today
        self.writers = {pk: cast.writer_of(org).pk for pk, org in branches.items()}
        self.zone, self.now = timezone.get_current_timezone(), timezone.now()
        self.next_payment = (DuesPayment.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        self.next_entry = (DuesEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        self.payments: list[tuple[Any, ...]] = []
        self.entries: list[tuple[Any, ...]] = []

    def pay(self, payer: Payer) -> None:
        this = rules.first_of(self.today)
        months = [(pk, month, owed) for pk, month, owed in payer.months if owed > 0]
        last_unpaid = rules.add_months(this, -payer.unpaid + 1) if payer.unpaid else None
        if payer.habit == "back":  # BACK_MONTHS unpaid, paid back last month (by the service)
            gap = rules.add_months(this, -BACK_MONTHS)
            months = [m for m in months if not gap <= m[1] < this]
            last_unpaid = None
        elif payer.habit == "reversal":  # last month entered by the services
            months = [m for m in months if m[1] != rules.add_months(this, -1)]
            last_unpaid = None
        if last_unpaid is not None:
            months = [m for m in months if m[1] < last_unpaid]
        if payer.habit == "quarterly":
            by_quarter: dict[tuple[int, int], list[Row]] = defaultdict(list)
            for row in months:
                by_quarter[(row[1].year, (row[1].month - 1) // 3)].append(row)
            for quarter in by_quarter.values():
                self._payment(payer, quarter, quarter[0][1], (3, 15))
            return
        waiting: list[Row] = []
        for row in months:
            waiting.append(row)
            # Now and then a month is paid with the next one (away, or the branch's day missed).
            if row[1] < this and row != months[-1] and self.rng.random() < 0.04:
                continue
            if row[1] > this:  # months paid ahead: with this month's payment
                continue
            self._payment(payer, waiting, row[1], (3, 25))
            waiting = []
        if waiting:
            self._payment(payer, waiting, min(waiting[0][1], this), (3, 25))

    def _payment(self, payer: Payer, months: list[Row], month: dt.date, days: tuple[int, int]) -> None:
        rng = self.rng
        day = min(month + dt.timedelta(days=rng.randint(*days) - 1), self.today)
        day = max(day, payer.joined)
        draw = rng.random()
        number = self.next_payment
        if draw < 0.5:
            method, receipt = Method.CASH, f"SJ{day:%Y%m%d}{number:06d}"
        elif draw < 0.95:
            method, receipt = Method.WECHAT, f"4200{number:010d}{day:%Y%m%d}{rng.randrange(10**6):06d}"
        else:
            method, receipt = Method.BANK, f"{day:%Y%m%d}{number:012d}"
        away = payer.status in (Status.MOBILE, Status.ABROAD, Status.LOST_CONTACT)
        payer_name = "亲属代交" if away and rng.random() < 0.5 else ""
        minutes = rng.randint(0, 480)  # entered the day it was received, from 10:00
        at = dt.datetime(day.year, day.month, day.day, 10 + minutes // 60, minutes % 60, tzinfo=self.zone)

        self.payments.append(
            (
                number,
                payer.pk,
                PaymentKind.DUES.value,
                sum(owed for _, _, owed in months),
                day,
                method.value,
                receipt,
                payer_name,
                "",
                payer.organization,
                payer.path,
                False,
                self.writers.get(payer.organization),
                min(at, self.now),
            )
        )
        for pk, _, owed in months:
            self.entries.append((self.next_entry, number, pk, owed))
            self.next_entry += 1
        self.next_payment += 1

    def write(self) -> None:
        writer = RowWriter()
        writer.write(DuesPayment, PAYMENT_COLUMNS, self.payments)
        writer.write(DuesEntry, ENTRY_COLUMNS, self.entries)
        writer.reset_sequences(DuesPayment, DuesEntry)


def _through_the_services(
    cast: Cast,
    payers: dict[int, Payer],
    special: dict[int, tuple[str, int]],
    branches: dict[int, Organization],
    this: dt.date,
) -> None:
    """The cases a branch enters one by one, on their days."""
    last = rules.add_months(this, -1)
    on_day = min(last + dt.timedelta(days=9), cast.today)
    for pk, (habit, _) in special.items():
        member = Member.objects.get(pk=pk)
        actor = cast.writer_of(branches[member.organization_id])
        if habit == "reason":
            with on(on_day):
                services.record_reason(
                    actor=actor,
                    member=member,
                    from_month=rules.add_months(this, -6),
                    to_month=last,
                    reason="因病住院治疗，无法按月交纳党费（支部核实）",
                )
        elif habit == "back":
            gap = rules.add_months(this, -BACK_MONTHS)
            owed = sum(o for _, month, o in payers[pk].months if gap <= month <= last)
            with on(on_day):
                services.record_payment(
                    actor=actor,
                    member=member,
                    amount=rules.yuan(owed).replace(",", ""),
                    paid_on=on_day,
                    receipt=f"SJ-{on_day:%Y%m}-BJ{pk}",
                    reason="外出务工期间未按月交纳，返乡后向支部说明情况并补交",
                )
        elif habit == "reversal":
            owed = next(o for _, month, o in payers[pk].months if month == last)
            with on(on_day):
                wrong = services.record_payment(
                    actor=actor,
                    member=member,
                    amount=rules.yuan(owed // 10 or 1).replace(",", ""),
                    paid_on=on_day,
                    receipt=f"SJ-{on_day:%Y%m}-CZ{pk}",
                )
                services.reverse_payment(actor=actor, payment=wrong, reason=f"金额录入错误，应为{rules.yuan(owed)}元")
                services.record_payment(
                    actor=actor,
                    member=member,
                    amount=rules.yuan(owed).replace(",", ""),
                    paid_on=on_day,
                    receipt=f"SJ-{on_day:%Y%m}-CZ{pk}-2",
                )
        elif habit == "extra":
            day = min(rules.add_months(this, -2) + dt.timedelta(days=14), cast.today)
            with on(day):
                services.record_payment(
                    actor=actor,
                    member=member,
                    amount="1000",
                    paid_on=day,
                    method=Method.BANK,
                    receipt=f"YX{day:%Y%m%d}{pk:08d}",
                    extra=True,
                    reason="自愿多交党费",
                )
