from django.urls import path

from . import inbox_views

app_name = "inbox"
urlpatterns = [
    path("", inbox_views.inbox_list, name="list"),
    path("<int:pk>/dismiss/", inbox_views.dismiss, name="dismiss"),
]
