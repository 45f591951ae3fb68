from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "核心"

    def ready(self) -> None:
        from . import auth, scope, signals  # noqa: F401  (auth: the schema's token scheme)
        from .models import ApiToken, AuditEvent, InboxItem, RoleAssignment, User

        # Accounts are managed within the subtree they belong to; no one reads them by owning them.
        scope.register(User, path="home_organization__path", readers=lambda role: role.manages_users)
        scope.register(RoleAssignment, path="organization__path", readers=lambda role: role.manages_users)
        # The trail and the tokens are system-wide records of the 三员 (who sit at the top).
        scope.register(AuditEvent, path=None, readers=lambda role: role.reads_audit)
        scope.register(ApiToken, path=None, readers=lambda role: role.manages_security)
        # The inbox names members (a letter to accept, an assessment due): read by the roles that
        # read the subtree's members, never by a 党员 nor the 三员.
        scope.register(InboxItem, path="org_path", readers=lambda role: role.reads_members)
        signals.connect()
