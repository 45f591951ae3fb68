from django.apps import AppConfig


class StatsConfig(AppConfig):
    """党内统计: reads every other app; no app imports it (DESIGN.md)."""

    name = "dangjian.stats"
    verbose_name = "党内统计"

    def ready(self) -> None:
        from dangjian.core import inbox, scope
        from dangjian.orgs.panels import register_panel

        from . import inbox as stats_inbox
        from . import units
        from .models import Snapshot, Submission, UncoveredUnit

        # A kept report and a submission belong to the organization they are about: the roles that
        # read members read those of their subtree (the level above sees its children's).
        reads = lambda role: role.reads_members  # noqa: E731
        scope.register(Snapshot, path="org_path", readers=reads)
        scope.register(Submission, path="org_path", readers=reads)
        # The register of units without a Party organization is the committee's setting: the roles
        # that read organizations read it; its panel is on the organization's page.
        scope.register(UncoveredUnit, path="org_path", readers=lambda role: role.reads_organizations)
        register_panel("uncovered_units", units.panel)
        inbox.register_source(stats_inbox.SOURCE, "党内统计", stats_inbox.compute)
