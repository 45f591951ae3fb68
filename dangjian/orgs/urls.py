from django.urls import path

from . import views, views_excel, views_profile, views_restructure

app_name = "orgs"
urlpatterns = [
    path("", views.organization_tree, name="tree"),
    path("pick/", views.organization_pick, name="pick"),
    path("pick/destination/", views.destination_pick, name="destination_pick"),
    path("<int:pk>/", views.organization_detail, name="detail"),
    path("<int:pk>/children/", views.tree_children, name="children"),
    path("<int:pk>/edit/", views.organization_edit, name="edit"),
    path("<int:pk>/history/", views.organization_history, name="history"),
    path("<int:pk>/export/", views_excel.organization_export, name="export"),
    path("<int:pk>/import/", views_excel.organization_import, name="import"),
    path("<int:pk>/restructure/<str:kind>/", views_restructure.restructure_page, name="restructure"),
    path("<int:pk>/units/", views_profile.covered_unit_add, name="covered_unit_add"),
    path("<int:pk>/units/<int:unit>/remove/", views_profile.covered_unit_remove, name="covered_unit_remove"),
    path("<int:pk>/co-management/", views_profile.co_management_add, name="co_management_add"),
    path("<int:pk>/co-management/<int:link>/end/", views_profile.co_management_end, name="co_management_end"),
    path("<int:pk>/delete/", views.organization_delete, name="delete"),
    path("<int:parent_pk>/new/", views.organization_create, name="create"),
]
