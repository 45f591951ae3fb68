"""Committee terms follow a restructuring: an organization merged away or abolished ends its open
term on that day (the term stays in that organization's history)."""

from typing import Any

from dangjian.orgs.models import RestructuringKind
from dangjian.orgs.restructure import Move, Plan

from .models import Term


class TermRehomer:
    def plan(self, plan: Plan) -> tuple[list[Move], list[str]]:
        if plan.kind not in (RestructuringKind.MERGE, RestructuringKind.ABOLISH):
            return [], []
        open_terms = Term.objects.filter(organization__in=plan.sources, actual_end__isnull=True)
        problems = [
            f"“{term.organization.name}”第{term.number}届开始于{term.start:%Y-%m-%d}，晚于调整日期"
            for term in open_terms.select_related("organization")
            if term.start > plan.date
        ]
        moves = [
            Move("term", term.pk, f"{term.organization.name}第{term.number}届", term.organization_id, None)
            for term in open_terms.select_related("organization")
        ]
        return moves, problems

    def apply(self, plan: Plan, moves: list[Move], actor: Any) -> None:
        for term in Term.objects.filter(pk__in=[m.item_id for m in moves if m.item_type == "term"]):
            term.actual_end = plan.date
            term.save(update_fields=["actual_end"])
            term.officers.filter(until__isnull=True).update(until=plan.date)

    def subtree_moved(self, old_path: str, new_path: str) -> None:
        return None
