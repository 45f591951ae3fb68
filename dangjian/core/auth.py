"""API authentication: personal tokens with expiry and revocation, and the password gate."""

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from .models import ApiToken
from .services import token_digest

LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer <key>``) with a token from 账号 › API 令牌."""

    keywords = ("token", "bearer")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("令牌格式不正确：应为“Token 令牌”")
        key = header[1].decode(errors="replace")
        token = ApiToken.objects.select_related("user").filter(key_hash=token_digest(key)).first()
        now = timezone.now()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("令牌无效或已吊销")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("令牌已过期，请重新创建")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用")
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return "Token"


class PasswordIsCurrent(permissions.BasePermission):
    """An account that must change its initial password does nothing else, through the API too."""

    message = "请先登录网页修改初始密码"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return not (user and user.is_authenticated and getattr(user, "must_change_password", False))


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema (and Swagger UI's 'Authorize') describes the token."""

    target_class = ApiTokenAuthentication
    name = "ApiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "请求头 Authorization: Token <令牌>（在“账号 › API 令牌”创建）",
        }
