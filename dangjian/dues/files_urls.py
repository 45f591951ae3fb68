"""The dues files: the registers for print (Excel) and the import of a payment list."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
