from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

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
