"""Finding 16: a 404 for an object outside the scope must not take longer than one for an object
that does not exist. Whether the object exists, and the trail event if it does, come after the
response has been sent; before it, both requests run the same queries."""

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.models import AuditEvent, Event
from dangjian.members.models import Member

answered: list[int] = []  # queries run when the response left the outermost middleware


class AnswerMark:
    """The outermost middleware: what ran before the response went back to the server."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        answered.append(len(connection.queries))
        return response


@pytest.fixture
def marked(settings):
    settings.MIDDLEWARE = [f"{__name__}.AnswerMark", *settings.MIDDLEWARE]
    answered.clear()


def before_answer(client, path):
    """The queries a GET ran before its response was returned, and the whole response's count
    (the test client closes the response, as a server does after sending it)."""
    with CaptureQueriesContext(connection) as queries:
        start = len(connection.queries)
        response = client.get(path)
    assert response.status_code == 404
    shapes = [re.sub(r"\b\d+\b", "N", q["sql"]) for q in connection.queries[start : answered[-1]]]
    return shapes, len(queries)


@pytest.mark.parametrize("prefix", ["/members/", "/api/v1/members/"])
def test_outside_the_scope_and_missing_do_the_same_work_before_the_404(world, marked, prefix):
    client = world.client(world.branch_admin)
    missing = Member.objects.order_by("-pk")[0].pk + 1000
    client.get(f"{prefix}{missing}/")  # the session and caches warm
    outside, outside_total = before_answer(client, f"{prefix}{world.wangfang.pk}/")
    nothing, nothing_total = before_answer(client, f"{prefix}{missing}/")
    assert outside == nothing
    assert not any("core_audit" in sql for sql in outside)
    # After the response: the object is looked up, and the reach outside recorded.
    assert outside_total > nothing_total
    reach = AuditEvent.objects.get(event=Event.OUT_OF_SCOPE)
    assert (reach.actor, reach.target_repr, reach.ip) == (world.branch_admin, "王芳", "127.0.0.1")
