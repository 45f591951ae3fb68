from typing import Any

from django.http import HttpRequest

from . import scope
from .models import Role


def acting_role(request: HttpRequest) -> dict[str, Any]:
    """The organization and roles the user acts from, what the navigation may offer, and the other
    organizations the user may switch to."""
    acting = scope.acting(request.user)
    if acting is None:
        return {"acting": None, "nav": {}}
    roles = acting.roles
    return {
        "acting": acting,
        "acting_choices": acting.elsewhere,
        "nav": {
            "organizations": acting.allows(lambda role: role.reads_organizations),
            "members": acting.allows(lambda role: role.reads_members),
            "member_only": roles == {Role.MEMBER},
            "users": acting.allows(lambda role: role.manages_users),
            "security": acting.allows(lambda role: role.manages_security),
            "audit": acting.allows(lambda role: role.reads_audit),
            # The API is for the offices that connect other systems, not for a member's own record.
            "api": acting.allows(lambda role: role.reads_organizations),
        },
    }
