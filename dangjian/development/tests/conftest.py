"""Helpers for the development tests: an applicant walked to any step along the dates of the
full-path scenario (every rule met), so a test can stop before the step it breaks."""

import datetime as dt
from typing import Any

import pytest

from conftest import World, make_id_number
from dangjian.development import services
from dangjian.development.models import Applicant
from dangjian.development.services import StepInput

D = dt.date
APPLICATION_DATE = D(2022, 1, 10)
ID_NUMBER = make_id_number("1995-06-01", male=False, sequence=40)

# step → (date, who acts: "branch" or "town", what the step carries)
PATH: dict[int, tuple[dt.date, str, dict[str, Any]]] = {
    2: (D(2022, 1, 25), "branch", {"talkers": ["zhangsan"]}),
    3: (D(2022, 7, 15), "branch", {}),
    4: (D(2022, 7, 20), "town", {}),
    5: (D(2022, 7, 25), "branch", {"contacts": ["zhangsan", "lisi"]}),
    6: (D(2022, 8, 1), "branch", {}),
    7: (D(2023, 7, 15), "branch", {}),  # exactly one year after step 3
    8: (D(2023, 7, 20), "town", {}),
    9: (D(2023, 7, 25), "branch", {"introducers": ["zhangsan", "lisi"]}),
    10: (D(2023, 8, 10), "branch", {"review_passed": True}),
    11: (D(2023, 9, 1), "branch", {"training_days": 3}),
    12: (D(2023, 9, 10), "branch", {}),
    13: (D(2023, 9, 20), "town", {}),
    14: (D(2023, 9, 25), "branch", {}),
    15: (D(2023, 10, 10), "branch", {"vote": {"present": 2, "yes": 2, "no": 0, "abstain": 0}}),
    16: (D(2023, 10, 20), "town", {"talkers": ["zhangsan"]}),
    17: (D(2024, 1, 10), "town", {}),  # exactly three months after the vote
    18: (D(2024, 1, 20), "town", {}),
    19: (D(2024, 1, 25), "branch", {}),
    20: (D(2024, 2, 1), "branch", {}),
    21: (D(2024, 2, 10), "branch", {}),
    22: (D(2024, 10, 1), "branch", {}),
    23: (D(2024, 10, 10), "branch", {"outcome": "regularize", "vote": {"present": 2, "yes": 2, "no": 0, "abstain": 0}}),
    24: (D(2024, 11, 1), "town", {}),
    25: (D(2024, 11, 15), "branch", {}),
}
ASSESSMENTS = (D(2022, 12, 20), D(2023, 6, 20))


def open_file(world: World, **overrides: Any) -> Applicant:
    values: dict[str, Any] = {
        "actor": world.branch_admin,
        "organization": world.village,
        "name": "陈晓",
        "id_number": ID_NUMBER,
        "application_date": APPLICATION_DATE,
        "education": "bachelor",
        "occupation": "farmer",
        "job": "兴丰村村民",
    }
    return services.create_applicant(**(values | overrides))


def step_input(world: World, extra: dict[str, Any]) -> StepInput:
    values = dict(extra)
    for key in ("talkers", "contacts", "introducers"):
        if key in values:
            values[key] = [getattr(world, name) for name in values[key]]
    return StepInput(**values)


def actor(world: World, who: str) -> Any:
    return world.town_admin if who == "town" else world.branch_admin


def walk(world: World, applicant: Applicant, upto: int, **changes: Any) -> Applicant:
    """Enter steps applicant.step+1 … upto along PATH; ``changes`` replaces a step's (date, who,
    extra) by step number (``s7=(date, "branch", {})``)."""
    for step in range(applicant.step + 1, upto + 1):
        date, who, extra = changes.get(f"s{step}", PATH[step])
        if step == 7 and not applicant.assessments.exists():
            for day in ASSESSMENTS:
                services.record_assessment(actor=world.branch_admin, applicant=applicant, date=day, note="表现良好")
        services.enter_step(
            actor=actor(world, who), applicant=applicant, step=step, date=date, data=step_input(world, extra)
        )
        applicant.refresh_from_db()
    return applicant


@pytest.fixture
def applicant(world: World) -> Applicant:
    return open_file(world)
