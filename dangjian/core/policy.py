"""The security policy in force: the 安全管理员's settings, read where they apply (password
validators, django-axes, the idle timeout, tokens)."""

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.core.exceptions import ValidationError

from . import rules
from .models import SecuritySettings

CACHE_KEY = "dangjian:security-settings"


def current() -> SecuritySettings:
    """The settings row (created with the defaults on first use), cached until it changes."""
    found: SecuritySettings | None = cache.get(CACHE_KEY)
    if found is None:
        found = SecuritySettings.objects.order_by("pk").first() or SecuritySettings.objects.create()
        cache.set(CACHE_KEY, found, 300)
    return found


def forget() -> None:
    cache.delete(CACHE_KEY)


# django-axes reads these (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME).
def failure_limit(request: Any, credentials: Any) -> int:
    return current().failure_limit


def lockout_time(request: Any) -> dt.timedelta:
    return dt.timedelta(minutes=current().lockout_minutes)


class PolicyValidator:
    """Length and character classes, as the 安全管理员 set them."""

    def validate(self, password: str, user: Any = None) -> None:
        settings = current()
        problems = rules.password_problems(
            password, min_length=settings.password_min_length, min_classes=settings.password_min_classes
        )
        if problems:
            raise ValidationError(problems, code="password_policy")

    def get_help_text(self) -> str:
        settings = current()
        return (
            f"至少{settings.password_min_length}位，包含大写字母、小写字母、数字、符号中的至少"
            f"{settings.password_min_classes}类"
        )


class HistoryValidator:
    """No reuse of the current password or the last few (their hashes are kept)."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        count = current().password_history
        earlier = [user.password, *user.password_history.values_list("password", flat=True)[: max(count - 1, 0)]]
        if count and any(encoded and check_password(password, encoded) for encoded in earlier):
            raise ValidationError(f"不能使用最近{count}次用过的密码", code="password_reused")

    def get_help_text(self) -> str:
        return f"不能与最近{current().password_history}次的密码相同"
