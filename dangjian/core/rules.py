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
    target_duties: frozenset[Role]  # the 三员 roles the target already holds, anywhere


def grant_structure_problem(grant: Grant) -> str | None:
    """What no one may grant, the command line included."""
    if grant.role == Role.BRANCH_ADMIN and not grant.org_holds_members:
        return "支部书记/组织委员只能设在党支部一级（或直接管理党员的组织）"
    if grant.role.is_separated_duty:
        if not grant.org_is_top:
            return f"{grant.role.label}只能设在顶层组织：三员管理的是整个系统"
        other = grant.target_duties - {grant.role}
        if other:
            held = "、".join(role.label for role in Role if role in other)
            return f"三员分立：该用户已是{held}，不能再兼任{grant.role.label}"
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
