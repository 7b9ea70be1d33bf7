import datetime
from collections import defaultdict

from django.db.models import F, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cooperation.views import FilteredListView

from .filtersets import InstitutionFilterSet
from .models import Institution
from .tables import InstitutionTable

EXPIRING_DAYS = 180


class InstitutionListView(FilteredListView):
    queryset = Institution.objects.with_counts().prefetch_related("names")
    filterset_class = InstitutionFilterSet
    table_class = InstitutionTable
    title = _("Institutions")
    description = _(
        "Universities, academies and other bodies that sign agreements. Search any name in "
        "any script: “Атырауский”, “Atyrau” and “Атырау” find the same university."
    )


class InstitutionDetailView(TemplateView):
    """The profile a rector opens: names, facts, partners, agreements, events, mobility."""

    template_name = "universities/institution_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        institution = get_object_or_404(
            Institution.objects.select_related("parent", "merged_into").prefetch_related(
                "names", "sources", "branches"
            ),
            pk=self.kwargs["pk"],
        )
        today = timezone.localdate()
        # Every agreement of the institution with all its parties, in three queries.
        party_model = institution.parties.model  # declared by the agreements app, above
        parties = (
            institution.parties.select_related("agreement", "agreement__event")
            .prefetch_related(
                Prefetch(
                    "agreement__parties",
                    queryset=party_model.objects.select_related("institution").prefetch_related(
                        "institution__names"
                    ),
                )
            )
            .order_by(F("agreement__signed_on").desc(nulls_last=True))
        )
        agreements = [party.agreement for party in parties]
        groups = {"active": [], "expiring": [], "ended": []}
        partners: dict[int, dict] = defaultdict(lambda: {"agreements": []})
        soon = today + datetime.timedelta(days=EXPIRING_DAYS)
        for agreement in agreements:
            ended = agreement.status in ("expired", "terminated") or (
                agreement.valid_until is not None and agreement.valid_until < today
            )
            if ended:
                groups["ended"].append(agreement)
            elif agreement.valid_until is not None and agreement.valid_until <= soon:
                groups["expiring"].append(agreement)
            else:
                groups["active"].append(agreement)
            for party in agreement.parties.all():
                if party.institution_id != institution.pk:
                    partners[party.institution_id]["institution"] = party.institution
                    partners[party.institution_id]["agreements"].append(agreement)
        events = (
            institution.hosted_events.model.objects.filter(
                Q(host_institution=institution)
                | Q(organisers=institution)
                | Q(participations__institution=institution)
                | Q(agreements__parties__institution=institution)
            )
            .distinct()
            .order_by("-start_date")
        )
        figures = (
            institution.inbound_figures.model.objects.filter(
                Q(home_institution=institution) | Q(host_institution=institution)
            )
            .select_related("source", "home_institution", "host_institution")
            .order_by("-year")
        )
        scholarships = (
            institution.hosted_scholarships.model.objects.filter(
                Q(host_institution=institution) | Q(funder_institution=institution)
            )
            .prefetch_related("allocations")
            .order_by("name")
        )
        names = sorted(
            institution.names.all(), key=lambda n: (n.kind != "label", n.kind, n.language, n.name)
        )
        context.update(
            institution=institution,
            object=institution,
            names=names,
            agreement_groups=groups,
            agreement_count=len(agreements),
            partners=sorted(
                partners.values(), key=lambda p: (-len(p["agreements"]), p["institution"].name)
            ),
            events=list(events),
            figures=list(figures),
            scholarships=list(scholarships),
            expiring_days=EXPIRING_DAYS,
            breadcrumbs=[
                (reverse("universities:institution_list"), _("Institutions")),
                (None, institution.localized_name()),
            ],
        )
        return context
