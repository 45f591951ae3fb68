"""Writes the synthetic county for the demo and the benchmarks, deterministic for a seed and a
date: the organizations of ``county.py``, the members of ``people.py``, their organization setting
(``setting.py``) and the records of the mobile members (``mobility.py``). What the county did in
its last years (development files, transfers, sanctions) is replayed through the services
afterwards (``activity.py``).

Everything is written inside one transaction: the county lands whole or not at all. Members go in
as rows (COPY on PostgreSQL), not model instances, so 10^6 of them take minutes, not an hour.
"""

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.core import crypto
from dangjian.core.bulk import RowWriter
from dangjian.core.dates import add_months
from dangjian.core.enums import Degree, Education
from dangjian.members.models import LeftReason, Member, MembershipPeriod, Status, StatusPeriod
from dangjian.orgs.models import Organization
from dangjian.transfers.models import MobileMember

from .county import COUNTY_REGION, CountyPlan, plan_county
from .mobility import COLUMNS as MOBILITY_COLUMNS
from .mobility import MobilityWriter
from .people import PersonFactory
from .setting import COLUMNS as SETTING_COLUMNS
from .setting import SettingWriter

Progress = Callable[[str], None]
BATCH = 5000


MEMBER_COLUMNS = (
    "id",
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "education",
    "category",
    "joined_date",
    "regularized_date",
    "status",
    "occupation",
    "phone",
    "native_place",
    "id_hash",
    "id_tail",
    "phone_hash",
    "phone_tail",
    "degree",
    "job",
    "address",
    "is_central_household",
    "status_date",
    "status_reason",
    "left_reason",
    "organization",
    "org_path",
    "user",
    "deleted_at",
    "created_at",
    "updated_at",
    "party_group",
)
PERIOD_COLUMNS = ("id", "member", "organization", "start", "end", "reason")
STATUS_COLUMNS = ("member", "status", "start", "end", "reason", "left_reason")
DEGREES = {Education.POSTGRADUATE: Degree.MASTER, Education.BACHELOR: Degree.BACHELOR}


def _member_row(
    person: tuple[Any, ...], today: dt.date, status_date: dt.date | None = None
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The member's columns after the id (personal data encrypted as the model stores it), and
    the open status period's; ``status_date``: since when a status other than 正常 holds (by
    default six months after joining or regularization)."""
    id_number, education, joined, regularized, status, phone = (person[i] for i in (6, 7, 9, 10, 11, 13))
    if status == Status.NORMAL:
        status_date = None
    elif status_date is None:
        status_date = min(today, add_months(regularized or joined, 6))
    left_reason = LeftReason.REMOVED.value if status == Status.LEFT else ""
    member = (
        *person[:6],
        crypto.encrypt(id_number),
        *person[7:13],
        crypto.encrypt(phone),
        person[14],
        crypto.lookup_hash(id_number),
        id_number[-4:],
        crypto.lookup_hash(phone),
        phone[-4:],
        DEGREES.get(education, ""),
        "",
        "",
        False,
        status_date,
        "",
        left_reason,
    )
    return member, (status, status_date or joined, None, "", left_reason)


def _allocate(plan: CountyPlan, total: int) -> list[int]:
    """Whole members per organization, summing exactly to ``total``: first per town (so a town
    planned at 1,953 members gets 1,953), then per organization inside each town."""
    towns: dict[int, list[int]] = {}
    for index, spec in enumerate(plan.orgs):
        if spec.size > 0:
            towns.setdefault(_town_of(plan, index), []).append(index)
    town_totals = _largest_remainder(
        {town: sum(plan.orgs[i].size for i in orgs) for town, orgs in towns.items()}, total
    )
    counts = [0] * len(plan.orgs)
    for town, orgs in towns.items():
        for index, count in _largest_remainder({i: plan.orgs[i].size for i in orgs}, town_totals[town]).items():
            counts[index] = count
    return counts


def _town_of(plan: CountyPlan, index: int) -> int:
    """The organization directly under the root that ``index`` lies in (itself at that level)."""
    while (parent := plan.orgs[index].parent) is not None and plan.orgs[parent].parent is not None:
        index = parent
    return index


def _largest_remainder(weights: dict[int, float], total: int) -> dict[int, int]:
    scale = total / sum(weights.values())
    shares = {key: weight * scale for key, weight in weights.items()}
    counts = {key: int(share) for key, share in shares.items()}
    by_remainder = sorted(shares, key=lambda key: shares[key] - counts[key], reverse=True)
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _paths(plan: CountyPlan) -> list[str]:
    paths = [""] * len(plan.orgs)
    for index, spec in enumerate(plan.orgs):
        if spec.parent is None:
            paths[index] = Organization._get_path(None, 1, 1)
        for position, child in enumerate(spec.children, start=1):
            paths[child] = Organization._get_path(paths[index], len(paths[index]) // Organization.steplen + 1, position)
    return paths


@transaction.atomic
def build_county(*, members: int, seed: int, today: dt.date, progress: Progress = print) -> Organization:
    """Write the county with ``members`` members into an empty registry; returns the root."""
    if Member.objects.exists():
        raise ValueError("the demo county is built into an empty member registry")
    rng = random.Random(seed)
    plan = plan_county(members, rng)
    paths = _paths(plan)
    organizations = [
        Organization(
            path=paths[i],
            depth=len(paths[i]) // Organization.steplen,
            numchild=len(spec.children),
            name=spec.name,
            short_name=spec.short_name,
            code=f"{COUNTY_REGION}{i:06d}",
            kind=spec.kind,
            unit_category=spec.unit,
            founded_date=spec.founded,
            abolished_date=spec.abolished,
            **SettingWriter.profile(spec),
        )
        for i, spec in enumerate(plan.orgs)
    ]
    Organization.objects.bulk_create(organizations, batch_size=BATCH)
    saved = {org.path: org for org in Organization.objects.filter(path__in=paths)}
    organizations = [saved[path] for path in paths]
    progress(f"党组织 {len(organizations)} 个已写入")
    writer = RowWriter()
    if writer.postgres:
        # Members name their party group and groups name their leader: the rows refer to each
        # other, so the foreign keys are checked at commit (a caller may have made them immediate).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    factory = PersonFactory(rng, today)
    now = timezone.now()
    next_id = (Member.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    next_period = (MembershipPeriod.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    member_rows: list[tuple[Any, ...]] = []
    period_rows: list[tuple[Any, ...]] = []
    status_rows: list[tuple[Any, ...]] = []
    written = 0
    setting = SettingWriter(seed, today)
    mobility = MobilityWriter(seed, today, (MobileMember.objects.aggregate(top=Max("id"))["top"] or 0) + 1)
    for index, (spec, organization, count) in enumerate(
        zip(plan.orgs, organizations, _allocate(plan, members), strict=True)
    ):
        groups = setting.groups_for(index, spec, count)
        for k in range(count):
            row = factory.person(spec.profile)
            # A party group holds the members on the roll: not the deceased, nor those who left.
            on_roll = Status(row[11]).is_on_roll
            group = groups[k * len(groups) // count] if groups and on_roll else None
            left = mobility.left_date(row[5], row[9]) if row[11] == Status.MOBILE else None
            columns, status_period = _member_row(row, today, left)
            if left is not None:
                mobility.member(next_id, organization.pk, row[5], left, now)
            member_rows.append((next_id, *columns, organization.pk, organization.path, None, None, now, now, group))
            status_rows.append((next_id, *status_period))
            setting.member(index, next_id, group, row)
            start = max(row[9], spec.founded)  # joined, or the organization's founding if later
            period_rows.append((next_period, next_id, organization.pk, start, None, "登记入册"))
            next_id += 1
            next_period += 1
            if len(member_rows) == BATCH:
                written += _flush(writer, member_rows, period_rows, status_rows)
                progress(f"党员 {written}/{members}")
    written += _flush(writer, member_rows, period_rows, status_rows)
    writer.reset_sequences(Member, MembershipPeriod, StatusPeriod)
    progress(f"党员 {written}/{members}")
    for model, rows in setting.rows(plan, organizations, now).items():
        writer.write(model, SETTING_COLUMNS[model], rows)
        writer.reset_sequences(model)
    progress("领导班子、党小组、覆盖单位、共管关系已写入")
    writer.write(MobileMember, MOBILITY_COLUMNS[MobileMember], mobility.rows)
    writer.reset_sequences(MobileMember)
    progress(f"流动党员 {len(mobility.rows)} 名已登记")
    return organizations[0]


def _flush(writer: RowWriter, *batches: list[tuple[Any, ...]]) -> int:
    member_rows, period_rows, status_rows = batches
    count = len(member_rows)
    writer.write(Member, MEMBER_COLUMNS, member_rows)
    writer.write(MembershipPeriod, PERIOD_COLUMNS, period_rows)
    writer.write(StatusPeriod, STATUS_COLUMNS, status_rows)
    for batch in batches:
        batch.clear()
    return count
