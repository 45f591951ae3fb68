"""The dues pages (党费)."""

from django.urls import include, path

app_name = "dues"

urlpatterns: list = [
    # The Excel files (登记表, 年度汇总, the import of a payment list): files_urls.py.
    path("", include("dangjian.dues.files_urls")),
]
