"""POST /api/v1/auth/token/: an API token for a username and password (for scripts that cannot
use the page 账号 › API 令牌). Rate-limited; a locked-out account gets none (django-axes)."""

from typing import Any

from django.contrib.auth import authenticate, get_user_model
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from dangjian.core import services

USERNAME_LENGTH = get_user_model()._meta.get_field("username").max_length or 150


class TokenRequestSerializer(serializers.Serializer[Any]):
    # Longer than any account's: refused before authenticating (django-axes records the attempted
    # name in a 255-character column, which PostgreSQL enforces).
    username = serializers.CharField(
        max_length=USERNAME_LENGTH, error_messages={"max_length": f"用户名不能超过 {USERNAME_LENGTH} 个字符"}
    )
    password = serializers.CharField(style={"input_type": "password"})
    name = serializers.CharField(required=False, default="API", max_length=100)
    days = serializers.IntegerField(required=False, min_value=1)


class TokenObtainView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        summary="以用户名和密码获取 API 令牌",
        request=TokenRequestSerializer,
        responses={
            201: inline_serializer(
                "IssuedToken", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None:
            return Response({"detail": "用户名或密码不正确，或账号已被锁定"}, status=status.HTTP_401_UNAUTHORIZED)
        if getattr(user, "must_change_password", False):
            return Response({"detail": "请先登录网页修改初始密码"}, status=status.HTTP_403_FORBIDDEN)
        token, key = services.create_token(
            actor=user, name=data.validated_data["name"], days=data.validated_data.get("days")
        )
        return Response({"token": key, "expires_at": token.expires_at}, status=status.HTTP_201_CREATED)
