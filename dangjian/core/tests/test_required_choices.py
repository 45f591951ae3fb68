"""A required choice is the user's to make: no form preselects its first option (学历 研究生,
人员类别 正式党员, 处分种类 警告, 职务 书记 would be saved unnoticed). Each such select opens on
an empty 请选择 (or —), and a form sent without it says so under the field."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from dangjian.elections.services import start_term

FORMS = [
    ("members:create", lambda w: [], ("education", "category")),
    ("discipline:new", lambda w: [w.zhangsan.pk], ("kind",)),
    ("elections:terms", lambda w: [w.village.pk], ("position",)),
    ("transfers:incoming", lambda w: [], ("education", "category")),
    ("development:new", lambda w: [w.village.pk], ("education",)),
]


@pytest.mark.parametrize(("route", "args", "names"), FORMS, ids=[route for route, *_ in FORMS])
def test_no_required_select_opens_on_a_chosen_value(world, route, args, names):
    if route == "elections:terms":  # the appointment form is offered for a term in office
        start_term(actor=world.county_admin, organization=world.village, start=dt.date(2024, 1, 1))
    page = world.client(world.county_admin).get(reverse(route, args=args(world))).content.decode()
    for name in names:
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select is not None, (route, name)
        first = re.search(r"<option[^>]*>", select.group(1))
        assert first is not None and 'value=""' in first.group(0), (route, name, first)
        assert " selected" not in select.group(1).replace('value="" selected', ""), (route, name)
