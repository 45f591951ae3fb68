"""Rules of access as pure functions: who may grant which role where, and the password policy."""

from dataclasses import dataclass

from .models import SEPARATED_DUTIES, Role


@dataclass(frozen=True)
class Grant:
    """A proposed grant (or revocation) of ``role`` at the organization with path ``org_path``."""

    role: Role
    org_path: str
    org_is_top: bool
    org_holds_members: bool
    target_roles: frozenset[Role]  # the roles the target already holds, anywhere


def _labels(roles: frozenset[Role]) -> str:
    return "、".join(role.label for role in Role if role in roles)


def grant_structure_problem(grant: Grant) -> str | None:
    """What no one may grant, the command line included."""
    if grant.role == Role.BRANCH_ADMIN and not grant.org_holds_members:
        return "支部书记/组织委员只能设在党支部一级（或直接管理党员的组织）"
    if grant.role.is_separated_duty and not grant.org_is_top:
        return f"{grant.role.label}只能设在顶层组织：三员管理的是整个系统"
    # 三员分立: an account of the three holds that one role and nothing else, so that none of them
    # reads member data, or holds a second of the three, through the same login.
    others = grant.target_roles - {grant.role}
    if grant.role.is_separated_duty and others:
        return f"三员分立：该用户已有{_labels(others)}角色，不能再兼任{grant.role.label}"
    if duties := grant.target_roles & (SEPARATED_DUTIES - {grant.role}):
        return f"三员分立：该用户是{_labels(duties)}，三员账号不得兼任其他角色"
    return None


def grant_problem(grant: Grant, *, granter_roles: frozenset[Role], granter_path: str, to_self: bool) -> str | None:
    """What a person may not grant or revoke: outside their subtree, above their own role, to
    themselves, or any of the 三员 roles (those come only from the server's command line)."""
    if not any(role.manages_users for role in granter_roles):
        return "您当前的角色无权授予或撤销角色"
    if to_self:
        return "不能给自己授予或撤销角色"
    if not grant.org_path.startswith(granter_path):
        return "不能在您的管理范围之外授予或撤销角色"
    if grant.role in SEPARATED_DUTIES:
        return "三员角色只能由服务器管理员在命令行授予（manage.py grant_role）"
    if grant.role == Role.MEMBER:
        return "党员角色随党员账号开通：请在该党员的页面为其开通账号"
    if Role.SYSTEM_ADMIN not in granter_roles:
        strongest = max(role.rank for role in granter_roles)
        if grant.role.rank > strongest:
            return f"不能授予比自己更高的角色：{grant.role.label}"
    return grant_structure_problem(grant)


# 三员分立 and passwords: whoever learns a password can act as that account. So nobody may learn
# the password of an account that reads member data they cannot read themselves, nor make an
# account whose password they know read such data: that would be reading it through the account.


def covers(read_paths: frozenset[str], org_path: str) -> bool:
    """Whether member data at ``org_path`` lies in the subtrees of ``read_paths`` (the
    organizations where someone holds a role that reads their members)."""
    return any(org_path.startswith(path) for path in read_paths)


def reset_problem(target_reads: list[tuple[Role, str, str]], resetter_reads: frozenset[str]) -> str | None:
    """A password reset shows the new initial password to the one who resets it: they must
    already read every member record the account reads. ``target_reads``: (role, path,
    organization name) of the account's roles that read member data."""
    beyond = [(role, name) for role, path, name in target_reads if not covers(resetter_reads, path)]
    if not beyond:
        return None
    role, name = beyond[0]
    return (
        f"该账号可查阅党员信息（{name}·{role.label}），重置后显示的初始密码可用于登录该账号，而您不能查阅这些信息："
        "按照三员分立的要求，请由管理范围覆盖该账号的组织部/党委管理员重置其密码"
    )


def knowledge_problem(
    grant: Grant,
    *,
    granter_knew_password: bool,
    granter_reads: frozenset[str],
    unchanged_by: str | None,
    unchanged_by_reads: frozenset[str],
) -> str | None:
    """Granting a role that reads member data to an account whose password someone else knows.

    ``granter_knew_password``: the granter created the account or last reset its password;
    ``unchanged_by``: who set the initial password the holder has not changed yet (None: the
    holder has changed it, or it came from the command line), with what they read."""
    if not grant.role.reads_member_data:
        return None
    if granter_knew_password and not covers(granter_reads, grant.org_path):
        return (
            "该账号由您创建或其密码由您重置，您知道或曾经知道其密码，而您不能查阅该角色范围内的党员信息："
            "按照三员分立的要求，请由另一名管理员授予"
        )
    if unchanged_by is not None and not covers(unchanged_by_reads, grant.org_path):
        return (
            f"该账号的初始密码由{unchanged_by}设定，本人尚未修改，而{unchanged_by}不能查阅该角色范围内的党员信息："
            "请待本人首次登录并修改密码后再授予"
        )
    return None


CHARACTER_CLASSES = (
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum()),
)


def password_problems(password: str, *, min_length: int, min_classes: int) -> list[str]:
    """The length and character-class rules of the password policy."""
    problems = []
    if len(password) < min_length:
        problems.append(f"密码至少{min_length}位")
    present = [name for name, test in CHARACTER_CLASSES if any(test(c) for c in password)]
    if len(present) < min_classes:
        problems.append(f"密码须包含大写字母、小写字母、数字、符号中的至少{min_classes}类（现有{len(present)}类）")
    return problems
