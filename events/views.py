from itertools import groupby

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cooperation.models import StatedFigure
from cooperation.views import FilteredListView

from .api import EventViewSet
from .filtersets import EventFilterSet
from .models import Event, Participation
from .tables import EventTable


class EventListView(FilteredListView):
    export_viewset = EventViewSet
    queryset = Event.objects.with_related()
    filterset_class = EventFilterSet
    table_class = EventTable
    template_name = "events/event_list.html"
    title = _("Events")
    description = _("Forums, round tables, signing ceremonies, visits and celebrations.")
    timeline_limit = 300

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.GET.get("view") == "timeline":
            # A timeline is read, not paged: show the most recent events and say so.
            events = list(self.object_list[: self.timeline_limit + 1])
            context["timeline_truncated"] = len(events) > self.timeline_limit
            context["timeline"] = [
                (year, list(items))
                for year, items in groupby(
                    events[: self.timeline_limit],
                    key=lambda e: e.start_date.year if e.start_date else None,
                )
            ]
            context["timeline_limit"] = self.timeline_limit
        return context


class EventDetailView(TemplateView):
    template_name = "events/event_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = get_object_or_404(
            Event.objects.with_related().prefetch_related(
                "sources",
                "organisers",
                Prefetch(
                    "stated_figures", queryset=StatedFigure.objects.prefetch_related("sources")
                ),
                Prefetch(
                    "participations",
                    queryset=Participation.objects.select_related("person", "institution"),
                ),
            ),
            pk=self.kwargs["pk"],
        )
        agreements = event.agreements.visible_to(self.request.user).told_apart()
        context.update(
            event=event,
            object=event,
            agreements=agreements,
            breadcrumbs=[
                (reverse("events:event_list"), _("Events")),
                (None, event.localized_title()),
            ],
        )
        return context
