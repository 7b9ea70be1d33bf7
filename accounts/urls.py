from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.RecentChangesView.as_view(), name="recent_changes"),
]

# Outside the "accounts" namespace, under Django's own names (its templates and e-mails
# reverse "password_reset_confirm"); mounted at /accounts/ by cooperation.urls.
password_patterns = [
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path("set-password/done/", views.SetPasswordDoneView.as_view(), name="password_reset_complete"),
]
