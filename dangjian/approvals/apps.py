from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "dangjian.approvals"
    verbose_name = "审批记录"

    def ready(self) -> None:
        from dangjian.core import scope

        from .models import ApprovalStep

        # A step belongs to the organization it was taken at; the workflows show the steps of an
        # object on that object's page (after scoping the object), so this rule serves lists only.
        scope.register(ApprovalStep, path="organization__path", readers=lambda role: role.reads_members)
