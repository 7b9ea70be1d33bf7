from django.urls import path

from . import views

app_name = "universities"
urlpatterns = [
    path("", views.InstitutionListView.as_view(), name="institution_list"),
    path("map/", views.InstitutionMapView.as_view(), name="institution_map"),
    path("<int:pk>/", views.InstitutionDetailView.as_view(), name="institution_detail"),
]
