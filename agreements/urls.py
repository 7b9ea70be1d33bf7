from django.urls import path

from . import imports, session, views

app_name = "agreements"
urlpatterns = [
    path("", views.AgreementListView.as_view(), name="agreement_list"),
    path("session/", session.signing_session, name="signing_session"),
    *imports.IMPORTER.urls(),
    path("import-export/", imports.export_view, name="import_export"),
    path("<int:pk>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
]
urlpatterns += [
    path("<int:pk>/document/", views.agreement_document, name="agreement_document"),
]
