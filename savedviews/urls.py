from django.urls import path

from . import views

app_name = "savedviews"
urlpatterns = [
    path("", views.SavedViewListView.as_view(), name="list"),
    path("save/", views.SaveView.as_view(), name="save"),
    path("<int:pk>/delete/", views.DeleteSavedView.as_view(), name="delete"),
    path("v/<str:token>/", views.OpenSavedView.as_view(), name="open"),
]
