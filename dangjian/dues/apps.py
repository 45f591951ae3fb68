from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    verbose_name = "党费"

    def ready(self) -> None:
        from dangjian.core import scope

        from .models import DuesStandard

        # The standards are the county's reference data: no member data.
        scope.register(DuesStandard, path=None, readers=lambda role: role.reads_organizations)
