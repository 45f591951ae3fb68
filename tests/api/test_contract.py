"""The API's schema as an integrator's tools read it: it validates, declares the errors the API
really answers, types what it serves, and the API takes JSON only."""

from typing import Any

import pytest
from openapi_spec_validator import validate
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from dangjian.core.services import create_token

ERROR_CODES = {"400", "401", "403", "404", "429"}


@pytest.fixture
def schema(world: Any) -> dict[str, Any]:
    return world.client(world.county_admin).get("/api/schema/").json()


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def token_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {create_token(actor=user, name='contract')[1]}")
    return client


def test_the_schema_is_json_and_validates_as_openapi(world: Any, schema: dict[str, Any]) -> None:
    response = world.client(world.county_admin).get("/api/schema/")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    validate(schema)  # raises with the first violation (a default outside its enum, an empty default…)


def test_every_operation_declares_its_errors_in_the_shared_shapes(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert set(responses) >= ERROR_CODES, f"{method} {path}"
        assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/FieldErrors")
        for code in ERROR_CODES - {"400"}:
            assert responses[code]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
        assert "WWW-Authenticate" in responses["401"]["headers"]
        assert "Retry-After" in responses["429"]["headers"]
        if method in ("post", "patch"):
            assert {"413", "415"} <= set(responses), f"{method} {path}"
            # JSON only: one body schema, so a generated client has one way to send it.
            if "requestBody" in operation:
                assert set(operation["requestBody"]["content"]) == {"application/json"}, f"{method} {path}"


def test_enums_carry_their_member_names_and_chinese_labels(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    ethnicity = components["EthnicityEnum"]
    names = dict(zip(ethnicity["enum"], ethnicity["x-enum-varnames"], strict=True))
    labels = dict(zip(ethnicity["enum"], ethnicity["x-enum-descriptions"], strict=True))
    assert (names["01"], labels["01"]) == ("HAN", "汉族")
    assert components["TermStateEnum"]["x-enum-descriptions"] == ["在任", "即将届满", "已到期未换届", "已结束"]
    assert components["FileStatusEnum"]["x-enum-varnames"][:2] == ["OPEN", "PROBATION"]
    for name, component in components.items():
        if "enum" in component:
            assert len(component["x-enum-varnames"]) == len(component["enum"]), name
            assert all(n and not n.startswith("VALUE_") for n in component["x-enum-varnames"]), name


def test_blank_choices_are_declared_nullable_and_answered_as_null(world: Any, schema: dict[str, Any]) -> None:
    member = schema["components"]["schemas"]["Member"]["properties"]
    for field in ("degree", "occupation", "left_reason"):
        assert {"type": "null"} in member[field]["oneOf"] or member[field].get("nullable"), field
    zhang = token_client(world.town_admin).get(f"/api/v1/members/{world.zhangsan.pk}/").json()
    assert zhang["left_reason"] is None  # no '' that a strict enum would refuse


def test_reports_that_return_plain_lists_are_declared_as_plain_lists(schema: dict[str, Any]) -> None:
    reports = ("development-files/pipeline", "development-files/due", "mobile-members/summary")
    for path in (f"/api/v1/{report}/" for report in reports):
        operation = schema["paths"][path]["get"]
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array", path
        assert "page" not in {parameter["name"] for parameter in operation.get("parameters", [])}, path


def test_filters_are_typed(schema: dict[str, Any]) -> None:
    def parameter(path: str, name: str) -> dict[str, Any]:
        found = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        return found[0]["schema"]

    assert parameter("/api/v1/members/", "as_of") == {"type": "string", "format": "date"}
    assert parameter("/api/v1/members/", "organization")["type"] == "integer"
    assert parameter("/api/v1/organizations/", "within")["type"] == "integer"
    assert parameter("/api/v1/party-groups/", "organization")["type"] == "integer"
    assert parameter("/api/v1/members/", "page_size") == {"type": "integer", "minimum": 1, "maximum": 200}


def test_a_page_size_is_honoured_up_to_its_maximum(world: Any) -> None:
    client = token_client(world.county_admin)
    two = client.get("/api/v1/members/", {"page_size": 2}).json()
    assert len(two["results"]) == 2 and two["count"] > 2 and "page_size=2" in two["next"]
    everything = client.get("/api/v1/members/", {"page_size": 10_000}).json()
    assert len(everything["results"]) == min(everything["count"], 200)


def test_an_invalid_or_expired_token_answers_401_with_how_to_authenticate(world: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    refused = client.get("/api/v1/members/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert refused.json() == {"detail": "令牌无效或已吊销"}
    anonymous = APIClient().get("/api/v1/members/")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"


def test_the_api_takes_json_only(world: Any) -> None:
    client = token_client(world.town_admin)
    as_form = client.post("/api/v1/members/", {"name": "赵六"}, format="multipart")
    assert as_form.status_code == 415, as_form.json()
    assert "detail" in as_form.json()
    as_json = client.post("/api/v1/members/", {"name": "赵六"}, format="json")
    assert as_json.status_code == 400 and "organization" in as_json.json()


def test_a_url_the_router_does_not_match_answers_json_under_the_api(world: Any) -> None:
    client = token_client(world.town_admin)
    answer = client.get("/api/v1/no-such-endpoint/")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "不存在或不在您的管理范围内"}
    page = world.client(world.town_admin).get("/members/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_too_many_requests_answer_429_with_retry_after(world: Any, monkeypatch: Any) -> None:
    rates = SimpleRateThrottle.THROTTLE_RATES | {"user": "2/minute"}  # read by DRF when it loads
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    client = token_client(world.town_admin)
    answers = [client.get("/api/v1/organizations/") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert "detail" in answers[-1].json()
