from django.urls import path

app_name = "development"
urlpatterns: list = []
