"""The API's schema and documentation pages: complete, local, behind the login."""

import re


def test_the_schema_lists_every_endpoint_and_the_token_scheme(world):
    schema = world.client(world.town_admin).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/v1/members/", "/api/v1/members/{id}/reveal/", "/api/v1/organizations/{id}/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["ApiToken"]["name"] == "Authorization"
    assert "put" not in schema["paths"]["/api/v1/members/{id}/"]  # changes are PATCH only


def test_every_operation_has_a_chinese_summary(world):
    """The interface is Chinese, so is the API's: each operation's summary, the line a generated
    client and the documentation page show, holds Chinese and no English."""
    schema = world.client(world.county_admin).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = [
        (method.upper(), path, operation.get("summary", ""))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "patch", "delete")
    ]
    assert len(operations) > 50
    untold = [(method, path) for method, path, summary in operations if not re.search(r"[\u4e00-\u9fff]", summary)]
    assert untold == []
    english = [(p, summary) for _, p, summary in operations if re.search(r"[A-Za-z]{3,}", summary.replace("API", ""))]
    assert english == []
    summaries = {summary for *_, summary in operations}
    assert {"党员列表", "党员详情", "删除党员"} <= summaries


def test_swagger_ui_loads_only_local_files(world):
    page = world.client(world.town_admin).get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources, page[:500]
    assert all(not source.startswith(("http://", "https://", "//")) for source in sources), sources
    assert "<script>" not in page  # the settings come as a file: the CSP forbids inline scripts


def test_the_schema_and_docs_need_a_login(client, db):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
