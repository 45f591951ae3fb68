"""An id that names an object outside the caller's scope is answered exactly like an id of none,
wherever a request may name objects beyond the scope (a transfer's destination, the committee
that decided a sanction): the same status, the same words, no name of the one refused."""

import datetime as dt

from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.orgs.models import Organization
from dangjian.transfers.models import Transfer

NONE = 999_999


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_sanctions_deciding_organization_outside_the_lineage_answers_as_none(world):
    client = api(world.county_admin)

    def deciding(organization):
        body = {"member": world.zhangsan.pk, "kind": "warning", "decided_on": "2024-03-01", "reason": "违反纪律"}
        return client.post("/api/v1/sanctions/", body | {"deciding_org": organization}, format="json")

    outside, missing = deciding(world.other_town.pk), deciding(NONE)
    assert outside.status_code == missing.status_code == 400
    assert outside.json() == missing.json()
    assert world.other_town.name not in str(outside.json())
    assert deciding(world.town.pk).status_code == 201  # inside the lineage it is taken


def test_a_transfer_destination_outside_the_scope_is_refused_without_its_name(world):
    client = api(world.town_admin)

    def to(organization):
        return client.post(
            "/api/v1/transfers/",
            {"member": world.zhangsan.pk, "to_org": organization, "reason": "工作调动"},
            format="json",
        )

    committee, missing = to(world.other_town.pk), to(NONE)  # a 党委 of another town holds no members
    assert committee.status_code == missing.status_code == 400
    assert committee.json() == missing.json()
    assert world.other_town.name not in str(committee.json())
    inside = to(world.town.pk)  # the caller's own committee: the reason may be given in full
    assert inside.status_code == 400 and world.town.name in str(inside.json())
    assert not Transfer.objects.exists()
    assert to(world.enterprise.pk).status_code == 201  # a branch anywhere in the tree receives members


def test_the_transfer_page_answers_an_unknown_id_and_an_outside_committee_alike(world):
    client = world.client(world.branch_admin)

    def to(organization):
        page = client.post(
            reverse("transfers:new"), {"member": world.zhangsan.pk, "to_org": organization, "reason": "x"}
        )
        return page.content.decode()

    abolished = Organization.objects.filter(pk=world.enterprise.pk)
    abolished.update(abolished_date=dt.date(2020, 1, 1))
    pages = [to(world.other_town.pk), to(world.enterprise.pk), to(NONE)]
    assert all("所选转入党组织不存在或不能接收党员" in page for page in pages)
    assert all(world.other_town.name not in page and world.enterprise.name not in page for page in pages)
