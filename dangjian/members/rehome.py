"""How members, their membership periods and party groups follow a restructuring (the orgs app's
``Rehomer`` hook): a moved member's period closes on the date and a new one opens on it, so the
member is never in two organizations at once nor in none, and the timeline shows the move."""

from collections import defaultdict
from typing import Any

from django.db.models import Value
from django.db.models.functions import Concat, Substr
from simple_history.utils import bulk_create_with_history

from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Organization, OrgKind, RestructuringKind
from dangjian.orgs.restructure import TO_TARGET, Move, Plan

from .models import Member, MembershipPeriod, PartyGroup
from .services import ON_ROLL


def _on_roll(organization_ids: list[int]) -> Any:
    return Member.objects.filter(organization_id__in=organization_ids, deleted_at__isnull=True, status__in=ON_ROLL)


class MemberRehomer:
    def plan(self, plan: Plan) -> tuple[list[Move], list[str]]:
        if plan.kind == RestructuringKind.MERGE:
            members = _on_roll([source.pk for source in plan.sources])
            groups = PartyGroup.objects.filter(organization__in=plan.sources, dissolved_date__isnull=True)
        elif plan.kind == RestructuringKind.SPLIT:
            source = plan.sources[0]
            group_ids = plan.selection.get("party_groups", [])
            groups = PartyGroup.objects.filter(organization=source, pk__in=group_ids, dissolved_date__isnull=True)
            members = _on_roll([source.pk]).filter(pk__in=plan.selection.get("members", [])) | _on_roll(
                [source.pk]
            ).filter(party_group__in=groups)
        else:
            return [], []
        problems = []
        if plan.kind == RestructuringKind.SPLIT:
            chosen = set(plan.selection.get("members", []))
            found = set(_on_roll([plan.sources[0].pk]).filter(pk__in=chosen).values_list("pk", flat=True))
            if missing := chosen - found:
                problems.append(f"有{len(missing)}名所选党员不在“{plan.sources[0].name}”")
            if len(groups) != len(set(plan.selection.get("party_groups", []))):
                problems.append("有所选党小组不在该组织或已撤销")
        members = members.distinct().order_by("pk")
        moves = [
            Move("member", pk, name, org) for pk, name, org in members.values_list("pk", "name", "organization_id")
        ]
        moves += [
            Move("party_group", pk, name, org) for pk, name, org in groups.values_list("pk", "name", "organization_id")
        ]
        if moves and (problem := self._destination_problem(plan)):
            problems.append(problem)
        late = MembershipPeriod.objects.filter(
            member__in=members, end__isnull=True, start__gt=plan.date
        ).select_related("member")[:3]
        for period in late:
            problems.append(f"党员{period.member.name}自{period.start:%Y-%m-%d}起在本组织，晚于调整日期")
        return moves, problems

    @staticmethod
    def _destination_problem(plan: Plan) -> str | None:
        if plan.target is not None:
            kind, direct = plan.target.kind_enum, plan.target.holds_members_directly
        else:
            fields = plan.new_fields or {}
            kind, direct = OrgKind(fields.get("kind") or OrgKind.BRANCH), bool(fields.get("holds_members_directly"))
        if problem := org_rules.member_holding_problem(kind, direct):
            return f"党员无法转入：{problem}"
        return None

    def apply(self, plan: Plan, moves: list[Move], actor: Any) -> None:
        destinations = {move.to_org for move in moves if move.to_org not in (None, TO_TARGET)}
        organizations = Organization.objects.in_bulk(list(destinations))
        groups_moving: dict[int, int] = {}
        for move in moves:
            if move.item_type == "party_group" and move.to_org:
                groups_moving[move.item_id] = move.to_org
        reason = f"组织调整：{plan.kind.label}"
        user = actor if getattr(actor, "pk", None) else None
        self._move_groups(groups_moving, organizations, user, reason)
        by_destination: dict[int, list[int]] = defaultdict(list)
        for move in moves:
            if move.item_type == "member" and move.to_org:
                by_destination[move.to_org].append(move.item_id)
        for destination, ids in by_destination.items():
            organization = organizations[destination]
            MembershipPeriod.objects.filter(member_id__in=ids, end__isnull=True).update(end=plan.date)
            bulk_create_with_history(
                [
                    MembershipPeriod(member_id=pk, organization=organization, start=plan.date, reason=reason)
                    for pk in ids
                ],
                MembershipPeriod,
                batch_size=2000,
                default_user=user,
            )
            # One UPDATE per destination (every member lands in the same place), then the history
            # rows from the updated rows: Django's bulk_update would build a CASE per member.
            moving = Member.objects.filter(pk__in=ids)
            moving.update(organization=organization, org_path=organization.path)
            moving.exclude(party_group__in=list(groups_moving)).update(party_group=None)  # groups stay behind
            Member.history.bulk_history_create(
                list(moving), batch_size=2000, update=True, default_user=user, default_change_reason=reason
            )
        # A group moves with the members on the roll; the deceased and those who left stay where
        # they were, and so no longer in a group of another organization.
        moved = [pk for ids in by_destination.values() for pk in ids]
        behind = list(Member.objects.filter(party_group__in=list(groups_moving)).exclude(pk__in=moved))
        if behind:
            Member.objects.filter(pk__in=[member.pk for member in behind]).update(party_group=None)
            for member in behind:
                member.party_group = None
            Member.history.bulk_history_create(behind, update=True, default_user=user, default_change_reason=reason)

    @staticmethod
    def _move_groups(
        groups_moving: dict[int, int], organizations: dict[int, Organization], user: Any, reason: str
    ) -> None:
        """Groups follow their members; a name already used at the destination gets
        "（原…）" so names stay unique there. One UPDATE and one history insert for all."""
        groups = list(
            PartyGroup.objects.filter(pk__in=list(groups_moving)).select_related("organization").order_by("pk")
        )
        taken: dict[int, set[str]] = defaultdict(set)
        staying = PartyGroup.objects.filter(organization__in=set(groups_moving.values()), dissolved_date__isnull=True)
        for organization_id, name in staying.exclude(pk__in=list(groups_moving)).values_list("organization", "name"):
            taken[organization_id].add(name)
        for group in groups:
            destination = organizations[groups_moving[group.pk]]
            if group.name in taken[destination.pk]:
                group.name = f"{group.name}（原{group.organization.display_name}）"[:50]
            taken[destination.pk].add(group.name)
            group.organization = destination
        PartyGroup.objects.bulk_update(groups, ["organization", "name"])
        PartyGroup.history.bulk_history_create(groups, update=True, default_user=user, default_change_reason=reason)

    def subtree_moved(self, old_path: str, new_path: str) -> None:
        # The copy of the path on each member (soft-deleted ones too) follows the subtree: one
        # UPDATE swapping the prefix. The rows are found through the organizations, whose paths
        # are already new: the index on org_path covers live members only.
        moved = Organization.objects.filter(path__startswith=new_path).values("pk")
        Member.objects.filter(organization__in=moved).update(
            org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
        )
