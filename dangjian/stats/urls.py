"""The statistics pages (党内统计)."""

from django.urls import path

from . import units, views, views_dashboard, views_files, views_submissions

app_name = "stats"

urlpatterns: list = [
    path("", views.report, name="report"),
    path("cell/", views.cell, name="cell"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/data/", views_dashboard.data, name="dashboard-data"),
    path("report.xlsx", views_files.workbook, name="workbook"),
    path("report.pdf", views_files.pdf, name="pdf"),
    path("submissions/", views_submissions.overview, name="submissions"),
    path("submit/", views_submissions.submit, name="submit"),
    path("submission/<int:pk>/", views_submissions.detail, name="submission"),
    path("submission/<int:pk>/return/", views_submissions.return_submission, name="return"),
    path("units/add/<int:pk>/", units.add, name="unit_add"),
    path("units/<int:pk>/close/", units.close, name="unit_close"),
]
