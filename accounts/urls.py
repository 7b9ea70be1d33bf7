from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.RecentChangesView.as_view(), name="recent_changes"),
]
