"""The report pages (to be written)."""

from django.http import HttpRequest, HttpResponse


def report(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def cell(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
