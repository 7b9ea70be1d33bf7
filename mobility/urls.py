from django.urls import path

from . import views

app_name = "mobility"
urlpatterns = [
    path("", views.MobilityExplorerView.as_view(), name="mobility_explorer"),
    path("scholarships/", views.ScholarshipListView.as_view(), name="scholarship_list"),
    path(
        "scholarships/<int:pk>/", views.ScholarshipDetailView.as_view(), name="scholarship_detail"
    ),
]
