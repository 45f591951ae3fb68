"""The scope function itself: fail closed, read per request, the union of the roles held at the
acting organization and nothing more, no escalation through grants."""

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.utils import timezone

from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEvent, Event, PasswordHistory, Role, RoleAssignment, User
from dangjian.core.services import grant_role, revoke_role, switch_acting
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


def fresh(user):
    return User.objects.get(pk=user.pk)  # a new request's user object


def test_an_unregistered_model_is_refused_not_let_through(world):
    with pytest.raises(ImproperlyConfigured):
        scope.scoped(world.county_admin, PasswordHistory.objects.all())


def test_a_user_without_a_role_sees_nothing(world):
    assert not scope.scoped(world.no_role, Member.objects.all()).exists()
    assert not scope.scoped(world.no_role, Organization.objects.all()).exists()


def test_a_member_sees_their_own_record_and_branch_only(world):
    assert list(scope.scoped(world.member_user, Member.objects.all())) == [world.zhangsan]
    assert list(scope.scoped(world.member_user, Organization.objects.all())) == [world.village]


def test_the_three_administrators_read_no_member_records(world):
    for user in (world.system_admin, world.security_admin, world.audit_admin):
        assert not scope.scoped(user, Member.objects.all()).exists()
        assert world.client(user).get(f"/members/{world.zhangsan.pk}/").status_code == 404
    assert scope.scoped(world.system_admin, Organization.objects.all()).count() == 6  # profiles, for granting
    assert not scope.scoped(world.security_admin, Organization.objects.all()).exists()


def test_an_assignment_at_a_deleted_organization_gives_no_scope(world):
    Organization.objects.filter(pk=world.village.pk).update(deleted_at=timezone.now())
    user = fresh(world.branch_admin)
    assert scope.acting(user) is None
    assert not scope.scoped(user, Member.objects.all()).exists()


def test_a_disabled_account_sees_nothing(world):
    User.objects.filter(pk=world.town_admin.pk).update(is_active=False)
    assert not scope.scoped(fresh(world.town_admin), Member.objects.all()).exists()


def test_a_scope_change_takes_effect_on_the_next_request(world):
    client = world.client(world.town_admin)
    assert client.get(f"/members/{world.wangfang.pk}/").status_code == 200
    RoleAssignment.objects.filter(user=world.town_admin).update(organization=world.other_town)
    assert client.get(f"/members/{world.wangfang.pk}/").status_code == 404
    assert client.get(f"/members/{world.zhaoliu.pk}/").status_code == 200


def test_roles_at_the_acting_organization_unite_and_roles_elsewhere_wait(world):
    """A town cadre who is also the branch secretary of a village in another town."""
    cadre = world.other_admin  # 组织部/党委管理员 of 古山镇
    grant_role(actor=world.county_admin, user=cadre, role=Role.BRANCH_ADMIN, organization=world.village)
    assert set(scope.scoped(fresh(cadre), Member.objects.all())) == {world.zhaoliu}
    switch_acting(actor=fresh(cadre), organization=world.village)
    assert set(scope.scoped(fresh(cadre), Member.objects.all())) == {world.zhangsan, world.lisi}
    # At the branch both of the member's own roles apply together: secretary and 党员.
    grant_role(actor=None, user=world.member_user, role=Role.BRANCH_ADMIN, organization=world.village)
    assert set(scope.scoped(fresh(world.member_user), Member.objects.all())) == {world.zhangsan, world.lisi}
    acting = scope.acting(fresh(world.member_user))
    assert acting is not None
    assert acting.roles == {Role.MEMBER, Role.BRANCH_ADMIN}


def test_switching_needs_a_role_there(world):
    with pytest.raises(DomainError):
        switch_acting(actor=world.town_admin, organization=world.other_town)
    assert AuditEvent.objects.filter(event=Event.ACTING_SWITCHED).count() == 0


@pytest.mark.parametrize(
    ("granter", "role", "org", "outcome"),
    [
        ("county_admin", Role.ORG_ADMIN, "town", "ok"),
        ("town_admin", Role.ORG_ADMIN, "town", "ok"),  # an equal role, inside the scope
        ("town_admin", Role.BRANCH_ADMIN, "community", "ok"),
        ("town_admin", Role.ORG_ADMIN, "county", "404"),  # above (and the account is the county's)
        ("town_admin", Role.BRANCH_ADMIN, "enterprise", "refused"),  # beside their organization
        ("branch_admin", Role.BRANCH_ADMIN, "village", "refused"),  # does not manage users
        ("town_admin", Role.SYSTEM_ADMIN, "town", "refused"),  # 三员 only from the command line
        ("system_admin", Role.SECURITY_ADMIN, "county", "refused"),
        ("town_admin", Role.BRANCH_ADMIN, "town", "refused"),  # a 党委 holds no members
        ("system_admin", Role.ORG_ADMIN, "county", "ok"),  # the system administrator's job
    ],
)
def test_nobody_grants_above_their_scope_or_their_role(world, granter, role, org, outcome):
    target = world.no_role
    if org == "county":
        User.objects.filter(pk=target.pk).update(home_organization=world.county)
        target = fresh(target)
    expected = {"ok": None, "404": Http404, "refused": (DomainError, PermissionDenied)}[outcome]
    call = lambda: grant_role(  # noqa: E731
        actor=fresh(getattr(world, granter)), user=target, role=role, organization=getattr(world, org)
    )
    if expected is None:
        call()
        assert RoleAssignment.objects.filter(user=target, role=role).exists()
    else:
        with pytest.raises(expected):
            call()
        assert not RoleAssignment.objects.filter(user=target).exists()


def test_nobody_grants_to_themselves_or_revokes_above_their_role(world):
    with pytest.raises(DomainError, match="自己"):
        grant_role(actor=world.town_admin, user=world.town_admin, role=Role.BRANCH_ADMIN, organization=world.village)
    county_role = RoleAssignment.objects.get(user=world.county_admin)
    with pytest.raises(Http404):
        revoke_role(actor=world.town_admin, assignment=county_role)
    assert RoleAssignment.objects.filter(pk=county_role.pk).exists()


def test_the_three_administrators_stay_three_people(world):
    with pytest.raises(DomainError, match="三员分立"):
        grant_role(actor=None, user=world.system_admin, role=Role.AUDIT_ADMIN, organization=world.county)
    with pytest.raises(DomainError, match="顶层组织"):
        grant_role(actor=None, user=world.no_role, role=Role.AUDIT_ADMIN, organization=world.town)
