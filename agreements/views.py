from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cooperation.files import safe_download_name
from cooperation.views import FilteredListView

from .filtersets import AgreementFilterSet
from .models import Agreement
from .tables import AgreementTable


class AgreementListView(FilteredListView):
    queryset = Agreement.objects.with_related()
    filterset_class = AgreementFilterSet
    table_class = AgreementTable
    title = _("Agreement register")
    description = _(
        "Memoranda, exchange and dual-degree agreements, intergovernmental frameworks and "
        "protocols. Use “expiring within” to see what needs renewing."
    )


class AgreementDetailView(TemplateView):
    template_name = "agreements/agreement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement = get_object_or_404(
            Agreement.objects.with_related().prefetch_related(
                "sources",
                "children",
                "renewals",
                "conditions__sending_institution",
                "conditions__receiving_institution",
                "conditions__subject_areas",
                "scholarship_programmes",
            ),
            pk=self.kwargs["pk"],
        )
        history = agreement.history.select_related("history_user").order_by("-history_date")[:20]
        context.update(
            agreement=agreement,
            object=agreement,
            history=history,
            breadcrumbs=[
                (reverse("agreements:agreement_list"), _("Agreements")),
                (None, agreement.title),
            ],
        )
        return context


def agreement_document(request, pk: int):
    """The signed scan of an agreement, to users who may read agreements (a role), as an
    attachment with a name made from the title: never rendered inline by the browser."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("agreements.view_agreement"):
        raise PermissionDenied
    agreement = get_object_or_404(Agreement.objects.only("pk", "title", "document"), pk=pk)
    if not agreement.document:
        raise Http404(_("This agreement has no signed document."))
    try:
        handle = agreement.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The signed document is missing from the archive.")) from exc
    name = safe_download_name(f"agreement-{agreement.pk}-{agreement.title}")
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
