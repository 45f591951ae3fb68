"""Files follow a restructuring: merged with their steps, a 预备党员's with the member; abolishing
a branch that still holds open files is refused."""

import datetime as dt

import pytest

from dangjian.core.errors import DomainError
from dangjian.orgs import restructure

from .conftest import walk

D = dt.date


def test_a_merge_takes_the_open_files_and_their_steps(world, applicant):
    walk(world, applicant, 6)
    restructure.merge_organizations(
        actor=world.town_admin, sources=[world.village], target=world.community, date=D(2025, 1, 1)
    )
    applicant.refresh_from_db()
    assert (applicant.organization, applicant.org_path, applicant.step) == (world.community, world.community.path, 6)


def test_a_probationary_members_file_follows_the_member_in_a_merge(world, applicant):
    walk(world, applicant, 17)
    restructure.merge_organizations(
        actor=world.town_admin, sources=[world.village], target=world.community, date=D(2025, 1, 1)
    )
    applicant.refresh_from_db()
    assert applicant.organization == world.community == applicant.member.organization


def test_abolishing_a_branch_with_open_files_is_refused(world, applicant):
    with pytest.raises(DomainError, match="培养中的发展党员档案"):
        restructure.abolish_organization(actor=world.town_admin, organization=world.village, date=D(2025, 1, 1))


def test_a_moved_subtree_carries_the_files_paths(world, applicant):
    restructure.move_organization(
        actor=world.county_admin, organization=world.village, new_parent=world.other_town, date=D(2025, 1, 1)
    )
    applicant.refresh_from_db()
    world.village.refresh_from_db()
    assert applicant.org_path == world.village.path
