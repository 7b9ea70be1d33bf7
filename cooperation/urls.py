from django.contrib import admin
from django.urls import include, path

from accounts.urls import password_patterns

from . import health, import_views, views

source_patterns = (
    [
        path("", views.SourceListView.as_view(), name="source_list"),
        path("<int:pk>/", views.SourceDetailView.as_view(), name="source_detail"),
    ],
    "cooperation",
)

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("institutions/", include("universities.urls")),
    path("agreements/", include("agreements.urls")),
    path("events/", include("events.urls")),
    path("mobility/", include("mobility.urls")),
    path("sources/intake/", include("intake.urls")),
    path("sources/", include(source_patterns)),
    path("search/", views.SearchPageView.as_view(), name="search"),
    path("exports/<uuid:pk>/", views.ExportJobView.as_view(), name="export_job"),
    path("exports/<uuid:pk>/file/", views.export_job_file, name="export_job_file"),
    path(
        "imports/names/<uuid:pk>/",
        import_views.name_search_status,
        name="name_search_status",
    ),
    path("saved/", include("savedviews.urls")),
    path("stated-figures/", views.StatedFigureListView.as_view(), name="stated_figure_list"),
    path("datapackage.json", views.datapackage_view, name="datapackage"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("cooperation.api_urls")),
    path("changes/", include("accounts.urls")),
    path("accounts/", include(password_patterns)),
    path("health/", health.health, name="health"),
]
# Uploaded scans are never served from MEDIA_URL, not even with DEBUG: only the agreement's
# document view hands them out, to those allowed to read them.

handler500 = "cooperation.problems.server_error"
