from django.urls import path

from . import views, views_review

app_name = "meetings"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("org/<int:pk>/", views.branch, name="branch"),
    path("org/<int:pk>/map/", views.heat_map, name="map"),
    path("org/<int:pk>/new/", views.new, name="new"),
    path("org/<int:pk>/lapsed/", views.lapsed, name="lapsed"),
    path("org/<int:pk>/review/", views_review.review, name="review"),
    path("org/<int:pk>/review/open/", views_review.review_open, name="review_open"),
    path("review-entry/<int:pk>/", views_review.review_act, name="review_act"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachment/<int:pk>/", views.attachment_file, name="attachment"),
    path("attachment/<int:pk>/thumbnail/", views.attachment_thumbnail, name="attachment_thumbnail"),
    path("<int:pk>/qr/", views.qr_code, name="qr"),
    path("<int:pk>/qr.svg", views.qr_image, name="qr_image"),
    path("check-in/<str:token>/", views.check_in, name="check_in"),
]
