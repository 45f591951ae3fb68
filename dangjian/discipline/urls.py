from django.urls import path

from . import views

app_name = "discipline"
urlpatterns = [
    path("", views.sanction_list, name="list"),
    path("member/<int:pk>/new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
]
