"""Terms and officers (换届、任免). Each takes the acting user, checks scope and role, writes in one
transaction with its history, or raises DomainError and writes nothing."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.members.models import Category, Member, Status
from dangjian.members.services import ON_ROLL
from dangjian.orgs.models import Organization, UnitCategory

from . import rules
from .inbox import terms_changed
from .models import Officer, Position, Term


@dataclass(frozen=True)
class StandingRule:
    """What an app above elections knows about who may hold a party post (discipline: no post
    during a 留党察看, none equal or higher for two years after a 撤销党内职务 or a restoration).
    The apps register these in their ``AppConfig.ready`` (DESIGN.md: hooks, not upward imports).

    ``barred(on)``: on Member, those who may hold no post at all on ``on`` (not offered for
    appointment). ``problem(member, post, on)``: why the member may not take this post on ``on``."""

    barred: Callable[[dt.date], Q]
    problem: Callable[[Member, rules.Post, dt.date], str | None]


standing_rules: dict[str, StandingRule] = {}


def register_standing_rule(name: str, rule: StandingRule) -> None:
    standing_rules[name] = rule


def members_who_may_stand(
    organization: Organization, *, eligible_only: bool = True, on: dt.date | None = None
) -> QuerySet[Member]:
    """A branch elects from its own members; a 党委 or 党总支 from the members of its whole subtree.
    ``eligible_only``: those who may hold a post on ``on`` (today by default)."""
    members = Member.objects.filter(deleted_at__isnull=True, status__in=ON_ROLL)
    if organization.kind_enum.is_branch_level:
        members = members.filter(organization=organization)
    else:
        members = members.filter(org_path__startswith=organization.path)
    if eligible_only:
        members = members.filter(category=Category.FULL, status__in=rules.OFFICER_STATUSES)
        day = on or timezone.localdate()
        for rule in standing_rules.values():
            members = members.exclude(rule.barred(day))
    return members


def post_of(organization: Organization, position: str) -> rules.Post:
    return rules.Post(position, organization.kind, organization.depth, organization.name)


def _standing_problems(member: Member, post: rules.Post, days: Iterable[dt.date]) -> list[str]:
    found: list[str] = []
    for day in days:
        for rule in standing_rules.values():
            if (problem := rule.problem(member, post, day)) and problem not in found:
                found.append(problem)
    return found


def _organization(actor: Any, organization: Organization) -> Organization:
    scope.require_role(actor, lambda role: role.writes_members, "登记领导班子")
    return scope.get_scoped_or_404(actor, Organization.objects.select_for_update(), to_write=True, pk=organization.pk)


@service
def start_term(*, actor: Any, organization: Organization, start: dt.date, note: str = "") -> Term:
    """A new term (新一届), from the election on ``start``; an open earlier term ends that day."""
    organization = _organization(actor, organization)
    errors = ErrorCollector()
    if start > timezone.localdate():
        errors.add("start", "任期开始日期不能晚于今天")
    if organization.founded_date and start < organization.founded_date:
        errors.add("start", f"任期开始日期早于组织成立日期{organization.founded_date:%Y-%m-%d}")
    if organization.is_abolished:
        errors.add("organization", f"“{organization.name}”已撤销")
    terms = list(organization.terms.order_by("start"))
    previous = next((term for term in terms if term.actual_end is None), None)
    ended = [(t.number, t.start, t.actual_end) for t in terms if t.actual_end is not None]
    if problem := rules.overlap_problem(start, ended):
        errors.add("start", problem)
    if previous is not None and start <= previous.start:
        errors.add("start", f"新一届应在第{previous.number}届开始（{previous.start:%Y-%m-%d}）之后")
    errors.raise_if_any()
    if previous is not None:
        _end(previous, start)
    terms_changed(organization)
    return Term.objects.create(
        organization=organization,
        number=max((term.number for term in terms), default=0) + 1,
        start=start,
        expected_end=rules.expected_end(start, organization.kind_enum, UnitCategory(organization.unit_category)),
        note=note.strip(),
    )


def _end(term: Term, date: dt.date) -> None:
    term.actual_end = date
    term.save(update_fields=["actual_end"])
    for officer in term.officers.filter(until__isnull=True):
        officer.until = date
        officer.save(update_fields=["until"])


@service
def end_term(*, actor: Any, term: Term, date: dt.date) -> None:
    """The term ends without a new one yet (the organization is abolished, or the committee is
    dissolved); its officers leave office that day."""
    _organization(actor, term.organization)
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.actual_end is not None:
        raise DomainError(f"第{term.number}届已于{term.actual_end:%Y-%m-%d}结束")
    if date < term.start:
        raise DomainError({"date": "结束日期不能早于任期开始日期"})
    _end(term, date)
    terms_changed(term.organization)


@service
def appoint_officer(*, actor: Any, term: Term, position: Position, member: Member, since: dt.date) -> Officer:
    """任职: a 正式党员 of the organization takes a position on the current term's committee."""
    organization = _organization(actor, term.organization)
    term = Term.objects.select_for_update().get(pk=term.pk)
    errors = ErrorCollector()
    if term.actual_end is not None:
        errors.add(None, f"第{term.number}届已结束，不能再任职")
    member = Member.objects.get(pk=member.pk)
    if not members_who_may_stand(organization, eligible_only=False).filter(pk=member.pk).exists():
        errors.add("member", f"{member.name}不是“{organization.name}”的正式党员：班子成员须是本组织的正式党员")
    elif problem := rules.officer_problem(
        member.name, organization.name, Category(member.category), Status(member.status)
    ):
        errors.add("member", problem)
    else:
        # On the day the post is taken and today: a post taken back then would still be held.
        post = post_of(organization, position)
        for problem in _standing_problems(member, post, sorted({since, timezone.localdate()})):
            errors.add("member", problem)
    if since < term.start or since > timezone.localdate():
        errors.add("since", f"任职日期应在任期开始（{term.start:%Y-%m-%d}）至今天之间")
    if (
        position in rules.SINGLE_HOLDER_POSITIONS
        and term.officers.filter(position=position, until__isnull=True).exists()
    ):
        errors.add("position", f"本届已有{Position(position).label}，须先免去")
    if term.officers.filter(position=position, member=member, until__isnull=True).exists():
        errors.add("member", f"{member.name}已任{Position(position).label}")
    errors.raise_if_any()
    return Officer.objects.create(term=term, position=position, member=member, since=since)


@service
def relieve_officer(*, actor: Any, officer: Officer, until: dt.date) -> None:
    """免职: the officer leaves the position on ``until``."""
    _organization(actor, officer.term.organization)
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    if officer.until is not None:
        raise DomainError(f"已于{officer.until:%Y-%m-%d}离任")
    if until < officer.since:
        raise DomainError({"until": "离任日期不能早于任职日期"})
    officer.until = until
    officer.save(update_fields=["until"])


@service
def vacate_posts(
    *, actor: Any, member: Member, on: dt.date, removal: str, officers: Iterable[Officer] | None = None
) -> list[Officer]:
    """A 党纪处分 takes the member's posts away on ``on``: those named (撤销党内职务), or every post
    held on or after that day (留党察看: 党内职务自然撤销; 开除党籍). A post taken after ``on``
    (the decision entered late) ends on its first day. Called by the service that recorded the
    decision, inside its transaction: the posts end because of the decision, whichever
    organization they are in, so the caller's authority over the member is what counts here."""
    rows = (
        Officer.objects.select_for_update(of=("self",))
        .filter(member=member)
        .filter(Q(until__isnull=True) | Q(until__gt=on))
    )
    if officers is not None:
        rows = rows.filter(pk__in=[officer.pk for officer in officers])
    ended = []
    for officer in rows.select_related("term__organization").order_by("pk"):
        officer.until = max(on, officer.since)
        officer.removal = removal[:100]
        officer.save(update_fields=["until", "removal"])
        ended.append(officer)
    return ended
