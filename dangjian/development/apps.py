from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "dangjian.development"
    verbose_name = "发展党员"

    def ready(self) -> None:
        from dangjian.core import inbox, scope
        from dangjian.orgs.restructure import register_rehomer

        from . import timeline  # noqa: F401  (registers the member timeline's development entries)
        from .inbox import SOURCE, compute
        from .models import Applicant, Assessment, Document, IntervalRule, Publicity, Quota, StepRecord

        def members(role: object) -> bool:
            return bool(role.reads_members)  # type: ignore[attr-defined]

        scope.register(Applicant, path="org_path", readers=members)
        scope.register(StepRecord, path="applicant__org_path", readers=members)
        scope.register(Assessment, path="applicant__org_path", readers=members)
        scope.register(Document, path="applicant__org_path", readers=members)
        scope.register(Publicity, path="applicant__org_path", readers=members)
        scope.register(Quota, path="org_path", readers=lambda role: role.reads_organizations)
        scope.register(IntervalRule, path=None, readers=lambda role: role.reads_organizations)
        inbox.register_source(SOURCE, "发展党员", compute)
        from .rehome import ApplicantRehomer

        register_rehomer("development", ApplicantRehomer())
        from dangjian.members import moves

        from .services import follow_member

        moves.follow(follow_member)  # a 预备党员's file goes where an accepted transfer takes them
        from django.db.models.signals import post_migrate

        from .services import ship_default_rules

        post_migrate.connect(ship_default_rules, sender=self)
