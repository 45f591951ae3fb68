"""The one way to member and organization data: (user, queryset) → the rows the user may see.

Every list, detail, search, count, chart, export and API endpoint calls ``scoped``. A model that
holds member or organization data registers here which roles read its rows across their subtree,
how a row reaches its organization's path, and, for the 党员 role, which user owns a row. An
unregistered model is refused, not let through.

A user acts from one organization at a time (``User.acting_organization``) and every role they
hold *at that organization* applies: the scope is the union of those roles' scopes, and roles
held elsewhere do not count until the user switches to that organization.
- 组织部/党委管理员, 支部书记/组织委员: the subtree of the acting organization (members and
  organizations);
- 系统管理员: the subtree's organizations and user accounts, no member records;
- 安全管理员, 审计管理员: no member or organization records (their own pages read their own data);
- 党员: their own record and the organization holding it;
- a user without a role, or whose organizations are all deleted, sees nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .models import Role, RoleAssignment

M = TypeVar("M", bound=Model)
RolePredicate = Callable[[Role], bool]


@dataclass(frozen=True)
class ScopeRule:
    path: str | None  # lookup to the materialized path of the row's organization; None: system-wide
    readers: RolePredicate  # roles that read every row of their subtree
    own: str | None  # lookup from the model to the user who owns it (党员 role), if any
    live: Q  # rows that exist (soft-deleted rows never show)
    also: Callable[[str], Q] | None = None  # rows a subtree also sees, from its path (co-management)


_RULES: dict[type[Model], ScopeRule] = {}


def register(
    model: type[Model],
    *,
    path: str | None,
    readers: RolePredicate,
    own: str | None = None,
    live: Q | None = None,
    also: Callable[[str], Q] | None = None,
) -> None:
    _RULES[model] = ScopeRule(path=path, readers=readers, own=own, live=live or Q(), also=also)


def is_registered(model: type[Model]) -> bool:
    return model in _RULES


@dataclass(frozen=True)
class Acting:
    """The organization a user acts from and every role they hold there."""

    organization: Any  # orgs.Organization (core does not import orgs)
    roles: frozenset[Role]
    elsewhere: tuple[Any, ...] = ()  # the other organizations where the user holds roles

    def allows(self, predicate: RolePredicate) -> bool:
        return any(predicate(role) for role in self.roles)

    @property
    def labels(self) -> str:
        return "、".join(role.label for role in Role if role in self.roles)


_UNSET = object()


def acting(user: Any) -> Acting | None:
    """The user's acting organization and roles, read once per request (per user object).

    A user object lives for one request, so a changed assignment takes effect on the next one."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    cached = getattr(user, "_acting", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    assignments = list(
        RoleAssignment.objects.filter(user=user, organization__deleted_at__isnull=True)
        .select_related("organization")
        .order_by("id")
    )
    chosen = next((a for a in assignments if a.organization_id == user.acting_organization_id), None)
    chosen = chosen or (assignments[0] if assignments else None)
    result = None
    if chosen is not None:
        here = chosen.organization_id
        roles = frozenset(a.role_enum for a in assignments if a.organization_id == here)
        others = {a.organization_id: a.organization for a in assignments if a.organization_id != here}
        result = Acting(chosen.organization, roles, tuple(others.values()))
    user._acting = result
    return result


def forget_acting(user: Any) -> None:
    user.__dict__.pop("_acting", None)


SEEN_ONLY = "该组织由您所在组织共管，只能查看，不能办理"


def scoped(user: Any, queryset: QuerySet[M], *, to_write: bool = False) -> QuerySet[M]:
    """The part of ``queryset`` that ``user`` may see; ``to_write``: the part a write may touch,
    the subtree without what it only sees from outside (co-managed organizations)."""
    rule = _RULES.get(queryset.model)
    if rule is None:
        raise ImproperlyConfigured(f"{queryset.model.__name__} is not registered with core.scope")
    queryset = queryset.filter(rule.live)
    now = acting(user)
    if now is None:
        return queryset.none()
    subtree = any(rule.readers(role) for role in now.roles)
    own = rule.own is not None and Role.MEMBER in now.roles
    if subtree and rule.path is None:
        return queryset
    visible = Q(**{f"{rule.path}__startswith": now.organization.path}) if subtree else Q(pk__in=[])
    if subtree and rule.also is not None and not to_write:
        visible |= rule.also(now.organization.path)
    if own:
        # The owner lookup may cross a to-many relation: a subquery keeps each row once.
        visible |= Q(pk__in=queryset.model._default_manager.filter(**{rule.own: user}).values("pk"))  # type: ignore[misc]
    if not subtree and not own:
        return queryset.none()
    return queryset.filter(visible)


def get_scoped_or_404(user: Any, queryset: QuerySet[M], *, to_write: bool = False, **lookup: Any) -> M:
    """The object if it exists and is in scope; otherwise 404, the same answer for both.

    When the object exists outside the scope, the attempt goes into the security trail. With
    ``to_write``, an object the user only sees (a co-managed organization) is a 403."""
    try:
        return scoped(user, queryset, to_write=to_write).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        if to_write and scoped(user, queryset).filter(**lookup).exists():
            raise PermissionDenied(SEEN_ONLY) from None
        note_out_of_scope(user, queryset, lookup)
        raise Http404("对象不存在或不在您的管理范围内") from None


def note_out_of_scope(user: Any, queryset: QuerySet[Any], lookup: dict[str, Any]) -> None:
    """If the object looked for exists, the user reached outside their scope: into the trail.

    Whether it exists is looked up once the 404 has been sent (``audit.after_response``): before
    the answer, an object outside the scope and one that does not exist cost the same, so the
    time of the answer does not tell them apart. Outside a request, at once."""
    from . import audit

    manager = queryset.model._default_manager
    lookup = dict(lookup)

    def look(request: Any) -> None:
        try:
            found = manager.filter(**lookup).first()
        except (ValueError, TypeError):
            return
        if found is not None:
            audit.record(audit.Event.OUT_OF_SCOPE, actor=user, target=found, request=request)

    audit.after_response(look)


def is_in_scope(user: Any, obj: Model, *, to_write: bool = False) -> bool:
    return scoped(user, type(obj)._default_manager.filter(pk=obj.pk), to_write=to_write).exists()


def require_in_scope(user: Any, obj: Model, *, to_write: bool = False) -> None:
    if not is_in_scope(user, obj, to_write=to_write):
        if to_write and is_in_scope(user, obj):
            raise PermissionDenied(SEEN_ONLY)
        raise Http404("对象不存在或不在您的管理范围内")


def may_change(user: Any, allowed: RolePredicate, obj: Model) -> bool:
    """Whether to offer a change of ``obj``: a role that may, and ``obj`` in the part it writes."""
    return role_allows(user, allowed) and is_in_scope(user, obj, to_write=True)


def role_allows(user: Any, allowed: RolePredicate) -> bool:
    """Whether a role the user acts in may do something (pages use it to offer buttons)."""
    now = acting(user)
    return now is not None and now.allows(allowed)


def require_role(user: Any, allowed: RolePredicate, action: str) -> Acting:
    """The acting roles if one of them may do ``action``; 403 naming the action otherwise."""
    now = acting(user)
    if now is None or not now.allows(allowed):
        raise PermissionDenied(f"您当前的角色无权{action}")
    return now
