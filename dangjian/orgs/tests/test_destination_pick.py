"""A transfer's destination is found by name or code anywhere in the tree, names and codes only."""

import datetime as dt

from django.urls import reverse

from dangjian.orgs.models import Organization


def pick(client, text):
    return client.get(reverse("orgs:destination_pick"), {"pick": text})


def test_a_branch_finds_a_branch_of_another_town_by_name_or_code(world):
    client = world.client(world.branch_admin)
    for text in ("三环", world.enterprise.code):
        answer = pick(client, text)
        assert list(answer.context["organizations"]) == [world.enterprise]
        body = answer.content.decode()
        assert world.enterprise.name in body and world.enterprise.code in body
        assert "赵六" not in body  # nothing of its members


def test_only_organizations_that_receive_members_are_offered(world):
    client = world.client(world.branch_admin)
    assert list(pick(client, "古山").context["organizations"]) == []  # a 党委 holds no members
    Organization.objects.filter(pk=world.enterprise.pk).update(abolished_date=dt.date(2020, 1, 1))
    assert list(pick(client, "三环").context["organizations"]) == []


def test_a_member_may_look_for_their_own_transfer_and_the_three_may_not(world):
    assert list(pick(world.client(world.member_user), "三环").context["organizations"]) == [world.enterprise]
    for user in (world.system_admin, world.security_admin, world.audit_admin, world.no_role):
        assert pick(world.client(user), "三环").status_code == 403
