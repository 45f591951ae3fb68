"""The dashboard (to be written)."""

from django.http import HttpRequest, HttpResponse


def dashboard(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def data(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
