import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dangjian.core.errors import DomainError
from dangjian.core.models import Role, User
from dangjian.core.services import grant_role
from dangjian.orgs.models import OrgKind, UnitCategory
from dangjian.orgs.services import create_root_organization


class Command(BaseCommand):
    help = "A new installation: create the top organization (e.g. the county committee) and its first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="full name, e.g. 中共某某县委员会")
        parser.add_argument("--short-name", default="", help="short name, e.g. 县委")
        parser.add_argument("--code", required=True, help="organization code, unique")
        parser.add_argument("--admin", required=True, help="username of the first 组织部管理员")
        parser.add_argument(
            "--password-env", help="read the password from this environment variable instead of a prompt"
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username=options["admin"]).exists():
            raise CommandError(f"用户名 {options['admin']} 已存在")
        password = (
            os.environ.get(options["password_env"] or "", "") if options["password_env"] else getpass.getpass("密码: ")
        )
        user = User(username=options["admin"], display_name="组织部管理员")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        try:
            root = create_root_organization(
                name=options["name"],
                short_name=options["short_name"],
                code=options["code"],
                kind=OrgKind.COMMITTEE,
                unit_category=UnitCategory.ORGAN,
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        user.home_organization = root
        user.set_password(password)
        user.save()
        grant_role(actor=None, user=user, role=Role.ORG_ADMIN, organization=root)
        self.stdout.write(f"已创建“{root.name}”及管理员 {user.username}。")
