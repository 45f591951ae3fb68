from django.apps import AppConfig
from django.db.models import Q


class MembersConfig(AppConfig):
    name = "dangjian.members"
    verbose_name = "党员"

    def ready(self) -> None:
        from dangjian.core import scope
        from dangjian.orgs.restructure import register_rehomer
        from dangjian.orgs.services import Occupant, register_occupant
        from dangjian.orgs.tree import SubtreeCounter, register_subtree_counter

        from . import views_groups  # noqa: F401  (registers the party-groups panel)
        from .models import CorrectionRequest, Member, MemberImport, MembershipPeriod, PartyGroup, StatusPeriod
        from .rehome import MemberRehomer
        from .services import ON_ROLL, members_on_roll

        scope.register(
            Member,
            path="org_path",
            readers=lambda role: role.reads_members,
            own="user",
            live=Q(deleted_at__isnull=True),
        )
        for belongs_to_member in (MembershipPeriod, StatusPeriod, CorrectionRequest):
            scope.register(
                belongs_to_member,
                path="member__org_path",
                readers=lambda role: role.reads_members,
                own="member__user",
                live=Q(member__deleted_at__isnull=True),
            )
        # An import job belongs to the organization it was started from; its pages also check
        # that the viewer started it (the report holds the uploaded rows).
        scope.register(MemberImport, path="organization__path", readers=lambda role: role.writes_members)
        register_occupant(Occupant(unit="名党员", count=lambda org: members_on_roll(org).count(), are_members=True))
        register_subtree_counter(
            SubtreeCounter(
                key="members",
                label="党员",
                rows=lambda: Member.objects.filter(status__in=ON_ROLL, deleted_at__isnull=True),
                path_field="org_path",
            )
        )
        register_rehomer("members", MemberRehomer())
        scope.register(
            PartyGroup,
            path="organization__path",
            readers=lambda role: role.reads_members,
            own="members__user",
            live=Q(dissolved_date__isnull=True),
        )
