"""Who may read a member's personal data unmasked."""

from typing import Any

from dangjian.core import policy, scope

from .models import Member


def role_reveals(user: Any) -> bool:
    """The acting role may see full ID and phone numbers of the members in its scope (the
    安全管理员's settings say which roles), on request: a reveal, an export asking for them."""
    acting = scope.acting(user)
    settings = policy.current()
    return acting is not None and any(role.reads_members and settings.reveals_id(role) for role in acting.roles)


def may_reveal(user: Any, member: Member) -> bool:
    """The member themselves; and, where the 安全管理员's settings allow it for their role, the
    administrators of the member's organization (the member is in their scope: callers fetched it
    through the scope). Everyone else, and every list, sees the number masked."""
    if member.user_id is not None and member.user_id == user.pk:
        return True
    return role_reveals(user)
