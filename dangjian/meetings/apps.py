from django.apps import AppConfig
from django.db.models import Q


class MeetingsConfig(AppConfig):
    name = "dangjian.meetings"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from dangjian.core import inbox, scope
        from dangjian.orgs.restructure import register_rehomer

        from . import inbox as meetings_inbox
        from .models import (
            Attachment,
            Attendance,
            ComplianceRule,
            LifeSettings,
            Meeting,
            MeetingKind,
            Review,
            ReviewEntry,
            ReviewRating,
        )

        # A meeting belongs to the organization that held it (it stays there when its members move
        # on); attendance is read with its meeting. The roles that read members read them.
        reads = lambda role: role.reads_members  # noqa: E731
        scope.register(Meeting, path="org_path", readers=reads, live=Q(deleted_at__isnull=True))
        scope.register(Attendance, path="meeting__org_path", readers=reads, live=Q(meeting__deleted_at__isnull=True))
        scope.register(Attachment, path="meeting__org_path", readers=reads, live=Q(meeting__deleted_at__isnull=True))
        scope.register(Review, path="org_path", readers=reads)
        scope.register(ReviewEntry, path="review__org_path", readers=reads)
        # The kinds, the rules and the settings are the county's reference data: no member data.
        for model in (MeetingKind, ComplianceRule, LifeSettings, ReviewRating):
            scope.register(model, path=None, readers=lambda role: role.reads_organizations)
        from .rehome import MeetingRehomer

        register_rehomer("meetings", MeetingRehomer())
        # What is overdue or due soon goes into the one inbox (core.inbox).
        inbox.register_source(meetings_inbox.SOURCE, "组织生活", meetings_inbox.compute)
