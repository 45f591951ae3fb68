from django.apps import AppConfig
from django.db.models import Q


class DisciplineConfig(AppConfig):
    name = "dangjian.discipline"
    verbose_name = "党纪处分"

    def ready(self) -> None:
        from dangjian.core import scope
        from dangjian.members import timeline

        from .integrity import problems
        from .models import Sanction
        from .timeline import sanction_entries

        # A sanction is where its member is now (it follows the member through transfers and
        # restructurings); the roles that read members read it, nobody else.
        scope.register(
            Sanction,
            path="member__org_path",
            readers=lambda role: role.reads_members,
            live=Q(member__deleted_at__isnull=True),
        )
        timeline.register(sanction_entries)
        self.integrity_problems = problems
