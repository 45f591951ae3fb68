"""The dues pages (党费)."""

from django.urls import include, path

from . import views, views_member, views_remittance, views_reports

app_name = "dues"

urlpatterns: list = [
    path("", views.overview, name="overview"),
    path("branch/<int:pk>/", views.branch, name="branch"),
    path("member/<int:pk>/", views_member.member, name="member"),
    path("member/<int:pk>/pay/", views_member.pay, name="pay"),
    path("member/<int:pk>/basis/", views_member.basis, name="basis"),
    path("payment/<int:pk>/reverse/", views_member.reverse_payment, name="reverse"),
    path("arrears/", views_reports.arrears, name="arrears"),
    path("collection/", views_reports.collection, name="collection"),
    path("remittance/", views_remittance.page, name="remittance"),
    # The Excel files (登记表, 年度汇总, the import of a payment list): files_urls.py.
    path("", include("dangjian.dues.files_urls")),
]
