"""The dues files: the registers for print (Excel) and the import of a payment list."""

from django.urls import path

from . import views_files

urlpatterns: list = [
    path("branch/<int:pk>/register.xlsx", views_files.register, name="register"),
    path("summary.xlsx", views_files.summary, name="summary"),
    path("import/", views_files.payment_import, name="import"),
]
