"""Changes to accounts, roles, passwords, API tokens and the security settings.

Each takes the acting user (``None``: the server's command line), checks scope and role, writes in
one transaction with its history, and records the security event."""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import audit, policy, rules, scope
from .errors import DomainError
from .history import service
from .models import ApiToken, Event, PasswordHistory, Role, RoleAssignment, SecuritySettings, User

TOKEN_BYTES = 32


def save_changes(obj: Any, values: dict[str, Any], conflict: DomainError) -> list[str]:
    """Set the ``values`` that differ and save only those fields; a unique constraint that the
    save breaks (a race past the service's own check) becomes ``conflict``. Returns what changed."""
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    for field in changed:
        setattr(obj, field, values[field])
    if changed:
        try:
            with transaction.atomic():
                obj.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            raise conflict from None
    return changed


def _by(actor: User | None) -> dict[str, Any]:
    """Who to name in the security trail: the person, or the server's command line."""
    return {"actor": actor, "actor_name": "" if actor is not None else "命令行"}


def _grant(role: Role, organization: Any, user: User) -> rules.Grant:
    held = frozenset(Role(value) for value in RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    return rules.Grant(
        role=role,
        org_path=organization.path,
        org_is_top=organization.depth == 1,
        org_holds_members=organization.holds_members,
        target_roles=held,
    )


def member_grant(user: User, organization: Any) -> rules.Grant:
    """The 党员 role that opening a member's own login gives (it reads that member's record)."""
    return _grant(Role.MEMBER, organization, user)


def member_read_paths(user: User | None) -> frozenset[str]:
    """The subtrees whose member records ``user`` reads through some role, wherever they act."""
    if user is None:
        return frozenset()
    readers = [role for role in Role if role.reads_members]
    held = RoleAssignment.objects.filter(user=user, role__in=readers, organization__deleted_at__isnull=True)
    return frozenset(held.values_list("organization__path", flat=True))


def member_data_roles(user: User) -> list[tuple[Role, str, str]]:
    """(role, organization path, name) of the roles through which ``user`` reads member data."""
    held = user.role_assignments.select_related("organization").filter(organization__deleted_at__isnull=True)
    return [(a.role_enum, a.organization.path, a.organization.name) for a in held if a.role_enum.reads_member_data]


def check_knowledge(actor: User, user: User, grant: rules.Grant) -> None:
    """三员分立: no one makes an account whose password they know (or someone else still may)
    read member data they could not read themselves."""
    unchanged_by = (user.password_reset_by or user.created_by) if user.must_change_password else None
    problem = rules.knowledge_problem(
        grant,
        granter_knew_password=actor.pk in (user.created_by_id, user.password_reset_by_id),
        granter_reads=member_read_paths(actor),
        unchanged_by=unchanged_by.get_username() if unchanged_by is not None else None,
        unchanged_by_reads=member_read_paths(unchanged_by),
    )
    if problem:
        raise DomainError({"role": problem})


def _check_grant(actor: User | None, user: User, grant: rules.Grant) -> None:
    if actor is None:
        problem = rules.grant_structure_problem(grant)
    else:
        acting = scope.require_role(actor, lambda role: role.manages_users, "授予或撤销角色")
        problem = rules.grant_problem(
            grant, granter_roles=acting.roles, granter_path=acting.organization.path, to_self=actor.pk == user.pk
        )
    if problem:
        raise DomainError({"role": problem})


@service
def grant_role(*, actor: User | None, user: User, role: Role, organization: Any) -> RoleAssignment:
    """Give ``user`` a role at ``organization`` (授予角色)."""
    user = User.objects.select_for_update().get(pk=user.pk)  # one grant at a time per user: 三员 stay apart
    if actor is not None:
        scope.require_role(actor, lambda role: role.manages_users, "授予角色")
        scope.require_in_scope(actor, user)
    grant = _grant(role, organization, user)
    _check_grant(actor, user, grant)
    if actor is not None:
        check_knowledge(actor, user, grant)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organization=organization, defaults={"granted_by": actor}
    )
    if created:
        audit.record(
            Event.ROLE_GRANTED,
            **_by(actor),
            target=user,
            details={"role": role.label, "organization": organization.name},
        )
    scope.forget_acting(user)
    return assignment


@service
def revoke_role(*, actor: User | None, assignment: RoleAssignment) -> None:
    """Take a role back (撤销角色); the same rules as granting it."""
    assignment = RoleAssignment.objects.select_related("user", "organization").get(pk=assignment.pk)
    user = assignment.user
    if actor is not None:
        scope.require_role(actor, lambda role: role.manages_users, "撤销角色")
        scope.require_in_scope(actor, user)
    _check_grant(actor, user, _grant(assignment.role_enum, assignment.organization, user))
    assignment.delete()
    audit.record(
        Event.ROLE_REVOKED,
        **_by(actor),
        target=user,
        details={"role": assignment.role_enum.label, "organization": assignment.organization.name},
    )


@service
def switch_acting(*, actor: User, organization: Any) -> None:
    """Act from another organization where the user holds a role (切换身份)."""
    if not RoleAssignment.objects.filter(user=actor, organization=organization).exists():
        raise DomainError({"organization": "您在该组织没有角色"})
    User.objects.filter(pk=actor.pk).update(acting_organization=organization)
    actor.acting_organization = organization
    scope.forget_acting(actor)
    audit.record(Event.ACTING_SWITCHED, actor=actor, details={"organization": organization.name})


def _temporary_password() -> str:
    """An initial password, shown once: all four character classes, and at least as long as the
    policy asks (16 characters or more), so it meets any policy the 安全管理员 can set."""
    length = max(policy.current().password_min_length, 16)
    return f"Tmp-{secrets.token_urlsafe(length)[: length - 6]}7a"


@service
def create_user(
    *, actor: User | None, username: str, display_name: str, home_organization: Any, password: str | None = None
) -> tuple[User, str]:
    """Open an account (创建账号); it must change the given or generated password at first login.
    Returns the user and the initial password, to hand over once."""
    if actor is not None:
        scope.require_role(actor, lambda role: role.manages_users, "创建账号")
        scope.require_in_scope(actor, home_organization, to_write=True)
    username = username.strip()
    errors = {}
    if not username:
        errors["username"] = "请填写用户名"
    elif User.objects.filter(username=username).exists():
        errors["username"] = f"用户名“{username}”已被使用"
    if errors:
        raise DomainError(errors)
    initial = password or _temporary_password()
    user = User(
        username=username,
        display_name=display_name.strip(),
        home_organization=home_organization,
        must_change_password=True,
        created_by=actor,
    )
    try:
        validate_password(initial, user)
    except ValidationError as error:
        raise DomainError({"password": error.messages}) from None
    user.set_password(initial)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise DomainError({"username": f"用户名“{username}”已被使用"}) from None
    audit.record(Event.USER_CREATED, **_by(actor), target=user)
    return user, initial


def _check_manageable(actor: User, user: User) -> None:
    """Whoever resets an account's password could act as it, and whoever disables it takes its
    roles away: so both need the right to grant every role the account holds (no one takes over
    a stronger account, or one of the 三员, this way)."""
    for assignment in user.role_assignments.select_related("organization"):
        if assignment.role_enum == Role.MEMBER:
            continue  # no one grants it (it comes with the member's own login); reading the member is checked apart
        _check_grant(actor, user, _grant(assignment.role_enum, assignment.organization, user))


def reset_problem(actor: User, user: User) -> str | None:
    """Why ``actor`` may not learn a new password of ``user`` (三员分立), or None."""
    return rules.reset_problem(member_data_roles(user), member_read_paths(actor))


@service
def reset_password(*, actor: User, user: User) -> str:
    """A new initial password for someone who forgot theirs (重置密码); to change at next login.
    The one who resets it sees it, so they must already read whatever the account reads; the
    account's API tokens are revoked with the old password."""
    scope.require_role(actor, lambda role: role.manages_users, "重置密码")
    user = scope.get_scoped_or_404(actor, User.objects.select_for_update(), pk=user.pk)
    if user.pk == actor.pk:
        raise DomainError("不能重置自己的密码，请使用“修改密码”")
    _check_manageable(actor, user)
    if problem := reset_problem(actor, user):
        raise DomainError(problem)
    initial = _temporary_password()
    _remember_password(user)
    user.set_password(initial)
    user.must_change_password = True
    user.password_reset_by = actor
    user.save(update_fields=["password", "must_change_password", "password_reset_by"])
    audit.record(Event.PASSWORD_RESET, actor=actor, target=user)
    _revoke_all_tokens(actor, user, "重置密码")
    return initial


@service
def set_active(*, actor: User, user: User, active: bool) -> None:
    """Disable an account (停用) or enable it again; a disabled account sees nothing."""
    scope.require_role(actor, lambda role: role.manages_users, "停用或启用账号")
    user = scope.get_scoped_or_404(actor, User.objects.select_for_update(), pk=user.pk)
    if user.pk == actor.pk:
        raise DomainError("不能停用自己的账号")
    _check_manageable(actor, user)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(Event.USER_CHANGED, actor=actor, target=user, details={"is_active": active})


@service
def change_password(*, actor: User, old_password: str, new_password: str) -> None:
    """The user changes their own password (修改密码), under the policy."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old_password):
        raise DomainError({"old_password": "原密码不正确"})
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise DomainError({"new_password": error.messages}) from None
    _remember_password(user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    actor.password = user.password
    actor.must_change_password = False
    audit.record(Event.PASSWORD_CHANGED, actor=actor, target=user)
    _revoke_all_tokens(actor, user, "修改密码")


def _revoke_all_tokens(actor: User, user: User, why: str) -> None:
    """A new password ends what the old one opened: the account's API tokens too (sessions end
    by themselves, their hash follows the password)."""
    now = timezone.now()
    for token in ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record(Event.TOKEN_REVOKED, actor=actor, target=token, details={"owner": user.get_username(), "why": why})


def _remember_password(user: User) -> None:
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = max(policy.current().password_history, 1)
        stale = list(user.password_history.values_list("pk", flat=True)[keep:])
        PasswordHistory.objects.filter(pk__in=stale).delete()


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@service
def create_token(*, actor: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A personal API token (创建 API 令牌). Returns it with the key, shown this once only."""
    limit = policy.current().token_days
    days = days or limit
    errors = {}
    if not name.strip():
        errors["name"] = "请填写令牌用途"
    if not 1 <= days <= limit:
        errors["days"] = f"有效期应为1至{limit}天"
    if errors:
        raise DomainError(errors)
    key = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip(),
        key_hash=token_digest(key),
        prefix=key[:8],
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit.record(Event.TOKEN_CREATED, actor=actor, target=token, details={"days": days})
    return token, key


@service
def revoke_token(*, actor: User, token: ApiToken) -> None:
    """Revoke a token (吊销): its owner, or the 安全管理员 for any token."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        scope.require_role(actor, lambda role: role.manages_security, "吊销他人的 API 令牌")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(Event.TOKEN_REVOKED, actor=actor, target=token, details={"owner": token.user.get_username()})


SETTING_FIELDS = (
    "failure_limit",
    "lockout_minutes",
    "idle_timeout_minutes",
    "password_min_length",
    "password_min_classes",
    "password_history",
    "token_days",
    "org_admin_reveals_id",
    "branch_admin_reveals_id",
)
SETTING_LIMITS = {
    "failure_limit": (3, 20),
    "lockout_minutes": (1, 1440),
    "idle_timeout_minutes": (5, 480),
    "password_min_length": (8, 64),
    "password_min_classes": (1, 4),
    "password_history": (0, 24),
    "token_days": (1, 365),
}


@service
def update_security_settings(*, actor: User, **changes: Any) -> SecuritySettings:
    """The 安全管理员 changes the policy; each changed value is recorded, old and new."""
    scope.require_role(actor, lambda role: role.manages_security, "修改安全设置")
    current = policy.current()
    settings = SecuritySettings.objects.select_for_update().get(pk=current.pk)
    errors = {}
    for field, value in changes.items():
        if field not in SETTING_FIELDS:
            raise TypeError(f"unknown security setting {field}")
        if field in SETTING_LIMITS:
            low, high = SETTING_LIMITS[field]
            if not isinstance(value, int) or not low <= value <= high:
                label = getattr(SecuritySettings._meta.get_field(field), "verbose_name", field)
                errors[field] = f"{label}应在{low}至{high}之间"
    if errors:
        raise DomainError(errors)
    changed = {
        field: (getattr(settings, field), value)
        for field, value in changes.items()
        if getattr(settings, field) != value
    }
    for field, (_, value) in changed.items():
        setattr(settings, field, value)
    if changed:
        settings.save()
        transaction.on_commit(policy.forget)
        policy.forget()
        audit.record(
            Event.SETTING_CHANGED,
            actor=actor,
            target=settings,
            details={field: {"old": old, "new": new} for field, (old, new) in changed.items()},
        )
    return settings


@service
def unlock(*, actor: User, username: str) -> int:
    """Lift a lockout (解除锁定) before its time runs out. Returns the records cleared."""
    from axes.utils import reset

    scope.require_role(actor, lambda role: role.manages_security, "解除账号锁定")
    count = reset(username=username)
    audit.record(Event.UNLOCKED, actor=actor, details={"username": username, "records": count})
    return int(count)
