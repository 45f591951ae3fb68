"""What the report counts (RULES §8's basis), each as a query of subjects with their dimensions.

A *population* is a set of subjects (members, events, organizations) for an organization's subtree
and a report date; a *dimension* is a column of it the form's conditions test (gender, age band,
event kind…). Every population is SQL: the engine aggregates it in the database, and the same SQL,
filtered by a cell's conditions, lists the subjects behind the cell (the drill-down).

The basis:
- a member is counted by the organization holding the formal relation on the date (membership
  periods) while on the roll (status periods): history, not the member's current record, so a
  report as of last 31 December does not move when a member transfers in January;
- 发展党员 and 转正 by the organization holding the relation on the approval date (the joined and
  regularized dates are those dates);
- 出党 and death by the organization the member belonged to the day before, on the date approved;
- 民主评议 by the organization that held it; organizations by the one above (a report counts the
  organizations under its node, not the node).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear, Length, Substr
from django.db.models.lookups import LessThanOrEqual

from dangjian.core.dates import add_years
from dangjian.core.enums import Ethnicity
from dangjian.members.models import Member, MembershipPeriod, Status, StatusPeriod
from dangjian.orgs.models import CoveredUnit, Organization, OrgKind, UnitCategory

OFF_ROLL = [s.value for s in Status if not s.is_on_roll]
MINORITY = [e.value for e in Ethnicity if e.is_minority]


@dataclass(frozen=True)
class Frame:
    """Where and when: the subtree's root path, the report date, and the day before the year the
    events are counted in (events on ``since`` < d ≤ ``day``)."""

    path: str
    day: dt.date
    form: Any  # definition.Form

    @property
    def since(self) -> dt.date:
        return dt.date(self.day.year - 1, 12, 31)

    @property
    def child_length(self) -> int:
        return len(self.path) + 4  # treebeard's steplen: a child's path is ours plus four characters


def youngest_cutoff(day: dt.date, age: int) -> dt.date:
    """Members born after this date are at most ``age`` on ``day`` (``core.dates.age_on``'s count,
    a 29 February birthday falling on 28 February)."""
    cutoff = add_years(day, -(age + 1))
    while add_years(cutoff + dt.timedelta(days=1), age + 1) <= day:
        cutoff += dt.timedelta(days=1)
    return cutoff


def _age_bands(frame: Frame, birth: str, band: str) -> Expression:
    whens = [
        When(**{f"{birth}__gt": youngest_cutoff(frame.day, b.max)}, then=Value(b.key))
        for b in frame.form.bands[band]
        if b.max is not None
    ]
    last = frame.form.bands[band][-1].key
    return Case(*whens, default=Value(last), output_field=CharField())


def _date_bands(frame: Frame, field: str, band: str) -> Expression:
    whens = [When(**{f"{field}__lt": b.before}, then=Value(b.key)) for b in frame.form.bands[band] if b.before]
    return Case(*whens, default=Value(frame.form.bands[band][-1].key), output_field=CharField())


def _flag(condition: Q) -> Expression:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _covering(day: Any, prefix: str = "") -> Q:
    """Periods (or status periods) in force on ``day``: start ≤ day < end."""
    return Q(**{f"{prefix}start__lte": day}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": day}))


def _on_roll(day: Any) -> Any:
    """No off-roll status (已故, 出党, 已转出) covers the day: a member is on the roll from the day
    the relation is held until a status says otherwise, whatever the status history leaves out."""
    off = StatusPeriod.objects.filter(_covering(day), member_id=OuterRef("member_id"), status__in=OFF_ROLL)
    return ~Exists(off)


def _member_dimensions(m: str, path: str, category_at: Any) -> dict[str, Callable[[Frame], Any]]:
    """The dimensions of a population whose rows reach the member through ``m`` and the counting
    organization's path through ``path``."""
    return {
        "gender": lambda f: F(f"{m}gender"),
        "minority": lambda f: _flag(Q(**{f"{m}ethnicity__in": MINORITY})),
        "education": lambda f: F(f"{m}education"),
        "occupation": lambda f: F(f"{m}occupation"),
        "category": lambda f: Case(
            When(**{f"{m}regularized_date__lte": category_at(f)}, then=Value("full")),
            default=Value("probationary"),
            output_field=CharField(),
        ),
        "age": lambda f: _age_bands(f, f"{m}birth_date", "age"),
        "joined": lambda f: _date_bands(f, f"{m}joined_date", "joined"),
        "unit": lambda f: F(f"{path[: -len('path')]}unit_category"),
        "child": lambda f: Substr(path, 1, f.child_length),
    }


@dataclass(frozen=True)
class Population:
    """``rows(frame)``: the subjects' query; ``dimensions``: name → expression over it;
    ``subject``: the column naming the member (or organization) a row is about."""

    name: str
    label: str
    subject_kind: str  # "member" or "organization"
    rows: Callable[[Frame], QuerySet[Any]]
    dimensions: dict[str, Callable[[Frame], Any]]
    subject: str = "member_id"
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda qs: qs

    def __contains__(self, dimension: str) -> bool:
        return dimension in self.dimensions

    def sql(self, frame: Frame, dimensions: list[str]) -> tuple[str, tuple[Any, ...]]:
        """SELECT subject, d_<dimension>… for the frame: what the engine groups and filters."""
        queryset = self.prepare(self.rows(frame))
        annotations = {f"d_{name}": self.dimensions[name](frame) for name in dimensions}
        queryset = queryset.annotate(subject_id=F(self.subject), **annotations)
        sql, params = queryset.order_by().values("subject_id", *annotations).query.sql_with_params()
        return sql, tuple(params)


def _roll(day_of: Callable[[Frame], dt.date]) -> Callable[[Frame], QuerySet[Any]]:
    def rows(frame: Frame) -> QuerySet[Any]:
        day = day_of(frame)
        return MembershipPeriod.objects.filter(
            _covering(day), organization__path__startswith=frame.path, member__deleted_at__isnull=True
        ).filter(_on_roll(day))

    return rows


def _roll_population(name: str, label: str, day_of: Callable[[Frame], dt.date]) -> Population:
    return Population(
        name=name,
        label=label,
        subject_kind="member",
        rows=_roll(day_of),
        dimensions=_member_dimensions("member__", "organization__path", day_of),
    )


def _on_approval(date_field: str) -> Callable[[Frame], QuerySet[Any]]:
    """Members whose ``date_field`` (joined or regularized: the approval dates) falls in the year,
    at the organization holding their relation that day."""

    def rows(frame: Frame) -> QuerySet[Any]:
        on = F(f"member__{date_field}")
        return MembershipPeriod.objects.filter(
            Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gt=on)),
            organization__path__startswith=frame.path,
            member__deleted_at__isnull=True,
            **{f"member__{date_field}__gt": frame.since, f"member__{date_field}__lte": frame.day},
        )

    return rows


def _with_join_age(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.annotate(
        j_m=ExtractMonth("member__joined_date"),
        j_d=ExtractDay("member__joined_date"),
        b_m=ExtractMonth("member__birth_date"),
        b_d=ExtractDay("member__birth_date"),
    )


def _join_age_bands(frame: Frame) -> Expression:
    """Completed years on the day of admission (the row's own date, so not a cutoff)."""
    before_birthday = Q(j_m__lt=F("b_m")) | Q(j_m=F("b_m"), j_d__lt=F("b_d"))
    age = (
        ExtractYear("member__joined_date")
        - ExtractYear("member__birth_date")
        - Case(When(before_birthday, then=1), default=0, output_field=IntegerField())
    )
    whens = [When(LessThanOrEqual(age, b.max), then=Value(b.key)) for b in frame.form.bands["join_age"] if b.max]
    return Case(*whens, default=Value(frame.form.bands["join_age"][-1].key), output_field=CharField())


def _developed() -> Population:
    dimensions = _member_dimensions("member__", "organization__path", lambda f: f.day)
    dimensions["join_age"] = _join_age_bands
    return Population(
        name="developed",
        label="发展党员",
        subject_kind="member",
        rows=_on_approval("joined_date"),
        dimensions=dimensions,
        prepare=_with_join_age,
    )


def _regularized() -> Population:
    from dangjian.development.models import Applicant

    dimensions = _member_dimensions("member__", "organization__path", lambda f: f.day)
    extended = Applicant.objects.filter(member_id=OuterRef("member_id"), extension_months__gt=0)
    dimensions["extended"] = lambda f: Exists(extended)
    return Population(
        name="regularized",
        label="预备党员转正",
        subject_kind="member",
        rows=_on_approval("regularized_date"),
        dimensions=dimensions,
    )


def _left_rows(frame: Frame) -> QuerySet[Any]:
    """出党 approved in the year, counted where the member belonged the day before, if on the roll
    that day."""
    day = F("start")
    before = Q(member__periods__start__lt=day) & (
        Q(member__periods__end__isnull=True) | Q(member__periods__end__gte=day)
    )
    # On the roll the day before: 出党 recorded after a death or a transfer out changes no count.
    off_before = StatusPeriod.objects.filter(
        Q(end__isnull=True) | Q(end__gte=OuterRef("start")),
        member_id=OuterRef("member_id"),
        status__in=OFF_ROLL,
        start__lt=OuterRef("start"),
    )
    return StatusPeriod.objects.filter(
        before,
        ~Exists(off_before),
        status=Status.LEFT,
        start__gt=frame.since,
        start__lte=frame.day,
        member__deleted_at__isnull=True,
        member__periods__organization__path__startswith=frame.path,
    )


def _left() -> Population:
    dimensions = _member_dimensions("member__", "member__periods__organization__path", lambda f: F("start"))
    dimensions["left_reason"] = lambda f: F("left_reason")
    return Population(name="left", label="出党", subject_kind="member", rows=_left_rows, dimensions=dimensions)


def _reviews() -> Population:
    from dangjian.meetings.models import ReviewEntry

    def rows(frame: Frame) -> QuerySet[Any]:
        return ReviewEntry.objects.filter(
            review__year=frame.day.year,
            review__opened_on__lte=frame.day,
            review__org_path__startswith=frame.path,
            member__deleted_at__isnull=True,
        )

    dimensions = _member_dimensions("member__", "review__organization__path", lambda f: f.day)
    dimensions["child"] = lambda f: Substr("review__org_path", 1, f.child_length)
    dimensions["rated"] = lambda f: F("rated")
    dimensions["rating"] = lambda f: F("rating__code")
    return Population(name="reviews", label="民主评议", subject_kind="member", rows=rows, dimensions=dimensions)


def _organizations() -> Population:
    from dangjian.elections.models import Term

    def rows(frame: Frame) -> QuerySet[Any]:
        return Organization.objects.filter(
            Q(founded_date__isnull=True) | Q(founded_date__lte=frame.day),
            Q(abolished_date__isnull=True) | Q(abolished_date__gt=frame.day),
            path__startswith=frame.path,
            deleted_at__isnull=True,
        ).exclude(path=frame.path)

    def term(frame: Frame) -> Expression:
        open_terms = Term.objects.filter(organization_id=OuterRef("pk"), start__lte=frame.day).filter(
            Q(actual_end__isnull=True) | Q(actual_end__gt=frame.day)
        )
        return Case(
            When(Exists(open_terms.filter(expected_end__lt=frame.day)), then=Value("overdue")),
            When(Exists(open_terms), then=Value("in_term")),
            default=Value("none"),
            output_field=CharField(),
        )

    def unit_start(frame: Frame) -> Expression:
        # The same unit as the one above: a 党总支's branches, or a village's or community's
        # organizations under its own committee. An industry committee (非公党委) is no unit.
        parent = Organization.objects.filter(
            Q(kind=OrgKind.GENERAL_BRANCH) | Q(unit_category__in=[UnitCategory.VILLAGE, UnitCategory.COMMUNITY]),
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - 4),
            unit_category=OuterRef("unit_category"),
        )
        return _flag(~Q(Exists(parent)))

    return Population(
        name="orgs",
        label="党组织",
        subject_kind="organization",
        rows=rows,
        subject="id",
        dimensions={
            "kind": lambda f: F("kind"),
            "unit": lambda f: F("unit_category"),
            "term": term,
            "unit_start": unit_start,
            "child": lambda f: Substr("path", 1, f.child_length),
        },
    )


def _covered_units() -> Population:
    """The units a 联合党支部 covers (its covered-units register), of joint branches existing on
    the date."""

    def rows(frame: Frame) -> QuerySet[Any]:
        return CoveredUnit.objects.filter(
            Q(organization__founded_date__isnull=True) | Q(organization__founded_date__lte=frame.day),
            Q(organization__abolished_date__isnull=True) | Q(organization__abolished_date__gt=frame.day),
            organization__kind=OrgKind.JOINT_BRANCH,
            organization__path__startswith=frame.path,
            organization__deleted_at__isnull=True,
        )

    return Population(
        name="covered_units",
        label="联合党支部覆盖的单位",
        subject_kind="organization",
        rows=rows,
        subject="organization_id",
        dimensions={
            "unit": lambda f: F("unit_category"),
            "child": lambda f: Substr("organization__path", 1, f.child_length),
        },
    )


def _uncovered_units() -> Population:
    from .models import UncoveredUnit

    def rows(frame: Frame) -> QuerySet[Any]:
        return UncoveredUnit.objects.filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=frame.day),
            listed_on__lte=frame.day,
            org_path__startswith=frame.path,
        )

    return Population(
        name="uncovered_units",
        label="未建立党组织的单位",
        subject_kind="unit",
        rows=rows,
        subject="id",
        dimensions={
            "unit": lambda f: F("unit_category"),
            "child": lambda f: Substr("org_path", 1, f.child_length),
        },
    )


class FlowPopulation(Population):
    """Table 1's increases and decreases: each day a member came onto the subtree's roll or went
    off it, with why. A member is *present* on a day when a membership period at an organization of
    the subtree covers it and no off-roll status period (已故, 出党, 已转出) does. An event is a
    day present after a day absent (in) or the reverse (out); it can only fall on a day some period
    starts or ends, so those days are the candidates. A move between two organizations of the
    subtree is no event, and start of year + ins − outs = end of year holds for each member."""

    def sql(self, frame: Frame, dimensions: list[str]) -> tuple[str, tuple[Any, ...]]:
        q = connection.ops.quote_name
        period, status = MembershipPeriod._meta.db_table, StatusPeriod._meta.db_table
        member, org = Member._meta.db_table, Organization._meta.db_table
        end = q("end")
        like = frame.path + "%"
        off_roll = ", ".join(f"'{s}'" for s in OFF_ROLL)  # our own constants, not input
        minority = ", ".join(f"'{e}'" for e in MINORITY)
        named = {
            "event": "e.event",
            "gender": "m.gender",
            "minority": f"(m.ethnicity IN ({minority}))",
            "child": f"SUBSTR(e.path, 1, {frame.child_length})",
        }
        columns = "".join(f", {named[d]} AS d_{d}" for d in dimensions)
        on_day = f"x.start <= c.day AND (x.{end} IS NULL OR x.{end} > c.day)"
        day_before = f"x.start < c.day AND (x.{end} IS NULL OR x.{end} >= c.day)"

        def path_of(covering: str) -> str:
            return (
                f"(SELECT y.path FROM {period} x JOIN {org} y ON y.id = x.organization_id "
                f"WHERE x.member_id = c.member_id AND {covering} AND y.path LIKE %s LIMIT 1)"
            )

        def off_roll_status(covering: str) -> str:
            return (
                f"(SELECT x.status FROM {status} x WHERE x.member_id = c.member_id AND {covering} "
                f"AND x.status IN ({off_roll}) LIMIT 1)"
            )

        def any_period(covering: str) -> str:
            return f"EXISTS (SELECT 1 FROM {period} x WHERE x.member_id = c.member_id AND {covering})"

        # Measured on 10^6 members: the filter takes a town's flows from 2.0 s to 0.2 s, and the
        # root's (where it removes no one) from 1.8 s to 3.2 s.
        below_root = len(frame.path) > Organization.steplen
        restricted = " WHERE c.member_id IN (SELECT member_id FROM here)" if below_root else ""
        sql = f"""
            WITH here AS (
                -- Only a member in the subtree on some day of the year can come or go: a subtree's
                -- flows cost its own periods, not the tree's (at the root, everyone: not filtered).
                SELECT DISTINCT p.member_id FROM {period} p JOIN {org} o ON o.id = p.organization_id
                WHERE o.path LIKE %s AND p.start <= %s AND (p.{end} IS NULL OR p.{end} >= %s)
            ), candidates AS (
                SELECT member_id, start AS day FROM {period} WHERE start > %s AND start <= %s
                UNION SELECT member_id, {end} FROM {period} WHERE {end} > %s AND {end} <= %s
                UNION SELECT member_id, start FROM {status} WHERE start > %s AND start <= %s
                UNION SELECT member_id, {end} FROM {status} WHERE {end} > %s AND {end} <= %s
            ), marked AS (
                SELECT c.member_id, c.day,
                       {path_of(on_day)} AS path_on, {path_of(day_before)} AS path_before,
                       {off_roll_status(on_day)} AS off_on, {off_roll_status(day_before)} AS off_before,
                       {any_period(on_day)} AS placed_on, {any_period(day_before)} AS placed_before
                FROM candidates c{restricted}
            ), events AS (
                SELECT k.member_id, k.day, k.path_on AS path,
                  CASE WHEN k.day = m.joined_date THEN 'developed'
                       WHEN k.off_before = '{Status.TRANSFERRED_OUT}' THEN 'in_outside'
                       WHEN k.off_before IS NOT NULL THEN 'restored'
                       WHEN k.placed_before THEN 'in_tree'
                       ELSE 'in_outside' END AS event
                FROM marked k JOIN {member} m ON m.id = k.member_id
                WHERE k.path_on IS NOT NULL AND k.off_on IS NULL
                  AND (k.path_before IS NULL OR k.off_before IS NOT NULL)
                UNION ALL
                SELECT k.member_id, k.day, k.path_before AS path,
                  CASE WHEN k.off_on = '{Status.DECEASED}' THEN 'died'
                       WHEN k.off_on = '{Status.LEFT}' THEN 'left'
                       WHEN k.off_on = '{Status.TRANSFERRED_OUT}' THEN 'out_outside'
                       WHEN k.placed_on THEN 'out_tree'
                       ELSE 'other_out' END AS event
                FROM marked k
                WHERE k.path_before IS NOT NULL AND k.off_before IS NULL
                  AND (k.path_on IS NULL OR k.off_on IS NOT NULL)
            )
            SELECT e.member_id AS subject_id{columns}
            FROM events e JOIN {member} m ON m.id = e.member_id
            WHERE m.deleted_at IS NULL"""
        window = (frame.since, frame.day)
        return sql, (like, frame.day, frame.since, *window, *window, *window, *window, like, like)


def _flows() -> Population:
    names = ("event", "gender", "minority", "child")
    return FlowPopulation(
        name="flows",
        label="党员增减",
        subject_kind="member",
        rows=lambda f: MembershipPeriod.objects.none(),
        dimensions={name: (lambda f: None) for name in names},
    )


POPULATIONS: dict[str, Population] = {
    p.name: p
    for p in (
        _roll_population("roll", "党员（报告日在册）", lambda f: f.day),
        _roll_population("roll_start", "党员（上年底在册）", lambda f: f.since),
        _flows(),
        _developed(),
        _regularized(),
        _left(),
        _reviews(),
        _organizations(),
        _covered_units(),
        _uncovered_units(),
    )
}

DIMENSIONS = {name for population in POPULATIONS.values() for name in population.dimensions}
