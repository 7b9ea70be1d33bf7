from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("", views.AgreementListView.as_view(), name="agreement_list"),
    path("<int:pk>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
]
