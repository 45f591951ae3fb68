"""The API's JSON parser is bounded (penetration test, finding 8): a body nested too deep, not
JSON, or with numbers JSON cannot carry is a 400 with a Chinese message, never a 500."""

import io

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from conftest import PASSWORD
from dangjian.core.parsers import MAX_DEPTH, BoundedJSONParser, RequestTooLarge, too_deep

TOKEN = "/api/v1/auth/token/"


def post(body: str | bytes, client=None):
    return (client or APIClient()).post(TOKEN, body, content_type="application/json")


def test_a_100000_deep_array_is_a_400_without_login():
    """Python's decoder recursed once per level: RecursionError, a 500, on any JSON endpoint."""
    response = post("[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert response.json()["detail"] == f"请求内容嵌套层数过多（不能超过 {MAX_DEPTH} 层）"


def test_a_deep_body_is_refused_on_every_endpoint_too(world):
    client = APIClient()
    client.force_authenticate(world.county_admin)
    url = f"/api/v1/organizations/{world.village.pk}/covered-units/"
    response = client.post(url, "[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套层数过多" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"username": ', "请求内容不是有效的 JSON（第 1 行第 14 列附近有误）"),
        ('{"username": "a", "days": NaN}', "请求内容不是有效的 JSON（含有超出范围的数值）"),
        ('{"username": "a", "days": 1e309}', "请求内容不是有效的 JSON（含有超出范围的数值）"),
        (b'{"username": "\xff"}', "请求内容不是有效的 UTF-8 文本"),
    ],
)
def test_malformed_json_is_a_400_in_chinese(body, message):
    response = post(body)
    assert response.status_code == 400
    assert response.json()["detail"] == message


def test_a_body_within_the_bounds_still_works(world):
    response = post(f'{{"username": "town_admin", "password": "{PASSWORD}", "name": "[{{脚本}}]"}}')
    assert response.status_code == 201, response.content


def test_depth_is_counted_outside_strings_only():
    assert not too_deep("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert too_deep("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert too_deep('{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1))
    assert not too_deep('["' + "[" * 1000 + '", "\\"[[[[", {"b": "{{{{"}]')


def test_a_body_larger_than_the_limit_is_refused(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    with pytest.raises(RequestTooLarge):
        BoundedJSONParser().parse(io.BytesIO(b'{"a": "' + b"x" * 200 + b'"}'), parser_context={})
    with pytest.raises(ParseError):
        BoundedJSONParser().parse(io.BytesIO(b"[1, 2"), parser_context={})
