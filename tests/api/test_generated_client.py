"""The integrator's path: generate a Python client from /api/schema/ with openapi-python-client,
import it unedited, and read every list, detail and report of the demo county through it.

The generator is told two standard things only: no post hooks (it would run ruff over its output)
and to treat the letter's ``application/pdf`` as bytes (its option for media types it does not
know). Each answer must parse into the generated models and give back, through ``to_dict()``,
exactly the JSON the API sent: a field the schema types wrongly, an enum value it does not list or
a missing nullable fails here."""

import importlib
import json
import pkgutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command

from dangjian.core.models import User
from dangjian.core.services import create_token

PACKAGE = "dangjian_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
OPTIONS = ["--meta", "none", "--output-path", PACKAGE]
CONFIG = {
    "package_name_override": PACKAGE,
    "project_name_override": PACKAGE,
    "post_hooks": [],
    "content_type_overrides": {"application/pdf": "application/octet-stream"},
}


@pytest.fixture
def demo(empty_registry: None) -> User:
    call_command("demo", "--members", "3000", "--seed", "1", stdout=StringIO())
    return User.objects.get(username="county")


def generate(schema: dict[str, Any], where: Path) -> str:
    (where / "schema.json").write_text(json.dumps(schema, ensure_ascii=False))
    (where / "config.json").write_text(json.dumps(CONFIG))
    done = subprocess.run(
        [GENERATOR, "generate", "--path", "schema.json", "--config", "config.json", *OPTIONS],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def imported(where: Path) -> Any:
    sys.path.insert(0, str(where))
    try:
        package = importlib.import_module(PACKAGE)
        for module in pkgutil.walk_packages(package.__path__, f"{PACKAGE}."):
            importlib.import_module(module.name)  # every generated module imports
        return package
    finally:
        sys.path.remove(str(where))


def test_a_generated_client_reads_every_list_detail_and_report_of_the_demo(
    demo: User, wsgi_app: Any, tmp_path: Path
) -> None:
    key = create_token(actor=demo, name="generated client")[1]
    raw = httpx.Client(transport=httpx.WSGITransport(app=wsgi_app), base_url="http://testserver")
    raw.headers["Authorization"] = f"Token {key}"
    schema = raw.get("/api/schema/").json()

    said = generate(schema, tmp_path)
    assert "will not be generated" not in said and "Unable to" not in said, said
    client_module = imported(tmp_path)
    client = client_module.AuthenticatedClient(
        base_url="http://testserver",
        token=key,
        prefix="Token",
        raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=wsgi_app)},
    )

    reads = [(path, op) for path, ops in schema["paths"].items() for method, op in ops.items() if method == "get"]
    first_ids: dict[str, list[int]] = {}
    read = 0
    for path, operation in sorted(reads, key=lambda item: "{" in item[0]):  # lists before details
        if path.endswith("/letter/"):
            continue  # below: only a transfer with an issued letter has one
        module = importlib.import_module(f"{PACKAGE}.api.{operation['tags'][0]}.{operation['operationId']}")
        collection = path.split("{")[0]
        ids = first_ids.get(collection, [None]) if "{id}" in path else [None]
        if "{id}" in path:
            assert ids != [None], f"no object to read at {path}: the demo should have one ({first_ids})"
        for pk in ids[:3]:
            arguments = {"id": pk} if pk is not None else {}
            answer = module.sync_detailed(client=client, **arguments)
            url = path.replace("{id}", str(pk))
            assert answer.status_code == 200, url
            sent = raw.get(url).json()
            assert answer.parsed is not None, url
            parsed = answer.parsed
            back = [row.to_dict() for row in parsed] if isinstance(parsed, list) else parsed.to_dict()
            assert back == sent, url
            if isinstance(sent, dict) and isinstance(sent.get("results"), list):
                first_ids[path] = [row["id"] for row in sent["results"] if "id" in row] or [None]
            read += 1
    # The letter exists only for a transfer whose letter was issued: read one of those.
    issued = [row["id"] for row in raw.get("/api/v1/transfers/").json()["results"] if row["letter_number"]]
    assert issued, "the demo has issued letters"
    letter = importlib.import_module(f"{PACKAGE}.api.v1.v1_transfers_letter_retrieve")
    assert letter.sync_detailed(client=client, id=issued[0]).content.startswith(b"%PDF")
    assert read >= len(reads) - 1
