"""三员分立 as enforced: none of the 系统管理员, 安全管理员 and 审计管理员 can, alone, come to read
member data, for themselves or through an account they control.

- an account holding one of the three roles holds no other role (either way round, the command
  line included);
- whoever resets a password sees the new one, so they must already read everything the account
  reads;
- a role that reads member data is not granted by someone who created the account or last reset
  its password (unless they read that data already), nor while the account still has an initial
  password set by someone who does not read it.

The matrices below spell out every actor against every account; the search at the end tries
every sequence of actions open to each of the three alone."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from conftest import PASSWORD
from dangjian.core import rules, scope
from dangjian.core.errors import DomainError
from dangjian.core.models import ApiToken, Role, RoleAssignment, User
from dangjian.core.services import change_password, create_token, create_user, grant_role, reset_password
from dangjian.members.models import Member
from dangjian.members.services import link_login


class _Undo(Exception):
    pass


@contextmanager
def undone() -> Iterator[None]:
    """Run the body in a savepoint that is always rolled back."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def outcome(call: Callable[[], Any]) -> str:
    """ok · no (refused with a reason) · 403 (the role may not) · 404 (not in the scope)."""
    with undone():
        try:
            call()
        except DomainError:
            return "no"
        except PermissionDenied:
            return "403"
        except Http404:
            return "404"
        return "ok"


ACCOUNTS = (
    "county_admin",
    "town_admin",
    "branch_admin",
    "member_user",
    "other_admin",
    "system_admin",
    "security_admin",
    "audit_admin",
    "no_role",
)

# Who may reset whose password. Columns in the order of ACCOUNTS.
RESET = {
    #                 county town  branch member other sys  sec  audit none
    "county_admin": "no ok ok ok ok no no no ok",  # itself: 修改密码; the three: their role is the command line's
    "town_admin": "404 no ok ok 404 404 404 404 ok",
    "other_admin": "404 404 404 404 no 404 404 404 404",
    "branch_admin": "403 403 403 403 403 403 403 403 403",
    "member_user": "403 403 403 403 403 403 403 403 403",
    "system_admin": "no no no no no no no no ok",  # every account with a role reads member data but none
    "security_admin": "403 403 403 403 403 403 403 403 403",
    "audit_admin": "403 403 403 403 403 403 403 403 403",
}


@pytest.mark.parametrize("actor", RESET)
def test_who_may_reset_whose_password(world, actor):
    expected = dict(zip(ACCOUNTS, RESET[actor].split(), strict=True))
    found = {
        target: outcome(partial(reset_password, actor=getattr(world, actor), user=getattr(world, target)))
        for target in ACCOUNTS
    }
    assert found == expected


# Who may grant 组织部/党委管理员 of the town (org), 支部书记 of the village (branch), and, from the
# command line (None), each of the three, to whom.
GRANT = {
    #                         county town  branch member other sys  sec  audit none
    ("county_admin", "org"): "no ok ok ok ok no no no ok",
    ("county_admin", "branch"): "no ok ok ok ok no no no ok",
    ("town_admin", "org"): "404 no ok ok 404 404 404 404 ok",
    ("town_admin", "branch"): "404 no ok ok 404 404 404 404 ok",
    ("system_admin", "org"): "ok ok ok ok ok no no no ok",
    ("system_admin", "branch"): "ok ok ok ok ok no no no ok",
    ("branch_admin", "branch"): "403 403 403 403 403 403 403 403 403",
    ("security_admin", "org"): "403 403 403 403 403 403 403 403 403",
    ("audit_admin", "org"): "403 403 403 403 403 403 403 403 403",
    (None, "system_admin"): "no no no no no ok no no ok",
    (None, "security_admin"): "no no no no no no ok no ok",
    (None, "audit_admin"): "no no no no no no no ok ok",
}


def _grant_call(world: Any, granter: str | None, what: str, target: str) -> Callable[[], Any]:
    if what in ("org", "branch"):
        role, organization = (Role.ORG_ADMIN, world.town) if what == "org" else (Role.BRANCH_ADMIN, world.village)
    else:
        role, organization = Role(what), world.county
    actor = getattr(world, granter) if granter else None
    return lambda: grant_role(actor=actor, user=getattr(world, target), role=role, organization=organization)


@pytest.mark.parametrize(("granter", "what"), GRANT, ids=[f"{g}-{w}" for g, w in GRANT])
def test_who_may_grant_which_role_to_whom(world, granter, what):
    expected = dict(zip(ACCOUNTS, GRANT[granter, what].split(), strict=True))
    found = {target: outcome(_grant_call(world, granter, what, target)) for target in ACCOUNTS}
    assert found == expected


def test_an_account_of_the_three_cannot_be_linked_to_a_member_record(world):
    with pytest.raises(DomainError, match="三员分立"):
        link_login(actor=world.county_admin, member=world.lisi, user=world.security_admin)
    assert not Member.objects.filter(user=world.security_admin).exists()


# Accounts whose password someone knows: who created them, who reset them, whether the holder has
# changed the initial password since.


def _fresh(world: Any, creator: str, name: str, *, changed: bool = False) -> User:
    user, initial = create_user(
        actor=getattr(world, creator), username=name, display_name=name, home_organization=world.town
    )
    if changed:
        change_password(actor=user, old_password=initial, new_password="Changed-by-holder-9")
    return User.objects.get(pk=user.pk)


FRESH = ("by_system", "by_system_changed", "by_county", "by_county_reset_by_system")
KNOWN = {
    #                by_system by_system_changed by_county by_county_reset_by_system
    "system_admin": "no no ok no",  # it knows (or knew) the passwords of those it created or reset
    "county_admin": "no ok ok no",  # an initial password the 系统管理员 set and the holder kept
    "town_admin": "no ok ok no",
}


@pytest.mark.parametrize("granter", KNOWN)
def test_a_member_reading_role_is_not_granted_to_an_account_whose_password_the_granter_or_an_outsider_knows(
    world, granter
):
    fresh = {
        "by_system": _fresh(world, "system_admin", "f1"),
        "by_system_changed": _fresh(world, "system_admin", "f2", changed=True),
        "by_county": _fresh(world, "county_admin", "f3", changed=True),
        "by_county_reset_by_system": _fresh(world, "county_admin", "f4", changed=True),
    }
    reset_password(actor=world.system_admin, user=fresh["by_county_reset_by_system"])  # it has no role yet
    fresh["by_county_reset_by_system"].refresh_from_db()
    expected = dict(zip(FRESH, KNOWN[granter].split(), strict=True))
    found = {
        name: outcome(
            partial(
                grant_role,
                actor=getattr(world, granter),
                user=fresh[name],
                role=Role.ORG_ADMIN,
                organization=world.town,
            )
        )
        for name in FRESH
    }
    assert found == expected


def test_the_county_administrator_grants_the_accounts_it_creates_itself(world):
    user, _ = create_user(
        actor=world.county_admin, username="cadre", display_name="新书记", home_organization=world.town
    )
    grant_role(actor=world.county_admin, user=user, role=Role.BRANCH_ADMIN, organization=world.village)
    assert RoleAssignment.objects.filter(user=user, role=Role.BRANCH_ADMIN).exists()


def test_a_reset_and_a_password_change_revoke_the_accounts_api_tokens(world):
    token, _ = create_token(actor=world.branch_admin, name="对接")
    reset_password(actor=world.county_admin, user=world.branch_admin)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    mine, _ = create_token(actor=world.town_admin, name="对接")
    change_password(actor=world.town_admin, old_password=PASSWORD, new_password="A-new-password-7")
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None


def test_the_user_page_shows_the_new_password_once_and_never_in_a_cookie(world):
    client = world.client(world.county_admin)
    page = client.post(f"/users/{world.branch_admin.pk}/reset-password/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="initial-password"' in body
    assert "messages" not in page.cookies
    again = client.get(f"/users/{world.branch_admin.pk}/")
    assert 'data-testid="initial-password"' not in again.content.decode()


def test_the_system_administrator_is_not_offered_a_reset_it_may_not_make(world):
    page = world.client(world.system_admin).get(f"/users/{world.town_admin.pk}/").content.decode()
    assert "重置密码</button>" not in page and 'data-testid="reset-problem"' in page
    assert "三员分立" in page


# Every way, for each of the three alone


def _reads_member_data(users: set[int]) -> bool:
    readers = [role for role in Role if role.reads_member_data]
    return RoleAssignment.objects.filter(user_id__in=users, role__in=readers).exists()


def _actions(world: Any, controlled: set[int]) -> Iterator[tuple[str, Callable[[], set[int]]]]:
    """What the accounts the attacker controls can do, each returning the accounts controlled after."""
    for pk in sorted(controlled):
        actor = User.objects.get(pk=pk)
        if not scope.role_allows(actor, lambda role: role.manages_users):
            continue
        count = User.objects.count()

        def create(actor: User = actor, count: int = count) -> set[int]:
            user, _ = create_user(
                actor=actor, username=f"made{count}", display_name="新账号", home_organization=world.town
            )
            return controlled | {user.pk}

        yield f"{actor} creates an account", create
        for target in scope.scoped(actor, User.objects.all()):

            def reset(actor: User = actor, target: User = target) -> set[int]:
                reset_password(actor=actor, user=target)
                return controlled | {target.pk}

            yield f"{actor} resets {target}", reset
            if target.pk in controlled or target.username == "no_role":
                for role, organization in ((Role.ORG_ADMIN, world.town), (Role.BRANCH_ADMIN, world.village)):

                    def grant(actor: User = actor, target: User = target, role: Role = role, org: Any = organization):
                        grant_role(actor=actor, user=target, role=role, organization=org)
                        return controlled

                    yield f"{actor} grants {target} {role.label}", grant


def _search(world: Any, controlled: set[int], depth: int, path: list[str]) -> list[str] | None:
    """A sequence of actions after which a controlled account reads member data, or None."""
    if _reads_member_data(controlled):
        return path
    if depth == 0:
        return None
    for label, action in list(_actions(world, controlled)):
        found: list[str] | None = None
        with undone():
            try:
                after = action()
            except (DomainError, PermissionDenied, Http404):
                continue
            found = _search(world, after, depth - 1, [*path, label])
        if found is not None:
            return found
    return None


@pytest.mark.parametrize("duty", ["system_admin", "security_admin", "audit_admin"])
def test_none_of_the_three_alone_comes_to_read_member_data_in_three_steps(world, duty):
    attacker = getattr(world, duty)
    assert not scope.scoped(attacker, Member.objects.all()).exists()
    assert _search(world, {attacker.pk}, 3, []) is None


def test_the_search_finds_the_path_the_old_rules_left_open(world, monkeypatch):
    """Without the checks of passwords known, the 系统管理员 reaches member data: the search can fail."""
    monkeypatch.setattr(rules, "knowledge_problem", lambda *args, **kwargs: None)
    monkeypatch.setattr(rules, "reset_problem", lambda *args, **kwargs: None)
    found = _search(world, {world.system_admin.pk}, 2, [])
    assert found is not None and len(found) == 2
