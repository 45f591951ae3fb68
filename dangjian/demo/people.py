"""Synthetic members: plausible age, gender, education and ethnicity for the kind of unit,
valid and unique ID numbers (GB 11643), probation by the calendar (RULES.md §1.2)."""

import datetime as dt
import itertools
import random
from typing import Any

from dangjian.core.dates import add_months, add_years
from dangjian.core.enums import Education, Ethnicity, Gender, Occupation
from dangjian.core.idnumber import check_character
from dangjian.core.pinyin import name_keys
from dangjian.members.models import Category, Status

from . import names
from .county import COUNTY_REGION

OTHER_REGIONS = ("430102", "430103", "430181", "430321", "431121", "440305", "330784", "420106")
EDUCATION_ORDER = list(Education)
# Education weights in EDUCATION_ORDER (研究生 … 小学及以下), per kind of unit.
EDUCATION_WEIGHTS = {
    "village": (0, 3, 8, 7, 25, 42, 15),
    "community": (1, 12, 20, 10, 25, 25, 7),
    "organ": (12, 60, 20, 3, 3, 2, 0),
    "enterprise": (3, 30, 30, 12, 15, 10, 0),
    "school": (15, 70, 12, 2, 1, 0, 0),
    "hospital": (15, 50, 25, 8, 2, 0, 0),
}
# (youngest, oldest, weight) age bands of members, per kind of unit.
AGE_WEIGHTS = {
    "village": ((19, 30, 6), (31, 40, 12), (41, 50, 17), (51, 60, 20), (61, 75, 28), (76, 92, 17)),
    "community": ((20, 30, 8), (31, 40, 12), (41, 50, 14), (51, 60, 18), (61, 75, 30), (76, 92, 18)),
    "organ": ((22, 30, 15), (31, 40, 30), (41, 50, 30), (51, 59, 25)),
    "enterprise": ((21, 30, 25), (31, 40, 35), (41, 50, 25), (51, 60, 15)),
    "school": ((22, 30, 20), (31, 40, 30), (41, 50, 30), (51, 59, 20)),
    "hospital": ((22, 30, 22), (31, 40, 32), (41, 50, 28), (51, 59, 18)),
}
FEMALE_SHARE = {"village": 0.2, "community": 0.38, "organ": 0.35, "enterprise": 0.28, "school": 0.55, "hospital": 0.6}
MOBILE_SHARE = {"village": 0.06, "community": 0.03}
NATIVE_PLACES = ("湖南湘潭", "湖南株洲", "湖南益阳", "湖南岳阳", "湖北武汉", "江西萍乡", "广东广州")
# (occupations, weights) of the members under 60, per kind of unit.
OCCUPATIONS = {
    "village": ((Occupation.FARMER, Occupation.WORKER, Occupation.OTHER), (80, 10, 10)),
    "community": ((Occupation.WORKER, Occupation.OTHER, Occupation.MANAGER), (30, 50, 20)),
    "organ": ((Occupation.OFFICIAL,), (1,)),
    "enterprise": ((Occupation.WORKER, Occupation.PROFESSIONAL, Occupation.MANAGER), (50, 30, 20)),
    "school": ((Occupation.PROFESSIONAL, Occupation.MANAGER), (85, 15)),
    "hospital": ((Occupation.PROFESSIONAL, Occupation.MANAGER), (85, 15)),
}
MINORITIES = (
    (Ethnicity.TUJIA, 40),
    (Ethnicity.MIAO, 25),
    (Ethnicity.DONG, 10),
    (Ethnicity.YAO, 10),
    (Ethnicity.HUI, 10),
    (Ethnicity.ZHUANG, 5),
)


def _cumulative_table(weighted: tuple[tuple[Any, ...], ...]) -> tuple[list[Any], list[float]]:
    """(items, cumulative weights) for random.choices, computed once instead of on every draw."""
    return list(weighted), list(itertools.accumulate(item[-1] for item in weighted))


class PersonFactory:
    """Draws one synthetic member at a time, as a row of MEMBER_COLUMNS without the ids and places.

    ID numbers are unique across the county; everything comes from one seeded generator."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.issued: set[str] = set()
        self.surnames = list(names.SURNAMES)
        self.surname_weights = list(itertools.accumulate(1 / (rank + 3) ** 0.9 for rank in range(len(self.surnames))))
        self.ages = {profile: _cumulative_table(bands) for profile, bands in AGE_WEIGHTS.items()}
        self.minorities = _cumulative_table(MINORITIES)
        self.education = {
            profile: list(itertools.accumulate(weights)) for profile, weights in EDUCATION_WEIGHTS.items()
        }
        self.education_old = list(itertools.accumulate((0, 0, 2, 3, 20, 45, 30)))

    def person(self, profile: str) -> tuple[Any, ...]:
        rng = self.rng
        female = rng.random() < FEMALE_SHARE[profile]
        bands, weights = self.ages[profile]
        low, high, _ = rng.choices(bands, cum_weights=weights)[0]
        birth = self.today - dt.timedelta(days=rng.randint(low * 365 + 1, high * 365 + 364))
        age = (self.today - birth).days / 365.25
        joined_age = rng.triangular(18, min(age, 55), min(age, 25))
        joined = min(max(add_years(birth, 18), birth + dt.timedelta(days=int(joined_age * 365.25))), self.today)
        extension = rng.choice((6, 12)) if rng.random() < 0.02 else 0  # 延长预备期, once, 6–12 months
        regularized: dt.date | None = add_months(joined, 12 + extension)
        category = Category.FULL
        if regularized is not None and regularized > self.today:
            regularized, category = None, Category.PROBATIONARY
        name = self.name(female)
        pinyin, initials = name_keys(name)
        native_place = "湖南长沙" if rng.random() < 0.8 else rng.choice(NATIVE_PLACES)
        ethnicity = (
            Ethnicity.HAN
            if rng.random() < 0.95
            else rng.choices(self.minorities[0], cum_weights=self.minorities[1])[0][0]
        )
        return (
            name,
            pinyin,
            initials,
            (Gender.FEMALE if female else Gender.MALE).value,
            ethnicity.value,
            birth,
            self.id_number(birth, female),
            self._education(profile, birth),
            category.value,
            joined,
            regularized,
            self._status(profile, birth).value,
            self._occupation(profile, birth).value,
            self._phone(),
            native_place,
        )

    def _occupation(self, profile: str, birth: dt.date) -> Occupation:
        """Retired past 60 in most places; otherwise what the unit's members mostly do."""
        if (self.today - birth).days > 60 * 365 and profile != "organ" and self.rng.random() < 0.8:
            return Occupation.RETIRED
        return self.rng.choices(*OCCUPATIONS[profile])[0]

    def _phone(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}"

    def name(self, female: bool) -> str:
        rng = self.rng
        if rng.random() < 0.003:
            surname = rng.choice(names.COMPOUND_SURNAMES)
        else:
            surname = rng.choices(self.surnames, cum_weights=self.surname_weights)[0]
        # Only the gender's own characters: 燕, 娟 or 红 make a woman's name, never a man's.
        pool = names.FEMALE_GIVEN if female else names.MALE_GIVEN
        given = rng.choice(pool) if rng.random() < 0.35 else rng.choice(pool) + rng.choice(pool)
        return surname + given

    def id_number(self, birth: dt.date, female: bool) -> str:
        """A valid number (GB 11643) no one in the county has: the seventeenth digit odd for a man."""
        rng = self.rng
        while True:
            region = COUNTY_REGION if rng.random() < 0.85 else rng.choice(OTHER_REGIONS)
            sequence = rng.randrange(0, 500) * 2 + (0 if female else 1)  # odd for men (GB 11643)
            first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + check_character(first17)
            if number not in self.issued:
                self.issued.add(number)
                return number

    def _education(self, profile: str, birth: dt.date) -> str:
        weights = (
            self.education_old if birth.year < 1960 and profile in ("village", "community") else self.education[profile]
        )
        return self.rng.choices(EDUCATION_ORDER, cum_weights=weights)[0].value

    def _status(self, profile: str, birth: dt.date) -> Status:
        draw = self.rng.random()
        for status, share in (
            (Status.MOBILE, MOBILE_SHARE.get(profile, 0.01)),
            (Status.LOST_CONTACT, 0.003),
            (Status.ABROAD, 0.002),
            (Status.LEFT, 0.0005),
        ):
            if draw < share:
                return status
            draw -= share
        if birth.year < 1945 and draw < 0.05:
            return Status.DECEASED
        return Status.NORMAL
