"""Pages of the member import (included under /members/import/, names in the members namespace)."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("", views_import.member_import, name="import"),
    path("template/", views_import.import_template, name="import_template"),
    path("<int:pk>/", views_import.import_detail, name="import_detail"),
    path("<int:pk>/progress/", views_import.import_progress, name="import_progress"),
    path("<int:pk>/report/", views_import.import_report, name="import_report"),
]
