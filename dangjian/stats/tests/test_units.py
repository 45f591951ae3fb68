"""The register of units without a Party organization and the coverage table (表17) it feeds."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.stats import engine, units
from dangjian.stats.models import UncoveredUnit, UnitClosing


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 3, 1))


def listed(world, name: str = "坪塘镇家政服务中心", on: dt.date = dt.date(2025, 3, 1)) -> UncoveredUnit:
    return units.list_unit(
        actor=world.town_admin,
        organization=world.town,
        name=name,
        unit_category="social_organization",
        listed_on=on,
        employees=12,
    )


def test_a_listed_unit_counts_until_it_is_closed(world, today):
    unit = listed(world)
    units.close_unit(actor=world.town_admin, unit=unit, closing=UnitClosing.ORGANIZED, closed_on=dt.date(2026, 1, 20))
    assert engine.compute(world.county, dt.date(2025, 12, 31)).value("17:social:uncovered") == 1
    assert engine.compute(world.county, dt.date(2026, 2, 1)).value("17:social:uncovered") == 0
    assert engine.compute(world.other_town, dt.date(2025, 12, 31)).value("17:social:uncovered") == 0
    # The branches of a village are one unit; the enterprise's branch is its own.
    report = engine.compute(world.county, dt.date(2025, 12, 31))
    assert (report.value("17:village:organized"), report.value("17:private:organized")) == (1, 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": " "}, "请填写单位名称"),
        ({"unit_category": "township"}, "请选择单位类别"),
        ({"listed_on": dt.date(2026, 5, 1)}, "不能晚于今天"),
        ({"party_members": -1}, "不能为负数"),
        ({"organization": "village"}, "由所在地的党委"),
    ],
)
def test_a_bad_listing_is_refused_with_its_reason(world, today, change, message):
    values = {"name": "某公司", "unit_category": "non_public_enterprise", "listed_on": dt.date(2025, 1, 1)}
    organization = getattr(world, change.pop("organization", "town"))
    with pytest.raises(DomainError, match=message):
        units.list_unit(actor=world.town_admin, organization=organization, **{**values, **change})
    assert not UncoveredUnit.objects.exists()


def test_closing_is_checked_and_the_register_is_scoped(world, today):
    unit = listed(world)
    with pytest.raises(DomainError, match="不能早于登记日期"):
        units.close_unit(actor=world.town_admin, unit=unit, closing="organized", closed_on=dt.date(2025, 1, 1))
    with pytest.raises(DomainError, match="已登记"):
        listed(world)
    other = world.client(world.other_admin)
    answer = other.post(f"/stats/units/{unit.pk}/close/", {"closing": "gone", "closed_on": "2026-01-01"})
    assert answer.status_code == 404
    page = world.client(world.town_admin).get(f"/orgs/{world.town.pk}/").content.decode()
    assert "坪塘镇家政服务中心" in page and "未建立党组织的单位" in page
    answer = world.client(world.town_admin).post(
        f"/stats/units/{unit.pk}/close/", {"closing": "gone", "closed_on": "2026-01-01"}, follow=True
    )
    assert "已销号" in answer.content.decode()
    unit.refresh_from_db()
    assert (unit.closed_on, unit.closing) == (dt.date(2026, 1, 1), "gone")
