"""Writing and reading the approval log. ``record_step`` runs inside the caller's service
transaction: the step is kept exactly when the state change it records is."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from dangjian.orgs.models import Organization

from .models import ApprovalStep, Decision


def record_step(
    *,
    actor: Any,
    target: models.Model,
    workflow: str,
    step: str,
    decision: Decision,
    organization: Organization,
    reason: str = "",
) -> ApprovalStep:
    """Append one step. A return or a rejection must say why (the other side reads it)."""
    reason = reason.strip()
    if decision in (Decision.RETURN, Decision.REJECT) and not reason:
        raise ValueError("a return or a rejection needs its reason; the calling service checks it first")
    user = actor if getattr(actor, "pk", None) else None
    return ApprovalStep.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        workflow=workflow,
        step=step,
        decision=decision,
        reason=reason[:500],
        organization=organization,
        level=organization.get_kind_display(),
        actor=user,
        actor_name=str(user) if user else "系统",
    )


def steps_for(target: models.Model) -> QuerySet[ApprovalStep]:
    """The object's steps, oldest first. Callers have already scoped ``target``."""
    return ApprovalStep.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).select_related("organization")
