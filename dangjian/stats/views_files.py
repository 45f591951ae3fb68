"""The report's files (to be written)."""

from django.http import HttpRequest, HttpResponse


def workbook(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def pdf(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
