"""The demo logins: one per role, created through the services like any other user."""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.hashers import make_password

from dangjian.core.models import Role, User
from dangjian.core.services import grant_role
from dangjian.development.models import FileStatus
from dangjian.members.models import Category, Member, Status
from dangjian.members.services import ON_ROLL, link_login
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization

DEMO_PASSWORD = "dangjian-demo"
DEMO_USERNAMES = ("county", "pingtang", "gushan", "branch", "member", "sysadmin", "secadmin", "auditor")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: Role
    organization: Organization


def demo_branch(pingtang: Organization) -> Organization:
    """The demo branch: 坪塘镇's first branch with members (中共坪塘镇兴丰村第一支部委员会)."""
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
    return branch


def ensure_staff_logins() -> dict[str, User]:
    """Create (or find) the demo logins of every role but 党员; safe to run again. Empty when the
    tree is not the demo county (a real installation)."""
    root = Organization.objects.get(depth=1, deleted_at__isnull=True)
    pingtang = Organization.objects.filter(name="中共坪塘镇委员会").first()
    gushan = Organization.objects.filter(name="中共古山镇委员会").first()
    if pingtang is None or gushan is None:
        return {}
    branch = demo_branch(pingtang)
    logins = {}
    for login in (
        DemoLogin("county", "县委组织部管理员", Role.ORG_ADMIN, root),
        DemoLogin("pingtang", "坪塘镇党委管理员", Role.ORG_ADMIN, pingtang),
        DemoLogin("gushan", "古山镇党委管理员", Role.ORG_ADMIN, gushan),
        DemoLogin("branch", f"{branch.display_name}书记", Role.BRANCH_ADMIN, branch),
        DemoLogin("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, root),
        DemoLogin("secadmin", "安全管理员", Role.SECURITY_ADMIN, root),
        DemoLogin("auditor", "审计管理员", Role.AUDIT_ADMIN, root),
    ):
        user = _user(login.username, login.display_name, login.organization)
        grant_role(actor=None, user=user, role=login.role, organization=login.organization)
        logins[login.username] = user
    return logins


def ensure_demo_users() -> list[DemoLogin]:
    """Create (or find) the demo users, one per role; safe to run again. The 党员 login is the
    member of the demo branch who joined through the branch's own development file, if the demo
    has one (the record then tells how they joined), else its first full member."""
    staff = ensure_staff_logins()
    if not staff:
        return []  # the tree is not the demo county (a real installation): no demo logins
    logins = [
        DemoLogin(username, user.display_name, assignment.role_enum, assignment.organization)
        for username, user in staff.items()
        for assignment in user.role_assignments.select_related("organization")
    ]
    branch = staff["branch"].role_assignments.get().organization
    on_roll = Member.objects.filter(organization=branch, status__in=ON_ROLL, deleted_at__isnull=True)
    members = on_roll.filter(category=Category.FULL, status=Status.NORMAL)
    member = (
        on_roll.filter(user__username="member").first()
        or members.filter(development_file__status=FileStatus.ARCHIVED).order_by("id").first()
        or members.order_by("id").first()
        or on_roll.order_by("id").first()  # a demo of a few dozen members
    )
    assert member is not None, "the demo branch has no member on the roll"
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
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    return user


@cache
def _demo_password_hash() -> str:
    """The demo password hashed once for every demo login: the password hasher takes a good part
    of a second by design, eight times over at every first make run otherwise."""
    return make_password(DEMO_PASSWORD)
