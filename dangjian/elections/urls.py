from django.urls import path

from . import views

app_name = "elections"
urlpatterns = [
    path("terms/<int:pk>/", views.terms, name="terms"),
    path("terms/<int:pk>/officers/<int:officer>/relieve/", views.officer_relieve, name="officer_relieve"),
    path("terms/<int:pk>/<int:term>/end/", views.term_end, name="term_end"),
    path("expiring/", views.expiring, name="expiring"),
    path("structure/<int:pk>/", views.structure, name="structure"),
]
