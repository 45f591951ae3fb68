"""Every change to a 党纪处分. Each takes the acting user, checks role and scope first, applies
``rules.py``, and writes in one transaction (``@service``) or raises DomainError and writes
nothing. Each decision also goes into the one approval log (approvals.services.record_step).

Who records: an 组织部/党委管理员 (the role that writes organizations) acting from an organization
at or above the member's branch, i.e. whose writable scope holds the member. Who reads: the roles
that read members, in their subtree (the registration in ``apps.py``); anything else is 404.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dangjian.approvals.models import Decision
from dangjian.approvals.services import record_step
from dangjian.core import scope
from dangjian.core.dates import add_years
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.elections.models import Officer
from dangjian.members import services as member_services
from dangjian.members.models import LeftReason, Member, Status
from dangjian.orgs import tree
from dangjian.orgs.models import Organization

from . import posts, rules
from .models import EXTENSION_MONTHS, Ending, Sanction, SanctionKind

WORKFLOW = "党纪处分"


def _recorder(actor: Any, action: str) -> scope.Acting:
    return scope.require_role(actor, lambda role: role.writes_organizations, action)


def lineage(organization: Organization) -> QuerySet[Organization]:
    """The organization and every organization above it, top first (live ones)."""
    # Not scoped: the deciding organization may be above the recorder's own scope.
    return Organization.objects.filter(path__in=tree.lineage_paths(organization), deleted_at__isnull=True).order_by(
        "depth"
    )


def open_probation(member: Member) -> Sanction | None:
    """The member's 留党察看 not yet ended (at most one: a database constraint)."""
    return Sanction.objects.filter(member=member, kind=SanctionKind.PROBATION, ended_on__isnull=True).first()


def _open_facts(probation: Sanction | None) -> rules.OpenProbation | None:
    if probation is None:
        return None
    return rules.OpenProbation(probation.decided_on, probation.effect_until)


def _probation_facts(sanction: Sanction) -> rules.ProbationFacts:
    return rules.ProbationFacts(
        kind=sanction.kind,
        decided_on=sanction.decided_on,
        months=sanction.months,
        extension_months=sanction.extension_months,
        extended_on=sanction.extended_on,
        ending=sanction.ending,
        ended_on=sanction.ended_on,
    )


def _step(actor: Any, sanction: Sanction, step: str, organization: Organization, reason: str = "") -> None:
    record_step(
        actor=actor,
        target=sanction,
        workflow=WORKFLOW,
        step=step,
        decision=Decision.RECORD,
        organization=organization,
        reason=reason,
    )


def _check_deciding_org(
    member: Member, organization: Organization | None, decided_on: dt.date | None, errors: ErrorCollector
) -> Organization | None:
    """The deciding organization is the member's branch or an organization above it."""
    if organization is None:
        errors.add("deciding_org", "请选择决定处分的党组织")
        return None
    found = lineage(member.organization).filter(pk=organization.pk).first()
    if found is None:
        errors.add("deciding_org", f"决定处分的党组织应为{member.name}所在党支部或其上级党组织")
        return None
    if found.abolished_date and decided_on and found.abolished_date <= decided_on:
        errors.add("deciding_org", f"“{found.name}”已于{found.abolished_date:%Y-%m-%d}撤销，不能在此后作出决定")
    return found


@service
def record_sanction(
    *,
    actor: Any,
    member: Member,
    kind: str,
    decided_on: dt.date | None,
    deciding_org: Organization | None,
    reason: str,
    document_number: str = "",
    months: int | None = None,
    post: Officer | None = None,
) -> Sanction:
    """Record a 党纪处分 decided on ``decided_on`` by ``deciding_org``. 留党察看 takes ``months``
    (12 or 24), 撤销党内职务 the ``post`` it takes away. 开除党籍 also makes the member 出党 (开除党籍)
    from that day and, during a 留党察看, ends it. 撤销党内职务 ends the post it names, 留党察看 and
    开除党籍 every post the member holds (党内职务自然撤销), on the decision date."""
    _recorder(actor, "记录党纪处分")
    member = scope.get_scoped_or_404(actor, Member.objects.select_for_update(), to_write=True, pk=member.pk)
    errors = ErrorCollector()
    reason, document_number = reason.strip(), document_number.strip()
    if len(document_number) > 50:
        errors.add("document_number", "文号不能超过50个字")
    organization = _check_deciding_org(member, deciding_org, decided_on, errors)
    probation = open_probation(member)
    facts = rules.SanctionFacts(
        name=member.name,
        kind=kind,
        decided_on=decided_on,
        reason=reason,
        months=months,
        joined_date=member.joined_date,
        regularized_date=member.regularized_date,
        on_roll=Status(member.status).is_on_roll,
        status_label=member.get_status_display(),
        open_probation=_open_facts(probation),
    )
    for field, problem in rules.sanction_problems(facts, timezone.localdate()).items():
        errors.add(field, problem)
    named = _named_post(member, kind, post, decided_on, errors)
    if kind == SanctionKind.EXPULSION and decided_on and not errors:
        current = member.status_periods.filter(end__isnull=True).first()
        if current and decided_on < current.start:
            errors.add(
                "decided_on", f"开除党籍的日期不能早于{member.name}党籍状态上一次变更的日期{current.start:%Y-%m-%d}"
            )
    errors.raise_if_any()
    assert decided_on is not None and organization is not None
    sanction_kind = SanctionKind(kind)
    sanction = Sanction(
        member=member,
        member_name=member.name,
        kind=sanction_kind,
        decided_on=decided_on,
        deciding_org=organization,
        deciding_org_name=organization.name,
        document_number=document_number,
        reason=reason,
        months=months if sanction_kind == SanctionKind.PROBATION else None,
        effect_until=rules.effect_until(sanction_kind, decided_on, months),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            sanction.save()
    except IntegrityError:  # another 留党察看 of the same member committed first
        raise DomainError({"kind": f"{member.name}已有一项未结束的留党察看"}) from None
    _step(actor, sanction, f"给予{sanction_kind.label}", organization, reason)
    posts.end_posts(actor, sanction, named)
    if sanction_kind == SanctionKind.EXPULSION:
        if probation is not None:
            probation.ending, probation.ended_on, probation.expulsion = Ending.EXPELLED, decided_on, sanction
            probation.ending_reason = reason
            probation.save(update_fields=["ending", "ended_on", "expulsion", "ending_reason", "updated_at"])
            _step(actor, probation, "察看期间开除党籍", organization, reason)
        member_services.change_status(
            actor=actor,
            member=member,
            status=Status.LEFT,
            date=decided_on,
            reason=f"开除党籍：{reason}"[:200],
            left_reason=LeftReason.EXPELLED,
        )
    return sanction


def _named_post(
    member: Member, kind: str, post: Officer | None, decided_on: dt.date | None, errors: ErrorCollector
) -> Officer | None:
    """The post a 撤销党内职务 takes away: one of the member's, held on the decision date. An id of
    a post that is not the member's (or of none) gets the same answer, whoever's it is."""
    if "kind" in errors.errors or "decided_on" in errors.errors:
        return None
    found = None
    if post is not None:
        found = Officer.objects.filter(pk=post.pk, member=member).select_related("term__organization").first()
    held = rules.HeldPost(found.title, found.since, found.until) if found else None
    day = decided_on or timezone.localdate()
    has_posts = Officer.objects.filter(member=member).filter(Q(until__isnull=True) | Q(until__gt=day)).exists()
    if problem := rules.removed_post_problem(member.name, kind, held, post is not None, has_posts, decided_on):
        errors.add("post", problem)
    return found


def _lock(actor: Any, sanction: Sanction, action: str) -> tuple[scope.Acting, Sanction]:
    acting = _recorder(actor, action)
    queryset = Sanction.objects.select_for_update(of=("self",)).select_related("member")
    return acting, scope.get_scoped_or_404(actor, queryset, to_write=True, pk=sanction.pk)


@service
def extend_probation_discipline(*, actor: Any, sanction: Sanction, date: dt.date | None, reason: str) -> Sanction:
    """延长留党察看 by one year: once, for a one-year 留党察看 that has reached its end and whose
    member still does not qualify for restored rights (RULES.md §6.1)."""
    acting, sanction = _lock(actor, sanction, "延长留党察看")
    problems = rules.extension_problems(_probation_facts(sanction), date, reason, timezone.localdate())
    if problems:
        raise DomainError(problems)
    assert date is not None and sanction.months is not None
    sanction.extension_months, sanction.extended_on = EXTENSION_MONTHS, date
    sanction.extension_reason = reason.strip()
    sanction.effect_until = rules.probation_end(sanction.decided_on, sanction.months, EXTENSION_MONTHS)
    sanction.save(update_fields=["extension_months", "extended_on", "extension_reason", "effect_until", "updated_at"])
    _step(actor, sanction, "延长留党察看一年", acting.organization, reason)
    return sanction


@service
def restore_rights(*, actor: Any, sanction: Sanction, date: dt.date | None, reason: str = "") -> Sanction:
    """恢复党员权利 at the end of a 留党察看 (with its extension), not before."""
    acting, sanction = _lock(actor, sanction, "恢复党员权利")
    problems = rules.restoration_problems(_probation_facts(sanction), date, timezone.localdate())
    if problems:
        raise DomainError(problems)
    assert date is not None
    sanction.ending, sanction.ended_on, sanction.ending_reason = Ending.RESTORED, date, reason.strip()[:500]
    sanction.save(update_fields=["ending", "ended_on", "ending_reason", "updated_at"])
    _step(actor, sanction, "恢复党员权利", acting.organization, reason)
    return sanction


@service
def expel(
    *,
    actor: Any,
    sanction: Sanction,
    date: dt.date | None,
    reason: str,
    document_number: str = "",
    deciding_org: Organization | None = None,
) -> Sanction:
    """开除党籍 of a member under 留党察看 (a new violation during it, or at its end still not
    qualifying: RULES.md §6.1): records the 开除党籍 (decided by ``deciding_org``, by default the
    organization that decided the 留党察看, or the member's branch if that one is no longer above
    the member), ends the 留党察看 and makes the member 出党."""
    _, sanction = _lock(actor, sanction, "开除党籍")
    if closed := rules.closed_problem(_probation_facts(sanction)):
        raise DomainError(closed)
    if deciding_org is None:  # the one that decided the 留党察看, if it is still above the member
        above = lineage(sanction.member.organization)
        deciding_org = above.filter(pk=sanction.deciding_org_id).first() or above.last()
    return record_sanction(
        actor=actor,
        member=sanction.member,
        kind=SanctionKind.EXPULSION,
        decided_on=date,
        deciding_org=deciding_org,
        reason=reason,
        document_number=document_number,
    )


def get_sanction(user: Any, pk: Any) -> Sanction:
    """A sanction in the user's scope (404 otherwise, the same answer for a missing one)."""
    queryset = Sanction.objects.select_related("member__organization", "deciding_org")
    return scope.get_scoped_or_404(user, queryset, pk=pk)


def sanctions(
    user: Any,
    *,
    kind: str = "",
    open_probation_only: bool = False,
    organization: Organization | None = None,
) -> QuerySet[Sanction]:
    """The sanctions in the user's scope, optionally of one kind, only open 留党察看, or only of
    members now in the subtree of ``organization`` (already checked to be in the scope)."""
    rows = scope.scoped(user, Sanction.objects.select_related("member__organization", "deciding_org"))
    if kind:
        rows = rows.filter(kind=kind)
    if open_probation_only:
        rows = rows.filter(kind=SanctionKind.PROBATION, ended_on__isnull=True)
    if organization is not None:
        rows = rows.filter(member__org_path__startswith=organization.path)
    return rows


def probation_counts(user: Any, on: dt.date | None = None) -> dict[str, int]:
    """For the home page: 留党察看 in progress, and those past their end awaiting a decision
    (恢复党员权利, 延长 or 开除党籍)."""
    on = on or timezone.localdate()
    rows = scope.scoped(user, Sanction.objects.filter(kind=SanctionKind.PROBATION, ended_on__isnull=True))
    counts = rows.aggregate(
        running=Count("pk", filter=Q(effect_until__gt=on)),
        due=Count("pk", filter=Q(effect_until__lte=on)),
    )
    return {key: value or 0 for key, value in counts.items()}


def standings(
    user: Any,
    *,
    member: Member | None = None,
    organization: Organization | None = None,
    on: dt.date | None = None,
    limit: int = 200,
) -> list[tuple[Sanction, rules.Standing]]:
    """The sanctions in the user's scope that bear on posts on ``on`` (today): 留党察看 not ended,
    撤销党内职务 in its two years, the two years after a restoration; of one member, or of the
    members of ``organization`` (its subtree for a 党委 or 党总支; already checked in scope)."""
    on = on or timezone.localdate()
    rows = scope.scoped(user, Sanction.objects.filter(kind__in=posts.KINDS_ON_POSTS, decided_on__lte=on)).filter(
        Q(kind=SanctionKind.PROBATION, ended_on__isnull=True)
        | Q(kind=SanctionKind.PROBATION, ending=Ending.RESTORED, ended_on__gt=add_years(on, -3))
        | Q(kind=SanctionKind.REMOVAL_FROM_POST, effect_until__gt=on)
    )
    if member is not None:
        rows = rows.filter(member=member)
    if organization is not None:
        if organization.kind_enum.is_branch_level:
            rows = rows.filter(member__organization=organization)
        else:
            rows = rows.filter(member__org_path__startswith=organization.path)
    rows = (
        rows.select_related("member__organization")
        .prefetch_related("removed_posts__term__organization")
        .order_by("member__org_path", "member__name_pinyin", "member_id", "-decided_on")
    )
    return [(sanction, found) for sanction in rows[:limit] if (found := rules.standing(posts.facts(sanction), on))]
