"""The year of a subtree: plan progress, development counts and structure, 空白村."""

import datetime as dt

from django.urls import reverse

from dangjian.development import reports, services

from .conftest import walk

D = dt.date


def test_plan_progress_counts_development_targets_in_the_subtree(world, applicant):
    services.set_quota(actor=world.county_admin, organization=world.county, year=2023, amount=10)
    services.set_quota(actor=world.county_admin, organization=world.town, year=2023, amount=4)
    services.set_quota(actor=world.town_admin, organization=world.village, year=2023, amount=2)
    walk(world, applicant, 7)  # development target on 2023-07-15
    rows = {
        r.organization.name: (r.amount, r.reached)
        for r in reports.plan_progress(world.county_admin, world.county, 2023)
    }
    assert rows == {world.county.name: (10, 1), world.town.name: (4, 1), world.village.name: (2, 1)}
    # The town sees its own subtree's rows only.
    assert {r.organization for r in reports.plan_progress(world.town_admin, world.town, 2023)} == {
        world.town,
        world.village,
    }
    response = world.client(world.town_admin).get(reverse("development:year") + "?year=2023")
    assert response.status_code == 200 and world.village.name in response.text


def test_the_page_refuses_more_than_held(world):
    services.set_quota(actor=world.county_admin, organization=world.county, year=2024, amount=3)
    client = world.client(world.county_admin)
    response = client.post(reverse("development:year"), {"organization": world.town.pk, "year": 2024, "amount": 4})
    assert "最多还能分配3名" in response.text
    response = client.post(reverse("development:year"), {"organization": world.town.pk, "year": 2024, "amount": 3})
    assert response.status_code == 302


def test_year_counts_and_structure(world, applicant):
    walk(world, applicant, 17)  # admitted: branch vote 2023-10-10, approved
    counts = reports.year_counts(world.town_admin, world.town, 2023)
    assert counts.total == 1
    assert counts.by_gender == [("女", 1)]
    assert ("26-35岁", 1) in counts.by_age  # born 1995-06-01, 28 at admission
    assert counts.by_education == [("大学本科", 1)]
    assert reports.year_counts(world.town_admin, world.town, 2024).total == 0
    assert reports.year_counts(world.other_admin, world.other_town, 2023).total == 0


def test_blank_villages(world, applicant):
    # The fixture's members all joined in 2000: both village and community branches are blank.
    blank = reports.blank_villages(world.town_admin, world.town, D(2024, 6, 1))
    assert blank == [world.village, world.community]
    walk(world, applicant, 17)  # 陈晓 joins the village branch on 2023-10-10
    assert reports.blank_villages(world.town_admin, world.town, D(2024, 6, 1)) == [world.community]
    assert reports.blank_villages(world.town_admin, world.town, D(2026, 10, 10)) == [world.village, world.community]
    assert reports.blank_villages(world.other_admin, world.other_town, D(2024, 6, 1)) == []  # an enterprise
