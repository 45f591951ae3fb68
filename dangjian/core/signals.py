"""Login events into the security trail. Django and django-axes announce these only as signals."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from . import audit
from .models import Event
from .text import visible


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(Event.LOGIN, actor=user, request=request)


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(Event.LOGOUT, actor=user, request=request)


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # What was typed, as typed, but with any control or invisible character shown as its code.
    tried = visible(str(credentials.get("username", "")))
    audit.record(Event.LOGIN_FAILED, actor_name=tried[:150], request=request)


def _locked_out(
    sender: Any, request: Any, username: str | None = None, ip_address: str | None = None, **kwargs: Any
) -> None:
    tried = visible(username or "")
    audit.record(Event.LOCKED_OUT, actor_name=tried[:150], request=request, details={"ip": ip_address})


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="dangjian-audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="dangjian-audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="dangjian-audit-login-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="dangjian-audit-locked-out")
