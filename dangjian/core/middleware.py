import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.contrib.messages import warning
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

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


class NoStoreMiddleware:
    """No browser, proxy or shared computer keeps a copy of a response: member pages, revealed
    numbers, exports, letters and reports hold personal data, and after logging out the back
    button must not show them again. Every response gets ``Cache-Control: no-store`` (with
    Django's never-cache companions, and ``Pragma: no-cache`` for HTTP/1.0 caches), except static
    files (WhiteNoise, above this middleware, answers them with its own caching) and a response
    to an anonymous request whose view chose its own caching (nothing personal goes to those).

    Placed above the session and authentication middleware, it sees every response, also their
    redirects; ``request.user`` is known by then, for the API too (DRF sets it on the request)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        if self._personal(request) or not response.has_header("Cache-Control"):
            add_never_cache_headers(response)  # keeps a view's no-store, overrides its public or max-age
        if "no-store" in response.headers.get("Cache-Control", ""):
            response.headers.setdefault("Pragma", "no-cache")
        return response

    @staticmethod
    def _personal(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META


class ControlCharacterMiddleware:
    """Answers 400 to a query string whose parameter names or values hold a control character
    (C0, except tab, line feed and carriage return), and to a form body (urlencoded or multipart
    POST) with NUL in a field's name or value or in an uploaded file's name, before any view runs.

    PostgreSQL cannot store or compare NUL in text: a lookup with one fails with a database error
    (500) where SQLite carries on, and every view reading a parameter would need its own check. No
    field of the registry holds any of these characters. Form fields are refused here for NUL only:
    the other control characters are refused field by field by the forms, with a message under the
    field (core/forms.py). The API's bodies (JSON only) are its serializers' to check (DRF's
    CharField refuses NUL); a form body sent to the API is left unread, for DRF to refuse (415)."""

    QUERY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
    MESSAGE = "请求参数中含有不允许的控制字符"

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self._refused(request):
            return self._answer(request)
        return self.get_response(request)

    def _refused(self, request: HttpRequest) -> bool:
        query = [request.path, *(text for key, values in request.GET.lists() for text in (key, *values))]
        if any(self.QUERY_CONTROL.search(text) for text in query):
            return True
        if request.method != "POST" or request.content_type not in self.FORM_TYPES:
            return False  # Django parses the form bodies of POST only; DRF parses the others itself
        if request.path.startswith("/api/"):
            return False  # the API takes JSON only: DRF answers a form body 415 (unread here)
        fields = [text for key, values in request.POST.lists() for text in (key, *values)]
        files = [text for key, uploads in request.FILES.lists() for text in (key, *(u.name or "" for u in uploads))]
        return any("\x00" in text for text in fields + files)

    def _answer(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": self.MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False})
        page = (
            '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>请求有误</title></head>\n'
            '<body style="font-family: sans-serif; text-align: center; padding: 4rem 1rem;">\n'
            f'  <h1 style="font-size: 1.25rem;">请求有误</h1>\n  <p>{self.MESSAGE}，请检查后重新输入。</p>\n'
            '  <p><a href="/">返回首页</a></p>\n</body></html>\n'
        )
        return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")
