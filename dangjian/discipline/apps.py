from django.apps import AppConfig
from django.db.models import Q


class DisciplineConfig(AppConfig):
    name = "dangjian.discipline"
    verbose_name = "党纪处分"

    def ready(self) -> None:
        from dangjian.core import scope
        from dangjian.elections.services import register_standing_rule
        from dangjian.members import timeline
        from dangjian.orgs.panels import register_panel

        from .integrity import problems
        from .models import Sanction
        from .posts import STANDING_RULE
        from .timeline import sanction_entries
        from .views import organization_panel

        # A sanction is where its member is now (it follows the member through transfers and
        # restructurings); the roles that read members read it, nobody else.
        scope.register(
            Sanction,
            path="member__org_path",
            readers=lambda role: role.reads_members,
            live=Q(member__deleted_at__isnull=True),
        )
        timeline.register(sanction_entries)
        # Elections asks who may hold a post (no post during a 留党察看, none equal or higher for
        # two years after a 撤销党内职务 or a restoration); the organization page shows who is
        # under a sanction that bears on posts.
        register_standing_rule("discipline", STANDING_RULE)
        register_panel("discipline", organization_panel)
        self.integrity_problems = problems
