"""Open transfers follow a restructuring (the orgs app's ``Rehomer`` hook), run after the members'
own rehomer in the same transaction:

- a member moved by a merge or split keeps their open transfer, now sent from the member's new
  organization and its 基层党委 (the sending side keeps responsibility until the member is received);
- a transfer to an organization merged away goes to the merge's target; one that would now go to
  the member's own organization is cancelled with the reason;
- an organization expecting members (open transfers to it) cannot be abolished until they are settled.
"""

from typing import Any

from django.db.models import F
from django.utils import timezone

from dangjian.approvals.models import Decision
from dangjian.approvals.services import record_step
from dangjian.orgs.models import RestructuringKind
from dangjian.orgs.restructure import Move, Plan

from .models import OPEN_STATES, Transfer, TransferState
from .services import WORKFLOW, committee_of


class TransferRehomer:
    def plan(self, plan: Plan) -> tuple[list[Move], list[str]]:
        if plan.kind != RestructuringKind.ABOLISH:
            return [], []
        expected = Transfer.objects.filter(state__in=OPEN_STATES, to_org__in=plan.sources).count()
        if expected:
            return [], [f"有{expected}份转入该组织的组织关系转接尚未办结，请先接收或退回"]
        return [], []

    def apply(self, plan: Plan, moves: list[Move], actor: Any) -> None:
        reason = f"组织调整：{plan.kind.label}"
        if plan.kind == RestructuringKind.MERGE and plan.target is not None:
            target = plan.target
            incoming = Transfer.objects.filter(state__in=OPEN_STATES, to_org__in=plan.sources)
            for transfer in incoming.select_related("member"):
                if transfer.member.organization_id == target.pk:
                    self._cancel(transfer, actor, f"{reason}，转出与转入组织已合并")
                    continue
                transfer.to_org, transfer.receiving_committee = target, committee_of(target)
                transfer.save(update_fields=["to_org", "receiving_committee", "updated_at"])
        moved = (
            Transfer.objects.filter(state__in=OPEN_STATES, from_org__isnull=False, member__deleted_at__isnull=True)
            .exclude(from_org_id=F("member__organization_id"))
            .select_related("member__organization")
        )
        for transfer in moved:
            organization = transfer.member.organization
            if transfer.to_org_id == organization.pk:
                self._cancel(transfer, actor, f"{reason}，党员已在转入组织")
                continue
            transfer.from_org, transfer.sending_committee = organization, committee_of(organization)
            transfer.save(update_fields=["from_org", "sending_committee", "updated_at"])

    @staticmethod
    def _cancel(transfer: Transfer, actor: Any, reason: str) -> None:
        transfer.state, transfer.return_reason, transfer.closed_at = TransferState.CANCELLED, reason, timezone.now()
        transfer.save(update_fields=["state", "return_reason", "closed_at", "updated_at"])
        at = transfer.sending_committee or transfer.from_org or transfer.to_org
        assert at is not None
        record_step(
            actor=actor,
            target=transfer,
            workflow=WORKFLOW,
            step="撤销",
            decision=Decision.RECORD,
            organization=at,
            reason=reason,
        )

    def subtree_moved(self, old_path: str, new_path: str) -> None:
        return None  # transfers name organizations by key, and read paths through them
