"""Every date taken in has a plausible range (core.dates.DateKind), checked in one place for each
way in: form fields, API fields, query parameters, import cells. 0001-01-01 and 9999-12-31 never
reach a record, and a letter already holding such a date still prints."""

import datetime as dt
import importlib
import pkgutil

import pytest
from django import forms
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

import dangjian
from dangjian.core.api import PlausibleDate
from dangjian.core.dates import PARTY_FOUNDED, DateKind, date_problem
from dangjian.core.forms import PlausibleDateField, StyledForm
from dangjian.orgs.models import Organization

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("value", "kind", "problem"),
    [
        (PARTY_FOUNDED, DateKind.EVENT, None),
        (dt.date(1921, 6, 30), DateKind.EVENT, "不能早于1921年7月1日（中国共产党成立之日）"),
        (TODAY, DateKind.EVENT, None),
        (dt.date(2026, 12, 2), DateKind.EVENT, "不能晚于今天"),
        (dt.date(2027, 12, 1), DateKind.PLANNED, None),
        (dt.date(2027, 12, 2), DateKind.PLANNED, "不能晚于2027年12月1日（一年以内）"),
        (dt.date(1900, 1, 1), DateKind.BIRTH, None),
        (dt.date(1899, 12, 31), DateKind.BIRTH, "不能早于1900年1月1日"),
        (dt.date(1, 1, 1), DateKind.QUERY, "应在1900年至2099年之间"),
        (dt.date(9999, 12, 31), DateKind.QUERY, "应在1900年至2099年之间"),
    ],
)
def test_the_ranges_of_each_kind(value, kind, problem):
    found = date_problem(value, kind, TODAY)
    assert found == (None if problem is None else f"日期{problem}")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _import_everything():
    for module in pkgutil.walk_packages(dangjian.__path__, "dangjian."):
        if ".tests" not in module.name and ".migrations" not in module.name and "management" not in module.name:
            importlib.import_module(module.name)


def test_every_date_field_of_every_form_and_api_input_has_a_range():
    _import_everything()
    bare = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _subclasses(StyledForm)
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField) and not isinstance(field, PlausibleDateField)
    ]
    for serializer in _subclasses(serializers.Serializer):
        if serializer.__module__.startswith("dangjian."):
            bare += [
                f"{serializer.__module__}.{serializer.__name__}.{name}"
                for name, field in serializer._declared_fields.items()
                if isinstance(field, serializers.DateField)
                and not isinstance(field, PlausibleDate)
                and not field.read_only
            ]
    assert not bare


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_implausible_date_is_refused_by_the_api_with_its_field(world):
    town = api(world.town_admin)
    founded = town.patch(f"/api/v1/organizations/{world.village.pk}/", {"founded_date": "0001-01-01"}, format="json")
    assert founded.status_code == 400 and "1921年7月1日" in founded.json()["founded_date"][0]
    assert Organization.objects.get(pk=world.village.pk).founded_date == dt.date(1990, 1, 1)
    later = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    joined = town.patch(f"/api/v1/members/{world.lisi.pk}/", {"joined_date": later}, format="json")
    assert joined.status_code == 400 and "不能晚于今天" in joined.json()["joined_date"][0]
    inbox = town.get("/api/v1/transfers/inbox/", {"as_of": "0001-01-01"})
    assert inbox.status_code == 400 and "1900年至2099年" in inbox.json()["as_of"][0]


def test_an_implausible_date_is_refused_by_a_form(world):
    page = world.client(world.town_admin).post(
        f"/orgs/{world.village.pk}/edit/",
        {"name": world.village.name, "code": world.village.code, "founded_date": "0001-01-01"},
    )
    assert "成立日期不能早于1921年7月1日" in page.content.decode()


def test_an_implausible_date_in_an_imported_row_is_named(world):
    from dangjian.members.tests.test_import import line, reasons, run

    report = run(world.branch_admin, line(joined_date="1800-07-01", regularized_date="9999-12-31"))
    assert "入党日期不能早于1921年7月1日（中国共产党成立之日）" in reasons(report, column="入党日期")
    assert "转正日期不能晚于今天" in reasons(report, column="转正日期")


def test_a_letter_holding_an_impossible_date_still_prints(world):
    from dangjian.transfers import letter
    from dangjian.transfers.models import Transfer

    transfer = Transfer.objects.create(
        kind="inside",
        member=world.zhangsan,
        member_name="张三",
        from_org=world.village,
        to_org=world.enterprise,
        sending_committee=world.town,
        receiving_committee=world.other_town,
        reason="x",
        state="issued",
        letter_number="2026-001",
        issued_date=dt.date(1, 1, 1),
        valid_days=30,
        dues_paid_through=dt.date(1, 1, 1),
    )
    assert letter.letter_for(world.town_admin, transfer)[:4] == b"%PDF"
