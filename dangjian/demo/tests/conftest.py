"""Tests of the demo county run on an empty registry."""

import pytest

from dangjian.core.models import RoleAssignment, User
from dangjian.members.models import Member, MembershipPeriod
from dangjian.orgs.models import Organization


@pytest.fixture(autouse=True)
def empty_registry(db):
    """The demo county is built into an empty registry: set the suite's world aside (the test's
    transaction brings it back)."""
    RoleAssignment.objects.all().delete()
    MembershipPeriod.objects.all().delete()
    Member.objects.all().delete()
    User.objects.update(home_organization=None, acting_organization=None)
    Organization.objects.all().delete()
