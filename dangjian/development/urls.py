from django.urls import path

from . import views

app_name = "development"
urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("org/<int:pk>/", views.pipeline, name="pipeline_org"),
    path("due/", views.due, name="due"),
    path("org/<int:pk>/due/", views.due, name="due_org"),
    path("org/<int:pk>/new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("year/", views.year, name="year"),
    path("org/<int:pk>/year/", views.year, name="year_org"),
    path("document/<int:pk>/", views.document, name="document"),
    path("rules/", views.rule_table, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
]
