"""The demo logins: one per role, created through the services like any other user."""

from dataclasses import dataclass

from dangjian.core.models import Role, User
from dangjian.core.services import grant_role
from dangjian.members.models import Category, Member, Status
from dangjian.members.services import link_login
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization

DEMO_PASSWORD = "dangjian-demo"
DEMO_USERNAMES = ("county", "pingtang", "gushan", "branch", "member", "sysadmin", "secadmin", "auditor")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: Role
    organization: Organization


def ensure_demo_users() -> list[DemoLogin]:
    """Create (or find) the demo users; safe to run again."""
    root = Organization.objects.get(depth=1, deleted_at__isnull=True)
    pingtang = Organization.objects.filter(name="中共坪塘镇委员会").first()
    gushan = Organization.objects.filter(name="中共古山镇委员会").first()
    if pingtang is None or gushan is None:
        return []  # the tree is not the demo county (a real installation): no demo logins
    branch = (
        Organization.objects.filter(
            path__startswith=pingtang.path,
            kind__in=BRANCH_LEVEL_KINDS,
            abolished_date__isnull=True,
            members__isnull=False,
        )
        .order_by("path")
        .first()
    )
    assert branch is not None, "the demo county has no branch with members"
    logins = [
        DemoLogin("county", "县委组织部管理员", Role.ORG_ADMIN, root),
        DemoLogin("pingtang", "坪塘镇党委管理员", Role.ORG_ADMIN, pingtang),
        DemoLogin("gushan", "古山镇党委管理员", Role.ORG_ADMIN, gushan),
        DemoLogin("branch", f"{branch.display_name}书记", Role.BRANCH_ADMIN, branch),
        DemoLogin("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, root),
        DemoLogin("secadmin", "安全管理员", Role.SECURITY_ADMIN, root),
        DemoLogin("auditor", "审计管理员", Role.AUDIT_ADMIN, root),
    ]
    for login in logins:
        user = _user(login.username, login.display_name, login.organization)
        grant_role(actor=None, user=user, role=login.role, organization=login.organization)
    member = (
        Member.objects.filter(
            organization=branch, category=Category.FULL, status=Status.NORMAL, deleted_at__isnull=True
        )
        .order_by("id")
        .first()
    )
    assert member is not None, "the demo branch has no full member"
    user = _user("member", member.name, branch)
    if member.user_id != user.pk:
        link_login(actor=None, member=member, user=user)
    logins.append(DemoLogin("member", member.name, Role.MEMBER, branch))
    return logins


def _user(username: str, display_name: str, home: Organization) -> User:
    """A demo login with the shared demo password, not asked to change it (a real account is
    created through core.services.create_user and must)."""
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "home_organization": home}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
