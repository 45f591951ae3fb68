"""Pages for one's own account, for managing users and roles (系统管理员, 组织部/党委管理员), the
security settings and lockouts (安全管理员) and the security trail (审计管理员). Thin: each looks
up through the scope, checks the role, calls a service and renders."""

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import audit, history, policy, scope, services
from dangjian.core.errors import DomainError
from dangjian.core.forms import posted_id
from dangjian.core.models import ApiToken, AuditEvent, Event, Role, RoleAssignment, User
from dangjian.core.redirects import same_site

from . import exports
from .forms import (
    AuditFilterForm,
    GrantForm,
    LoginForm,
    PasswordChangeForm,
    SecuritySettingsForm,
    TokenForm,
    UnlockForm,
    UserCreateForm,
)

PAGE_SIZE = 50


class Request(HttpRequest):
    """Every page here needs a login (LoginRequiredMiddleware): its user is a User."""

    user: User


class LoginView(auth_views.LoginView):
    """The login page, with a cap on attempts per client address (django-axes locks accounts;
    this slows down trying many accounts from one place)."""

    authentication_form = LoginForm  # a username longer than any account's is refused unchecked
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit, seconds = settings.LOGIN_RATE_LIMIT
        key = f"dangjian:login-rate:{audit.client_ip(request)}"
        cache.add(key, 0, seconds)
        if cache.incr(key) > limit:
            return render(request, "registration/rate_limited.html", {"seconds": seconds}, status=429)
        return super().post(request, *args, **kwargs)


# --- one's own account ---------------------------------------------------------------------


def profile(request: Request) -> HttpResponse:
    assignments = RoleAssignment.objects.filter(user=request.user).select_related("organization").order_by("id")
    return render(request, "accounts/profile.html", {"assignments": assignments})


@require_POST
def act_as(request: Request) -> HttpResponse:
    chosen = posted_id(request.POST.get("organization")) or 0  # 0: no organization has it
    held = RoleAssignment.objects.filter(user=request.user, organization_id=chosen)
    assignment = held.select_related("organization").first()
    try:
        if assignment is None:
            raise DomainError("您在所选组织没有角色")
        organization = assignment.organization
        services.switch_acting(actor=request.user, organization=organization)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("accounts:profile")
    messages.success(request, f"已切换到：{organization.name}")
    return redirect("home")


def password(request: Request) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改")
            return redirect("home")
    return render(request, "accounts/password.html", {"form": form, "policy": policy.current()})


def tokens(request: Request) -> HttpResponse:
    form = TokenForm(request.POST or None, initial={"days": min(30, policy.current().token_days)})
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.create_token(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            form = TokenForm(initial={"days": form.cleaned_data["days"]})
    own = ApiToken.objects.filter(user=request.user)
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": own, "new_key": new_key, "now": timezone.now()}
    )


@require_POST
def token_revoke(request: Request, pk: int) -> HttpResponse:
    """Revoke one of one's own tokens, or (安全管理员) anyone's."""
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        token = scope.get_scoped_or_404(request.user, ApiToken.objects.all(), pk=pk)
    services.revoke_token(actor=request.user, token=token)
    messages.success(request, f"已吊销令牌 {token.prefix}…")
    return HttpResponseRedirect(same_site(request, request.POST.get("next")) or reverse("accounts:tokens"))


# --- users and roles -----------------------------------------------------------------------


def _user(request: Request, pk: int) -> User:
    scope.require_role(request.user, lambda role: role.manages_users, "管理账号")
    return scope.get_scoped_or_404(request.user, User.objects.all(), pk=pk)


def users(request: Request) -> HttpResponse:
    scope.require_role(request.user, lambda role: role.manages_users, "管理账号")
    found = scope.scoped(request.user, User.objects.select_related("home_organization")).order_by("username")
    if query := request.GET.get("q", "").strip():
        found = found.filter(Q(username__icontains=query) | Q(display_name__contains=query))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page, "q": query})


def user_create(request: Request) -> HttpResponse:
    scope.require_role(request.user, lambda role: role.manages_users, "创建账号")
    form = UserCreateForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            user, initial = services.create_user(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            # Shown on this response only: never in a redirect's message, which a cookie carries.
            return _detail(request, user, initial_password=initial, created=True)
    return render(request, "accounts/user_form.html", {"form": form})


def _detail(request: Request, user: User, **extra: Any) -> HttpResponse:
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "assignments": user.role_assignments.select_related("organization", "granted_by").order_by("id"),
            "grant_form": GrantForm(request=request),
            "locked": AccessAttempt.objects.filter(
                username=user.username, failures_since_start__gte=policy.current().failure_limit
            ).exists(),
            "reset_problem": services.reset_problem(request.user, user) if user.pk != request.user.pk else "",
            **extra,
        },
    )


def user_detail(request: Request, pk: int) -> HttpResponse:
    return _detail(request, _user(request, pk))


@require_POST
def user_grant(request: Request, pk: int) -> HttpResponse:
    user = _user(request, pk)
    form = GrantForm(request.POST, request=request)
    if form.is_valid():
        try:
            services.grant_role(
                actor=request.user,
                user=user,
                role=Role(form.cleaned_data["role"]),
                organization=form.cleaned_data["organization"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "已授予角色")
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("accounts:user", pk=user.pk)


@require_POST
def user_revoke(request: Request, pk: int, assignment: int) -> HttpResponse:
    user = _user(request, pk)
    found = scope.get_scoped_or_404(request.user, RoleAssignment.objects.filter(user=user), pk=assignment)
    try:
        services.revoke_role(actor=request.user, assignment=found)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "已撤销角色")
    return redirect("accounts:user", pk=user.pk)


@require_POST
def user_reset_password(request: Request, pk: int) -> HttpResponse:
    user = _user(request, pk)
    try:
        initial = services.reset_password(actor=request.user, user=user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("accounts:user", pk=user.pk)
    user.refresh_from_db()
    return _detail(request, user, initial_password=initial)


@require_POST
def user_active(request: Request, pk: int) -> HttpResponse:
    user = _user(request, pk)
    try:
        services.set_active(actor=request.user, user=user, active=request.POST.get("active") == "1")
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("accounts:user", pk=user.pk)


def user_history(request: Request, pk: int) -> HttpResponse:
    user = _user(request, pk)
    return render(
        request,
        "core/history.html",
        {"object": user, "entries": history.entries(user), "back": reverse("accounts:user", args=[user.pk])},
    )


# --- security (安全管理员) ----------------------------------------------------------------


def security(request: Request) -> HttpResponse:
    scope.require_role(request.user, lambda role: role.manages_security, "修改安全设置")
    current = policy.current()
    initial = {field: getattr(current, field) for field in services.SETTING_FIELDS}
    form = SecuritySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data if field in services.SETTING_FIELDS}
        try:
            services.update_security_settings(actor=request.user, **changes)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "安全设置已保存" if changes else "没有修改")
            return redirect("accounts:security")
    return render(request, "accounts/security.html", {"form": form})


def lockouts(request: Request) -> HttpResponse:
    scope.require_role(request.user, lambda role: role.manages_security, "查看账号锁定")
    limit = policy.current().failure_limit
    attempts = AccessAttempt.objects.order_by("-attempt_time")[:200]
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count = services.unlock(actor=request.user, username=form.cleaned_data["username"])
        messages.success(request, f"已解除锁定（清除{count}条失败记录）")
        return redirect("accounts:lockouts")
    return render(request, "accounts/lockouts.html", {"attempts": attempts, "limit": limit, "form": form})


def all_tokens(request: Request) -> HttpResponse:
    scope.require_role(request.user, lambda role: role.manages_security, "查看 API 令牌")
    found = scope.scoped(request.user, ApiToken.objects.select_related("user")).filter(revoked_at__isnull=True)
    return render(request, "accounts/all_tokens.html", {"tokens": found[:500], "now": timezone.now()})


# --- the security trail (审计管理员) --------------------------------------------------------


def _events(request: Request) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    scope.require_role(request.user, lambda role: role.reads_audit, "查看安全审计")
    form = AuditFilterForm(request.GET)
    events = scope.scoped(request.user, AuditEvent.objects.all()).order_by("-seq")
    if form.is_valid():
        data = form.cleaned_data
        if data["event"]:
            events = events.filter(event=data["event"])
        if data["actor"]:
            events = events.filter(actor_name__icontains=data["actor"])
        if data["target"]:
            events = events.filter(target_repr__contains=data["target"])
        if data["ip"]:
            events = events.filter(ip=data["ip"])
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
    else:
        events = events.none()
    return form, events


def audit_events(request: Request) -> HttpResponse:
    form, events = _events(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit.html", {"form": form, "page": page, "query": query.urlencode()})


def audit_export(request: Request) -> HttpResponse:
    form, events = _events(request)
    response = exports.audit_workbook(events)
    filters = {k: str(v) for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    audit.record(
        Event.EXPORT, actor=request.user, details={"what": "安全审计", "filters": filters, "rows": response.rows}
    )
    return response


@require_POST
def audit_verify(request: Request) -> HttpResponse:
    scope.require_role(request.user, lambda role: role.reads_audit, "校验安全审计")
    checked, broken = audit.verify()
    if broken is None:
        messages.success(request, f"审计链完整：已校验{checked}个事件")
    else:
        messages.error(request, broken.message)
    return redirect("accounts:audit")
