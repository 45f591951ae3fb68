"""公民身份号码 (GB 11643-1999): check character, 15→18 conversion, birth date and gender.

Pure functions, no database (RULES.md §9).
"""

import datetime as dt
import operator
import unicodedata
from dataclasses import dataclass

# ISO 7064:1983 MOD 11-2: weight of position i is 2^(17-i) mod 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
_ZERO_WEIGHT = ord("0") * sum(WEIGHTS)


class InvalidIdNumber(ValueError):
    """The text is not a valid 公民身份号码; the message says why, in Chinese."""


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: dt.date
    is_male: bool


def check_character(first17: str) -> str:
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("the check character is computed from exactly 17 digits")
    # The digits' byte values are 48 more than the digits: subtract what that adds.
    total = sum(map(operator.mul, first17.encode(), WEIGHTS)) - _ZERO_WEIGHT
    return CHECK_CHARACTERS[total % 11]


def upgrade_15(number: str) -> str:
    """A first-generation 15-digit number gains the century '19' and a check character."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_character(first17)


def parse_id_number(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate and normalise (uppercase X, 15 digits upgraded); raise InvalidIdNumber otherwise."""
    number = raw.strip().upper()
    if not number.isascii():  # full-width digits and Ｘ, as some input methods type them
        number = unicodedata.normalize("NFKC", number)
    if len(number) == 15 and number.isascii() and number.isdigit():
        number = upgrade_15(number)
    if len(number) != 18:
        raise InvalidIdNumber(f"公民身份号码应为18位（或15位旧号码），现为{len(number)}位")
    if not number.isascii() or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber("公民身份号码前17位应为数字，最后一位应为数字或X")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"公民身份号码中的出生日期{number[6:14]}不是有效日期") from None
    if birth > (today or dt.date.today()):
        raise InvalidIdNumber(f"公民身份号码中的出生日期{birth:%Y-%m-%d}晚于今天")
    if birth.year < 1900:
        raise InvalidIdNumber(f"公民身份号码中的出生年份{birth.year}早于1900年")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber("公民身份号码校验位不符，可能有数字录错，请逐位核对")
    return IdNumber(number=number, birth_date=birth, is_male=int(number[16]) % 2 == 1)


def mask_id_number(number: str) -> str:
    """Keep the region prefix and the last four characters: 4301**********123X."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(number: str) -> str:
    """Keep the first three and the last four digits: 138****1234."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
