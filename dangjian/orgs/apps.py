from django.apps import AppConfig
from django.db.models import Q


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "党组织"

    def ready(self) -> None:
        from dangjian.core import scope
        from dangjian.core.inbox import InboxRehomer

        from . import views_profile  # noqa: F401  (registers the page's own panels)
        from .models import CoManagement, CoveredUnit, Organization, Restructuring
        from .restructure import register_rehomer

        def co_managed(path: str) -> Q:
            # 属地共管: a town also sees the schools and hospitals it co-manages (not their members).
            links = CoManagement.objects.filter(co_manager__path__startswith=path, until__isnull=True)
            return Q(pk__in=links.values("organization_id"))

        # A 党员 sees the organization that holds their own record.
        scope.register(
            Organization,
            path="path",
            readers=lambda role: role.reads_organizations,
            own="members__user",
            live=Q(deleted_at__isnull=True),
            also=co_managed,
        )
        for model in (CoveredUnit, CoManagement):
            scope.register(model, path="organization__path", readers=lambda role: role.reads_organizations)
        scope.register(Restructuring, path="subject__path", readers=lambda role: role.reads_organizations)
        # core cannot import orgs: the inbox's copies of the paths follow a restructuring from here.
        register_rehomer("inbox", InboxRehomer())
