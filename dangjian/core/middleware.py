import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.contrib.messages import warning
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from . import audit, policy
from .models import Event

GetResponse = Callable[[HttpRequest], HttpResponseBase]


def _is_api(view_func: Any) -> bool:
    return getattr(view_func, "cls", None) is not None  # a DRF APIView


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a login, except the API: DRF authenticates its own requests (session or
    token) and answers 401/403 as JSON instead of redirecting to the login page."""

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponseBase], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if _is_api(view_func):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class SessionPolicyMiddleware:
    """Logs out a session idle longer than the policy allows, and keeps an account that must
    change its password on the password page until it has."""

    SEEN = "dangjian_last_seen"

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            seen = request.session.get(self.SEEN)
            if seen is not None and now - seen > policy.current().idle_timeout_minutes * 60:
                audit.record(Event.SESSION_EXPIRED, actor=user, request=request)
                logout(request)
                warning(request, "长时间未操作，已自动退出，请重新登录")
                return redirect(f"{reverse('login')}?next={request.path}")
            if seen is None or now - seen > 30:  # not a session write on every click
                request.session[self.SEEN] = now
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponseBase], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        user = getattr(request, "user", None)
        if not (user is not None and user.is_authenticated and user.must_change_password) or _is_api(view_func):
            return None
        allowed = {reverse("accounts:password"), reverse("logout")}
        if request.path in allowed or request.path.startswith(settings.STATIC_URL):
            return None
        return redirect("accounts:password")


class ContentSecurityPolicyMiddleware:
    """Scripts, styles, fonts and images come from this server only; no framing."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
