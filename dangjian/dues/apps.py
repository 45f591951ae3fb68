from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    verbose_name = "党费"

    def ready(self) -> None:
        from dangjian.core import inbox, scope

        from . import inbox as dues_inbox
        from .models import (
            ArrearsReason,
            DuesBasis,
            DuesEntry,
            DuesMonth,
            DuesPayment,
            DuesStandard,
            Remittance,
            RemittanceShare,
        )

        # The standards are the county's reference data: no member data.
        scope.register(DuesStandard, path=None, readers=lambda role: role.reads_organizations)
        # A month belongs to the branch that held the member's relation that month (it stays there
        # when the member moves on); a payment to the branch of the member when it was received.
        # The roles that read members read them; a 党员 reads their own.
        reads = lambda role: role.reads_members  # noqa: E731
        scope.register(DuesMonth, path="org_path", readers=reads, own="member__user")
        scope.register(DuesPayment, path="org_path", readers=reads, own="member__user")
        scope.register(DuesEntry, path="payment__org_path", readers=reads, own="payment__member__user")
        scope.register(DuesBasis, path="member__org_path", readers=reads, own="member__user")
        scope.register(ArrearsReason, path="member__org_path", readers=reads, own="member__user")
        # What an organization passed up, and its share, belong to it.
        scope.register(Remittance, path="org_path", readers=reads)
        scope.register(RemittanceShare, path="organization__path", readers=reads)
        # Six months without paying goes into the branch's inbox (core.inbox).
        inbox.register_source(dues_inbox.SOURCE, "党费", dues_inbox.compute)
