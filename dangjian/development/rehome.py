"""Development files follow a restructuring (the orgs app's ``Rehomer`` hook): a merged branch's
open files go to the merged branch with their steps (nothing restarts); an abolished branch with
open files is refused until they are moved; a 预备党员's file follows the member."""

from typing import Any

from django.db.models import Value
from django.db.models.functions import Concat, Substr

from dangjian.orgs.models import RestructuringKind
from dangjian.orgs.restructure import Move, Plan

from .models import Applicant, FileStatus, Quota

ITEM = "development_file"


def _waiting(plan: Plan) -> Any:
    return Applicant.objects.filter(organization__in=plan.sources, status=FileStatus.OPEN, member__isnull=True)


class ApplicantRehomer:
    def plan(self, plan: Plan) -> tuple[list[Move], list[str]]:
        if plan.kind == RestructuringKind.MERGE:
            rows = _waiting(plan).values_list("pk", "name", "organization_id")
            return [Move(ITEM, pk, f"发展党员档案：{name}", org) for pk, name, org in rows], []
        if plan.kind == RestructuringKind.ABOLISH and (count := _waiting(plan).count()):
            return [], [f"该组织有{count}份培养中的发展党员档案，请先转接到其他党支部"]
        return [], []

    def apply(self, plan: Plan, moves: list[Move], actor: Any) -> None:
        ids = [move.item_id for move in moves if move.item_type == ITEM]
        if ids and plan.target is not None:
            Applicant.objects.filter(pk__in=ids).update(organization=plan.target, org_path=plan.target.path)
        # Files of 预备党员 follow the members, who have just moved (members' rehomer runs first).
        for applicant in Applicant.objects.filter(organization__in=plan.sources, member__isnull=False).select_related(
            "member"
        ):
            member = applicant.member
            assert member is not None
            if member.organization_id != applicant.organization_id:
                applicant.organization_id, applicant.org_path = member.organization_id, member.org_path
                applicant.save(update_fields=["organization", "org_path", "updated_at"])

    def subtree_moved(self, old_path: str, new_path: str) -> None:
        for model in (Applicant, Quota):
            model.objects.filter(org_path__startswith=old_path).update(
                org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
            )
