from django.urls import path

from . import imports, views

app_name = "mobility"
urlpatterns = [
    path("", views.MobilityExplorerView.as_view(), name="mobility_explorer"),
    *imports.IMPORTER.urls(),
    path("scholarships/", views.ScholarshipListView.as_view(), name="scholarship_list"),
    path(
        "scholarships/<int:pk>/", views.ScholarshipDetailView.as_view(), name="scholarship_detail"
    ),
]
