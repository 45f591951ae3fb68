"""No copy of a response is kept by a browser or proxy (``NoStoreMiddleware``): member pages,
revealed numbers and exports hold personal data; static files keep their own caching."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from dangjian.core.middleware import NoStoreMiddleware
from dangjian.core.services import create_token


def assert_not_stored(response) -> None:
    assert "no-store" in response["Cache-Control"], response.get("Cache-Control")
    assert "public" not in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


def test_a_member_page_is_not_stored(world):
    response = world.client(world.branch_admin).get(reverse("members:detail", args=[world.lisi.pk]))
    assert response.status_code == 200
    assert world.lisi.name in response.content.decode()
    assert_not_stored(response)


def test_revealed_numbers_are_not_stored(world):
    client = world.client(world.branch_admin)
    page = client.post(reverse("members:reveal", args=[world.lisi.pk]))
    assert page.status_code == 200
    assert_not_stored(page)
    api = client.post(reverse("member-reveal", args=[world.lisi.pk]))
    assert api.status_code == 200 and api.json()["id_number"] == world.lisi.id_number
    assert_not_stored(api)


def test_an_api_answer_to_a_token_is_not_stored(world):
    key = create_token(actor=world.branch_admin, name="脚本")[1]
    response = Client().get(reverse("member-detail", args=[world.lisi.pk]), headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    assert_not_stored(response)


@pytest.mark.parametrize("query", [{}, {"full": "1"}, {"layout": "roster"}])
def test_an_export_is_not_stored(world, query):
    response = world.client(world.branch_admin).get(reverse("members:export"), query)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert_not_stored(response)


def test_anonymous_answers_are_not_stored_either(db):
    """The login page (Django marks it never-cache itself) and the redirect to it: one rule for
    every response is simpler to trust than a list of the personal ones."""
    client = Client()
    redirect = client.get(reverse("members:list"))
    assert redirect.status_code == 302
    assert_not_stored(redirect)
    assert_not_stored(client.get(reverse("login")))


def test_static_files_keep_their_own_caching(db):
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Pragma" not in response


def _answer(user, cache_control: str):
    request = RequestFactory().get("/anything/")
    request.user = user

    def view(request):
        response = HttpResponse("…")
        response["Cache-Control"] = cache_control
        return response

    return NoStoreMiddleware(view)(request)


def test_a_views_own_caching_stays_for_anonymous_requests_only(world):
    assert _answer(AnonymousUser(), "public, max-age=600")["Cache-Control"] == "public, max-age=600"
    signed_in = _answer(world.branch_admin, "public, max-age=600")
    assert_not_stored(signed_in)
    assert "max-age=0" in signed_in["Cache-Control"] and "private" in signed_in["Cache-Control"]
