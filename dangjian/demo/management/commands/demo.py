import datetime as dt
import time
from typing import Any

from django.apps import apps as django_apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from dangjian.core import inbox
from dangjian.core.models import RoleAssignment, User
from dangjian.demo.activity import build_activity
from dangjian.demo.generator import build_county
from dangjian.demo.users import DEMO_PASSWORD, DEMO_USERNAMES, ensure_demo_users, ensure_staff_logins
from dangjian.members.models import Member, MembershipPeriod
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = "Build the synthetic demo county (演示县) and the demo logins, one per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=6000, help="number of members (default 6000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed: same seed, same county")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="the generation's 'today' (YYYY-MM-DD), for a county identical across days",
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database has organizations")
        parser.add_argument("--reset", action="store_true", help="delete all organizations and members first")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["members"] < 1:
            raise CommandError("--members must be at least 1")
        exists = Organization.objects.exists()
        if exists and options["if_empty"]:
            self.stdout.write("演示数据已存在，跳过生成。")
        elif exists and not options["reset"]:
            raise CommandError("数据库中已有党组织：加 --if-empty 跳过，或加 --reset 清空后重建。")
        else:
            if exists:
                self._reset()
            _restart_sequences()
            started = time.monotonic()
            today = options["as_of"] or timezone.localdate()
            # The county lands whole, its past included, or not at all; the inbox is computed once at
            # the end rather than after each of the past's thousands of service calls.
            with transaction.atomic(), inbox.paused():
                build_county(
                    members=options["members"],
                    seed=options["seed"],
                    today=today,
                    progress=lambda line: self.stdout.write(line),
                )
                built = time.monotonic()
                actions = build_activity(seed=options["seed"], today=today, logins=ensure_staff_logins())
                acted = time.monotonic()
                opened = sum(outcome.opened for outcome in inbox.refresh(today))
            self.stdout.write(
                f"近年的发展党员、组织关系转接、流动党员、党纪处分和组织调整已按日期逐项办理"
                f"（{actions} 项，{acted - built:.1f} 秒）。"
            )
            self.stdout.write(f"待办事项已生成（{opened} 项，{time.monotonic() - acted:.1f} 秒）。")
            self.stdout.write(f"演示县已生成，用时 {time.monotonic() - started:.1f} 秒。")
        logins = ensure_demo_users()
        if not logins:
            self.stdout.write("数据库中的组织树不是演示县，未创建演示账号。")
            return
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role.label:<12} {login.organization.name}")

    @transaction.atomic
    def _reset(self) -> None:
        # TRUNCATE on PostgreSQL: deleting 10^6 rows through the ORM would take minutes.
        models = [RoleAssignment, MembershipPeriod, Member, Organization]
        tables = [model._meta.db_table for model in models]
        statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks still pending in this transaction would block TRUNCATE.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        connection.ops.execute_sql_flush(statements)
        User.objects.filter(username__in=DEMO_USERNAMES).delete()
        self.stdout.write("已清空党组织和党员。")


def _restart_sequences() -> None:
    """Every app table's id sequence restarted at its rows' maximum (PostgreSQL), so a county built
    from one seed has the same ids whatever was written and removed before (letter numbers carry
    the transfer's id): RESTART IDENTITY restarts only the tables TRUNCATE names, not those its
    CASCADE empties, and a sequence never goes back by itself. No statements on SQLite, which
    numbers from the rows left."""
    ours = [model for model in django_apps.get_models() if model.__module__.startswith("dangjian.")]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), ours):
            cursor.execute(statement)
