"""The annual development plan (发展党员计划): the yearly quota the county sets itself and each
level hands down inside its subtree, and the development targets a subtree reached in a year."""

from typing import Any

from django.http import Http404

from dangjian.core import scope
from dangjian.core.errors import DomainError, ErrorCollector
from dangjian.core.history import service
from dangjian.orgs.models import Organization

from .. import rules
from ..models import Quota, StepRecord

# --- Annual development plan (发展党员计划) ---------------------------------------------------


@service
def set_quota(*, actor: Any, organization: Organization, year: int, amount: int) -> Quota:
    """The county sets its own yearly quota; any other level is given its quota by a level above
    that holds one: not more than that level has left, and only inside its own subtree."""
    acting = scope.require_role(actor, lambda role: role.writes_organizations, "下达发展党员计划")
    giver = acting.organization
    errors = ErrorCollector()
    if amount < 0:
        errors.add("amount", "计划名额不能为负数")
    try:
        organization = scope.get_scoped_or_404(actor, Organization.objects.all(), to_write=True, pk=organization.pk)
    except Http404:
        raise DomainError({"organization": "只能向本组织及下级组织下达计划"}) from None
    if organization.pk == giver.pk:
        if giver.depth != 1:
            raise DomainError({"organization": "本级的计划由上级下达"})
        Quota.objects.update_or_create(
            organization=giver, year=year, defaults={"amount": amount, "org_path": giver.path, "given_by": None}
        )
        return Quota.objects.get(organization=giver, year=year)
    held = Quota.objects.select_for_update().filter(organization=giver, year=year).first()
    if held is None:
        errors.add("amount", f"本组织尚无{year}年度发展党员计划，不能向下分配")
    else:
        others = Quota.objects.filter(given_by=giver, year=year).exclude(organization=organization)
        given = sum(q.amount for q in others)
        if given + amount > held.amount:
            errors.add(
                "amount",
                f"分配数超过本组织持有的计划：本组织{year}年度计划{held.amount}名，已分配{given}名，"
                f"最多还能分配{held.amount - given}名",
            )
    errors.raise_if_any()
    Quota.objects.update_or_create(
        organization=organization,
        year=year,
        defaults={"amount": amount, "org_path": organization.path, "given_by": giver},
    )
    return Quota.objects.get(organization=organization, year=year)


def targets_in_year(path: str, year: int) -> int:
    """Applicants of a subtree who reached development target (step 7) in the year."""
    return (
        StepRecord.objects.filter(step=rules.TARGET, date__year=year, applicant__org_path__startswith=path)
        .values("applicant")
        .distinct()
        .count()
    )
