import datetime as dt

import pytest

from dangjian.core.idnumber import InvalidIdNumber, mask_id_number, parse_id_number, upgrade_15

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("raw", "number", "birth", "male"),
    [
        ("11010519491231002X", "11010519491231002X", dt.date(1949, 12, 31), False),  # GB 11643 example
        ("11010519491231002x", "11010519491231002X", dt.date(1949, 12, 31), False),  # lower-case x
        (" 110105194912310038 ", "110105194912310038", dt.date(1949, 12, 31), True),
        ("110105491231002", "11010519491231002X", dt.date(1949, 12, 31), False),  # 15 digits upgraded
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", dt.date(1949, 12, 31), False),  # full-width
    ],
)
def test_valid_numbers_are_normalised_with_birth_and_gender(raw, number, birth, male):
    parsed = parse_id_number(raw, today=TODAY)
    assert (parsed.number, parsed.birth_date, parsed.is_male) == (number, birth, male)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("110105194912310021", "校验位"),
        ("1101051949123100", "18位"),
        ("11010519491231002Y", "数字"),
        ("11010A19491231002X", "数字"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "数字"),  # other scripts' digits are not an ID number's
        ("110105194902300020", "不是有效日期"),  # 30 February
        ("110105203001010010", "晚于今天"),
        ("110105185001010010", "1900"),
    ],
)
def test_invalid_numbers_say_why(raw, reason):
    with pytest.raises(InvalidIdNumber, match=reason):
        parse_id_number(raw, today=TODAY)


def test_upgrade_adds_century_and_check_character():
    assert upgrade_15("110105491231002") == "11010519491231002X"


def test_mask_keeps_region_prefix_and_last_four():
    assert mask_id_number("43012219750515225X") == "4301**********225X"
