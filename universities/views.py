from collections import defaultdict

from django.db.models import F, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cooperation.charts import PALETTE
from cooperation.register_cache import cached_page
from cooperation.sql import id_in
from cooperation.views import FilteredListView

from .api import InstitutionViewSet
from .filtersets import InstitutionFilterSet
from .maps import MAP_MAX_POINTS, map_payload
from .models import Institution
from .tables import InstitutionTable

# Rows listed per section of a profile; the rest is one click away in the filtered list.
PROFILE_LIMIT = 50
PARTNER_AGREEMENTS = 3  # agreements named per partner; the count says how many more


class InstitutionListView(FilteredListView):
    template_name = "universities/institution_list.html"
    export_viewset = InstitutionViewSet
    filterset_class = InstitutionFilterSet
    table_class = InstitutionTable
    title = _("Institutions")
    description = _(
        "Universities, academies and other bodies that sign agreements. Search any name in "
        "any script: “Атырауский”, “Atyrau” and “Атырау” find the same university."
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for name in ("page", "sort", self.per_page_param, self.export_trigger_param):
            query.pop(name, None)
        context["map_query"] = query.urlencode()  # the map of the rows these filters select
        return context

    def get_queryset(self):
        # Counts of the agreements this reader may see: hidden ones never show in a number;
        # computed for the page's rows only (InstitutionQuerySet.with_counts).
        return Institution.objects.with_counts(reader=self.request.user).prefetch_related("names")

    # Pages come from the cache per visibility class until the register changes
    # (cooperation.register_cache): the live counts of 50 rows cost 0.6 s at 500,000
    # agreements (bench/RESULTS.md, scenario 6).
    @cached_page
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# Countries named one by one in the partners-by-country chart; the rest are "other".
CHART_COUNTRIES = 8


def profile_charts(per_year: dict[int, int], by_country: list[tuple[str, int]]) -> dict:
    """The profile's two charts, each also a table for screen readers and print: the
    agreements (those the reader may see) signed per year, and the partners per country."""
    from django_countries import countries

    names = dict(countries)
    shown = by_country[:CHART_COUNTRIES]
    rest = sum(n for _code, n in by_country[CHART_COUNTRIES:])
    country_rows = [(str(names.get(code, code)), n) for code, n in shown]
    if rest:
        country_rows.append((str(_("Other countries")), rest))
    years = sorted(per_year)

    def chart(label, rows, horizontal=False) -> dict:
        return {
            "label": str(label),
            "colour": PALETTE[0],
            "labels": [row_label for row_label, _value in rows],
            "values": [value for _row_label, value in rows],
            "rows": rows,
            "horizontal": horizontal,
        }

    return {
        "per_year": chart(_("Agreements signed"), [(str(y), per_year[y]) for y in years]),
        "by_country": chart(_("Partner institutions"), country_rows, horizontal=True),
    }


class InstitutionMapView(TemplateView):
    """The directory's institutions on a map: the rows the directory's filters select (its
    query string), at most MAP_MAX_POINTS of them, in the directory's order."""

    template_name = "universities/institution_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = InstitutionFilterSet(
            self.request.GET,
            queryset=Institution.objects.all(),
            request=self.request,
        )
        valid = filterset.is_valid()
        institutions = filterset.qs if valid else Institution.objects.none()
        shown = list(institutions.prefetch_related("names").order_by("name", "pk")[:MAP_MAX_POINTS])
        total = len(shown) if len(shown) < MAP_MAX_POINTS else institutions.count()
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=_("Institutions on a map"),
            filter=filterset,
            map=map_payload(shown, total=total),
            list_url=f"{reverse('universities:institution_list')}?{query.urlencode()}",
            breadcrumbs=[
                (reverse("universities:institution_list"), _("Institutions")),
                (None, _("Map")),
            ],
        )
        return context


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
        # Parties, agreements, events and figures are declared by the apps above this one:
        # reach their models through the reverse relations rather than importing upwards.
        party_model = institution.parties.model
        agreement_model = party_model._meta.get_field("agreement").related_model
        event_model = institution.hosted_events.model
        figure_model = institution.inbound_figures.model

        # A hub signs with thousands of partners (bench/RESULTS.md, scenario 4). The page
        # reads the institution's agreements and their other parties once each, as a few
        # columns, counts and sorts them here, and lists PROFILE_LIMIT rows per section with
        # a link to the filtered list for the rest. Every extra query over a hub's 13,000
        # agreements cost 100-300 ms; window functions and GROUP BY in SQL were slower still.
        # Only the agreements this reader may see; partners and events are derived from
        # them, so a hidden agreement leaves no trace on the profile. Their states are the
        # agreements' own (AgreementQuerySet.with_state), computed by the database.
        rows = (
            agreement_model.objects.visible_to(self.request.user)
            .filter(parties__institution=institution)
            .with_state(today=today)
            .order_by()  # sorted here: the model's order made PostgreSQL sort 13,000 rows
            .values_list("pk", "state", "expiring", "signed_on", "event_id")
        )
        grouped: dict[str, list[int]] = {"active": [], "expiring": [], "upcoming": [], "ended": []}
        newest_first: dict[int, tuple] = {}
        event_ids = set()
        signed_per_year: dict[int, int] = defaultdict(int)
        state_of = agreement_model.State
        for pk, state, expiring, signed_on, event_id in rows:
            if state == state_of.IN_FORCE:
                grouped["expiring" if expiring else "active"].append(pk)
            elif state == state_of.ENDED:
                grouped["ended"].append(pk)
            else:  # not yet in force, or a draft
                grouped["upcoming"].append(pk)
            # Newest first, undated last, as the register lists them.
            newest_first[pk] = (signed_on is None, -(signed_on or today).toordinal(), -pk)
            if event_id is not None:
                event_ids.add(event_id)
            if signed_on is not None:
                signed_per_year[signed_on.year] += 1
        shown_ids = {
            name: sorted(pks, key=newest_first.__getitem__)[:PROFILE_LIMIT]
            for name, pks in grouped.items()
        }

        # The other parties of those agreements: an IN subquery on the parties alone, which
        # the (institution, agreement) index and the unique (agreement, institution) one
        # answer without reading a single agreement row.
        partner_rows = (
            party_model.objects.filter(agreement__in=institution.parties.values("agreement"))
            .exclude(institution=institution)
            # Unordered: Party's default order needs its id, which is not in the unique
            # index, so PostgreSQL read every party row instead of the index alone.
            .order_by()
            .values_list("institution", "agreement")
        )
        by_partner: dict[int, list[int]] = defaultdict(list)
        for partner_pk, agreement_pk in partner_rows:
            if agreement_pk in newest_first:  # one the reader may see
                by_partner[partner_pk].append(agreement_pk)
        top = sorted(by_partner, key=lambda pk: (-len(by_partner[pk]), pk))[:PROFILE_LIMIT]
        linked = {
            pk: sorted(by_partner[pk], key=newest_first.__getitem__)[:PARTNER_AGREEMENTS]
            for pk in top
        }

        wanted = {pk for ids in (*shown_ids.values(), *linked.values()) for pk in ids}
        by_pk = agreement_model.objects.told_apart().in_bulk(wanted)
        groups = {
            name: {"agreements": [by_pk[pk] for pk in ids], "count": len(grouped[name])}
            for name, ids in shown_ids.items()
        }
        partner_institutions = Institution.objects.prefetch_related("names").in_bulk(top)
        partners = sorted(
            (
                {
                    "institution": partner_institutions[pk],
                    "agreements": [by_pk[agreement] for agreement in linked[pk]],
                    "agreement_count": len(by_partner[pk]),
                    "more": len(by_partner[pk]) - len(linked[pk]),
                }
                for pk in top
            ),
            key=lambda partner: (-partner["agreement_count"], partner["institution"].name),
        )

        # The events it hosted, organised or took part in, and those of its agreements: the
        # ids from three indexed reads in one query, then the newest by primary key (an OR
        # of subqueries scanned all 50,000 events twice, for the list and its count).
        participation_model = event_model.participations.rel.related_model
        organisers = event_model.organisers.through.objects.filter(institution=institution)
        event_ids.update(
            event_model.objects.filter(host_institution=institution)
            .order_by()
            .values_list("pk", flat=True)
            .union(
                organisers.order_by().values_list("event", flat=True),
                participation_model.objects.filter(institution=institution)
                .order_by()
                .values_list("event", flat=True),
            )
        )
        events = event_model.objects.filter(
            id_in("pk", event_ids, using=event_model.objects.db)
        ).order_by(F("start_date").desc(nulls_last=True), "pk")
        figures = (
            figure_model.objects.filter(
                Q(home_institution=institution) | Q(host_institution=institution)
            )
            .select_related("source", "home_institution", "host_institution")
            .order_by("-year", "pk")
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
        # Its partners on a map (universities.maps): the PROFILE_LIMIT partners listed, each
        # linked to it by the number of agreements they share.
        partner_map = map_payload(
            [institution, *(partner["institution"] for partner in partners)],
            [(institution.pk, p["institution"].pk, p["agreement_count"]) for p in partners],
            focus=institution.pk,
            countries=[str(institution.country)],
        )
        context.update(
            institution=institution,
            object=institution,
            partner_map=partner_map,
            profile_charts=profile_charts(
                signed_per_year,
                # Looked up by primary key, however many partners a hub has.
                Institution.objects.filter(
                    id_in("pk", list(by_partner), using=Institution.objects.db)
                ).count_by_country(),
            ),
            names=names,
            agreement_groups=groups,
            agreement_count=len(newest_first),
            partners=partners,
            partner_count=len(by_partner),
            events=list(events[:PROFILE_LIMIT]),
            event_count=len(event_ids),
            figures=list(figures[:PROFILE_LIMIT]),
            figure_count=figures.count(),
            profile_limit=PROFILE_LIMIT,
            scholarships=list(scholarships),
            expiring_days=agreement_model.expiring_days(),
            breadcrumbs=[
                (reverse("universities:institution_list"), _("Institutions")),
                (None, institution.localized_name()),
            ],
        )
        return context
