"""After revoking a token the page goes back where it came from, only ever on this site."""

import pytest

from dangjian.core.services import create_token


@pytest.mark.parametrize(
    ("next_url", "lands"),
    [
        ("https://evil.example/steal", "/account/tokens/"),
        ("//evil.example/steal", "/account/tokens/"),
        ("/\\evil.example", "/account/tokens/"),
        ("javascript:alert(1)", "/account/tokens/"),
        ("/security/tokens/", "/security/tokens/"),
    ],
)
def test_the_token_revoke_form_only_returns_to_this_site(world, next_url, lands):
    token, _ = create_token(actor=world.branch_admin, name="对接")
    answer = world.client(world.branch_admin).post(f"/account/tokens/{token.pk}/revoke/", {"next": next_url})
    assert answer.status_code == 302 and answer.url == lands
