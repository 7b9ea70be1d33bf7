from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.RecentChangesView.as_view(), name="recent_changes"),
]

# Outside the "accounts" namespace, under Django's own names (its templates and e-mails
# reverse "password_reset_confirm", settings.LOGIN_URL names "login"); mounted at /accounts/
# by cooperation.urls, which public read leaves open to anonymous visitors.
password_patterns = [
    path("login/", views.SiteLoginView.as_view(), name="login"),
    path("logout/", views.SiteLogoutView.as_view(), name="logout"),
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path("set-password/done/", views.SetPasswordDoneView.as_view(), name="password_reset_complete"),
]
