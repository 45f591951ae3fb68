"""Organizational life follows a restructuring: a meeting and a review stay with the organization
that held them (a merge or an abolition moves no meeting), and a subtree moved under another parent
carries the paths its meetings and reviews are scoped and counted by."""

from typing import Any

from django.db.models import Value
from django.db.models.functions import Concat, Substr

from dangjian.orgs.restructure import Move, Plan

from .models import Meeting, Review


class MeetingRehomer:
    def plan(self, plan: Plan) -> tuple[list[Move], list[str]]:
        return [], []

    def apply(self, plan: Plan, moves: list[Move], actor: Any) -> None:
        return None

    def subtree_moved(self, old_path: str, new_path: str) -> None:
        for model in (Meeting, Review):
            model.objects.filter(org_path__startswith=old_path).update(
                org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
            )
