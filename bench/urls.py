"""The project's URLs plus /bench/bare/, a view that renders nothing and reads nothing."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("cooperation.urls")),
]
