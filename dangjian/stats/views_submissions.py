"""Submission pages (to be written)."""

from django.http import HttpRequest, HttpResponse


def overview(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def submit(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def return_submission(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
