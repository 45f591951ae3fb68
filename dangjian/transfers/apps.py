from django.apps import AppConfig
from django.db.models import Q


class TransfersConfig(AppConfig):
    name = "dangjian.transfers"
    verbose_name = "组织关系转接与流动党员"

    def ready(self) -> None:
        from dangjian.core import inbox, scope
        from dangjian.members import timeline
        from dangjian.orgs.restructure import register_rehomer

        from . import inbox as due
        from .integrity import problems
        from .models import MobileMember, Transfer
        from .rehome import TransferRehomer
        from .timeline import transfer_entries

        # Both sides see a transfer: the sending subtree by the path, the receiving one by `also`.
        scope.register(
            Transfer,
            path="from_org__path",
            readers=lambda role: role.reads_members,
            own="member__user",
            also=lambda path: Q(to_org__path__startswith=path),
        )
        # A mobile member is the outflow side's (where the relation is) and seen by the inflow side.
        scope.register(
            MobileMember,
            path="member__org_path",
            readers=lambda role: role.reads_members,
            own="member__user",
            live=Q(member__deleted_at__isnull=True),
            also=lambda path: Q(inflow_org__path__startswith=path),
        )
        timeline.register(transfer_entries)
        inbox.register_source(due.TRANSFERS, "组织关系转接", due.compute_transfers)
        inbox.register_source(due.MOBILE, "流动党员", due.compute_mobile)
        register_rehomer("transfers", TransferRehomer())
        self.integrity_problems = problems
