"""Where a page may send the user back to after a form (``?next=``): a path of this site only."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def same_site(request: HttpRequest, target: str | None) -> str | None:
    """``target`` if it is a path of this site: absolute (so that it is never taken for a view's
    name) and passing Django's own check, as its login view makes; None otherwise."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    ):
        return target
    return None
