"""The API: one router for every resource, the OpenAPI schema and its documentation pages."""

from csp.decorators import csp_update
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from accounts.views import ObtainExpiringAuthToken
from agreements.api import AgreementViewSet
from agreements.imports import IMPORTER as AGREEMENT_IMPORTER
from events.api import EventViewSet, PersonViewSet
from intake.api import ExtractView
from mobility.api import MobilityFigureViewSet, ScholarshipProgrammeViewSet
from mobility.imports import IMPORTER as FIGURE_IMPORTER
from universities.api import InstitutionViewSet

from .deletions import DeletionsView
from .import_api import import_api_view
from .problems import api_fallback
from .search_api import SearchView
from .viewsets import ExportJobViewSet, SourceViewSet, StatedFigureViewSet

app_name = "api"
DOCS_CSP = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})

router = DefaultRouter()
router.include_format_suffixes = False
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("people", PersonViewSet, basename="person")
router.register("events", EventViewSet, basename="event")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("scholarships", ScholarshipProgrammeViewSet, basename="scholarship")
router.register("mobility-figures", MobilityFigureViewSet, basename="mobility-figure")
router.register("stated-figures", StatedFigureViewSet, basename="stated-figure")
router.register("sources", SourceViewSet, basename="source")

# The deletions feed names each resource as its address does (``agreements``).
DeletionsView.resources = {
    prefix: viewset.queryset.model for prefix, viewset, _basename in router.registry
}

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The documentation pages' bundles inject their own <style> tags: only these two pages
    # allow inline styles. Swagger UI's start-up script is served as a file (split view),
    # so no page allows inline scripts.
    path(
        "docs/",
        DOCS_CSP(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    path(
        "redoc/",
        DOCS_CSP(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    path("deletions/", DeletionsView.as_view(), name="deletions"),
    path("search/", SearchView.as_view(), name="search"),
    path("auth/token/", ObtainExpiringAuthToken.as_view(), name="token"),
    # Before the router, whose detail routes would take "import" for an id.
    path(
        "agreements/import/",
        import_api_view(AGREEMENT_IMPORTER, summary=_("Import agreements from a spreadsheet")),
        name="agreement-import",
    ),
    path(
        "mobility-figures/import/",
        import_api_view(FIGURE_IMPORTER, summary=_("Import mobility figures from a spreadsheet")),
        name="mobility-figure-import",
    ),
    path("sources/extract/", ExtractView.as_view(), name="source-extract"),
    # Not a register resource: exports being written in the background (cooperation.export_jobs).
    path(
        "exports/<uuid:pk>/",
        ExportJobViewSet.as_view({"get": "retrieve"}),
        name="export-job-detail",
    ),
    path(
        "exports/<uuid:pk>/file/", ExportJobViewSet.as_view({"get": "file"}), name="export-job-file"
    ),
    *router.urls,
    # Last: unknown addresses answer a JSON 404; a write without the slash is served.
    re_path(r"^.*$", api_fallback, name="not-found"),
]
