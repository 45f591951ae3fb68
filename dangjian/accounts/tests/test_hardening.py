"""Lockout, password policy, forced change, idle timeout, tokens, rate limits, headers."""

import datetime as dt
import itertools

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from conftest import PASSWORD
from dangjian.core import policy
from dangjian.core.errors import DomainError
from dangjian.core.middleware import SessionPolicyMiddleware
from dangjian.core.models import ApiToken, AuditEvent, Event, Role, User
from dangjian.core.services import (
    change_password,
    create_token,
    create_user,
    grant_role,
    reset_password,
    set_active,
    update_security_settings,
)


def log_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_an_account_locks_after_repeated_failures_until_the_security_admin_unlocks_it(world):
    client = Client()
    limit = policy.current().failure_limit
    for _ in range(limit - 1):
        assert log_in(client, "town_admin", "wrong").status_code == 200
    assert log_in(client, "town_admin", "wrong").status_code == 429  # the limit-th failure locks
    locked = log_in(client, "town_admin")  # even the right password, now
    assert locked.status_code == 429
    assert "账号已锁定" in locked.content.decode()
    assert AuditEvent.objects.filter(event=Event.LOCKED_OUT, actor_name="town_admin").exists()
    lockouts = world.client(world.security_admin).get("/security/lockouts/")
    assert "town_admin" in lockouts.content.decode()
    world.client(world.security_admin).post("/security/lockouts/", {"username": "town_admin"})
    assert log_in(client, "town_admin").status_code == 302
    assert AuditEvent.objects.filter(event=Event.UNLOCKED).get().details["username"] == "town_admin"


def test_the_failure_limit_follows_the_security_settings(world):
    update_security_settings(actor=world.security_admin, failure_limit=3)
    client = Client()
    for _ in range(3):
        log_in(client, "town_admin", "wrong")
    assert log_in(client, "town_admin").status_code == 429


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        ("Short1!", "至少10位"),
        ("alllowercaseletters", "至少3类"),
        ("ALLUPPER12345678", "至少3类"),
    ],
)
def test_passwords_must_meet_the_policy(world, new, reason):
    with pytest.raises(DomainError) as refused:
        change_password(actor=world.town_admin, old_password=PASSWORD, new_password=new)
    assert any(reason in message for message in refused.value.errors["new_password"])


def test_the_last_five_passwords_cannot_come_back(world):
    user = world.town_admin
    passwords = [PASSWORD] + [f"Fresh-Pass-{n}x" for n in range(5)]
    for old, new in itertools.pairwise(passwords):
        change_password(actor=user, old_password=old, new_password=new)
    for reused in passwords[1:]:  # the current one and the four before it
        with pytest.raises(DomainError, match="最近5次"):
            change_password(actor=user, old_password=passwords[-1], new_password=reused)
    change_password(actor=user, old_password=passwords[-1], new_password=PASSWORD)  # six back: allowed again
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_a_new_account_must_change_its_password_first(world):
    user, initial = create_user(
        actor=world.town_admin, username="xiaoli", display_name="小李", home_organization=world.village
    )
    client = Client()
    assert log_in(client, "xiaoli", initial).status_code == 302
    assert client.get("/members/")["Location"] == "/account/password/"
    _token, key = create_token(actor=user, name="脚本")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/members/").json()["detail"] == "请先登录网页修改初始密码"
    changed = client.post(
        "/account/password/",
        {"old_password": initial, "new_password": "Xiaoli-own-2026", "new_password2": "Xiaoli-own-2026"},
    )
    assert changed.status_code == 302
    assert client.get("/account/").status_code == 200


def test_a_reset_password_must_be_changed_again(world):
    initial = reset_password(actor=world.town_admin, user=world.branch_admin)
    client = Client()
    log_in(client, "branch_admin", initial)
    assert client.get("/")["Location"] == "/account/password/"
    assert AuditEvent.objects.filter(event=Event.PASSWORD_RESET, target_repr="branch_admin").exists()


def test_an_idle_session_is_logged_out(world):
    client = world.client(world.town_admin)
    assert client.get("/members/").status_code == 200
    session = client.session
    session[SessionPolicyMiddleware.SEEN] -= policy.current().idle_timeout_minutes * 60 + 1
    session.save()
    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert AuditEvent.objects.filter(event=Event.SESSION_EXPIRED, actor=world.town_admin).exists()
    assert client.get("/members/")["Location"].startswith("/login/")


def test_tokens_expire_and_can_be_revoked(world):
    token, key = create_token(actor=world.town_admin, name="报表", days=1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/members/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/api/v1/members/").json()["detail"] == "令牌已过期，请重新创建"
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    world.client(world.town_admin).post(f"/account/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/members/").json()["detail"] == "令牌无效或已吊销"
    with pytest.raises(DomainError, match="有效期"):
        create_token(actor=world.town_admin, name="太久", days=policy.current().token_days + 1)


def test_the_token_page_shows_a_new_key_once_and_stores_only_its_hash(world):
    client = world.client(world.town_admin)
    created = client.post("/account/tokens/", {"name": "统计对接", "days": 30})
    key = created.context["new_key"]
    assert key in created.content.decode()
    assert key not in client.get("/account/tokens/").content.decode()
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_logins_from_one_address_are_rate_limited(world, settings):
    settings.LOGIN_RATE_LIMIT = (3, 60)
    client = Client()
    for _ in range(3):
        log_in(client, "nobody", "x")
    assert log_in(client, "town_admin").status_code == 429


def test_the_api_is_rate_limited(world, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "rate", "3/minute", raising=False)
    api = APIClient()
    api.force_authenticate(world.town_admin)
    assert [api.get("/api/v1/members/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_pages_carry_a_strict_content_security_policy(world):
    response = world.client(world.town_admin).get("/")
    policy_header = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy_header
    assert "frame-ancestors 'none'" in policy_header


def test_security_settings_are_validated(world):
    client = world.client(world.security_admin)
    form = client.get("/security/").context["form"]
    data = {name: form.initial.get(name) for name in form.fields}
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post("/security/", data | {"failure_limit": 1})
    assert "连续登录失败锁定次数应在3至20之间" in response.content.decode()
    assert policy.current().failure_limit == 5


def test_no_one_takes_over_a_stronger_account_or_one_of_the_three(world):
    with pytest.raises(DomainError, match="三员"):
        reset_password(actor=world.county_admin, user=world.audit_admin)
    with pytest.raises(DomainError, match="三员"):
        set_active(actor=world.system_admin, user=world.security_admin, active=False)
    assert User.objects.get(pk=world.security_admin.pk).is_active
    # An account of the town that also holds a county role is beyond the town's administrator.
    grant_role(actor=None, user=world.no_role, role=Role.ORG_ADMIN, organization=world.county)
    with pytest.raises(DomainError, match="管理范围之外"):
        reset_password(actor=world.town_admin, user=world.no_role)


# --- penetration test, finding 8: input the columns cannot hold is a form error, not a 500 -----


def test_a_username_longer_than_any_account_is_refused_before_authenticating(world):
    """django-axes keeps the attempted name in a 255-character column: on PostgreSQL a longer one
    failed the request (500); SQLite stored it. Now nothing is authenticated or recorded."""
    from axes.models import AccessAttempt, AccessFailureLog

    page = Client().post("/login/", {"username": "x" * 300, "password": "whatever"})
    assert page.status_code == 200
    assert page.context["form"].errors["username"] == ["用户名不能超过 150 个字符"]
    api = APIClient().post("/api/v1/auth/token/", {"username": "x" * 300, "password": "whatever"}, format="json")
    assert api.status_code == 400
    assert api.json()["username"] == ["用户名不能超过 150 个字符"]
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()
    # A wrong password under a real name is still a failure that counts toward the lockout.
    assert log_in(Client(), "town_admin", "wrong").status_code == 200
    assert AccessAttempt.objects.get().username == "town_admin"


def test_the_audit_filter_refuses_a_text_that_is_not_an_ip_address(world):
    client = world.client(world.audit_admin)
    page = client.get("/audit/", {"ip": "x"})  # PostgreSQL refused the query on its inet column: 500
    assert page.status_code == 200
    assert page.context["form"].errors["ip"] == ["IP 地址格式不正确，例如 192.168.1.10"]
    assert 'data-testid="filter-error">IP 地址格式不正确' in page.content.decode()  # the auditor sees why
    assert page.context["page"].paginator.count == 0
    # A valid address still filters.
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("seq")[0].pk).update(ip="10.1.2.3")
    found = client.get("/audit/", {"ip": "10.1.2.3"}).context["page"]
    assert found.paginator.count == 1
