from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("all/", views.all_transfers, name="list"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/letter.pdf", views.letter_pdf, name="letter"),
    path("receipt/", views.receipt, name="receipt"),
    path("incoming/", views.incoming, name="incoming"),
    path("mobile/", views.mobile, name="mobile"),
    path("mobile/summary/", views.mobile_summary, name="mobile_summary"),
    path("mobile/new/", views.mobile_new, name="mobile_new"),
    path("mobile/inflow/", views.mobile_inflow, name="mobile_inflow"),
    path("mobile/<int:pk>/", views.mobile_detail, name="mobile_detail"),
]
