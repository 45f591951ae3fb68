from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "dangjian.elections"
    verbose_name = "领导班子与换届"

    def ready(self) -> None:
        from dangjian.core import inbox, scope
        from dangjian.members.picker import register_purpose
        from dangjian.orgs.restructure import register_rehomer

        from . import views
        from .inbox import SOURCE, compute
        from .models import Officer, Term
        from .rehome import TermRehomer

        scope.register(Term, path="organization__path", readers=lambda role: role.reads_organizations)
        scope.register(Officer, path="term__organization__path", readers=lambda role: role.reads_members)
        register_rehomer("terms", TermRehomer())
        inbox.register_source(SOURCE, "换届", compute)
        register_purpose("officer", views.officer_candidates)
