from django.urls import include, path

from . import picker, views, views_groups

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create, name="create"),
    path("export/", views.member_export, name="export"),
    path("pick/", picker.member_pick, name="pick"),
    path("import/", include("dangjian.members.urls_import")),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/reveal/", views.member_reveal, name="reveal"),
    path("<int:pk>/history/", views.member_history, name="history"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/correction/", views.correction_new, name="correction_new"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/<int:pk>/", views.correction_decide, name="correction_decide"),
    path("groups/<int:pk>/", views_groups.groups, name="groups"),
    path("groups/<int:pk>/<int:group>/", views_groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/<int:group>/dissolve/", views_groups.group_dissolve, name="group_dissolve"),
    path("split/<int:pk>/", views_groups.split, name="split"),
    path("<int:pk>/delete/", views.member_delete, name="delete"),
]
