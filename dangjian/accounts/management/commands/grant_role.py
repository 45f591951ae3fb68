from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.errors import DomainError
from dangjian.core.models import Role, User
from dangjian.core.services import grant_role
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = (
        "Grant a role from the server's command line: the only way to name the 三员 "
        "(系统管理员, 安全管理员, 审计管理员), who are then held at the top organization."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=[role.value for role in Role])
        parser.add_argument("--organization", help="organization code (default: the top organization)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['username']}")
        organizations = Organization.objects.filter(deleted_at__isnull=True)
        organization = (
            organizations.filter(code=options["organization"]).first()
            if options["organization"]
            else organizations.filter(depth=1).first()
        )
        if organization is None:
            raise CommandError("没有这个组织")
        role = Role(options["role"])
        try:
            grant_role(actor=None, user=user, role=role, organization=organization)
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"已授予 {user.username}：{role.label}（{organization.name}）")
