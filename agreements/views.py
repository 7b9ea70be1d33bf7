from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cooperation.files import safe_download_name
from cooperation.register_cache import cached_page
from cooperation.roles import scoped_to
from cooperation.views import FilteredListView

from .api import AgreementViewSet
from .choices import AgreementStatus
from .filtersets import AgreementFilterSet
from .lifecycle import can_be_terminated, may_renew, may_terminate, renewal_pending
from .models import Agreement
from .tables import AgreementTable
from .visibility import reads_all_agreements


def lifecycle_links(user, agreement: Agreement) -> list[tuple[str, str]]:
    """The admin's renew and terminate pages, for a user who may use them on this agreement."""
    if not getattr(user, "is_staff", False):
        return []
    links = []
    if renewal_pending(agreement) and may_renew(user, agreement):
        links.append(
            (reverse("admin:agreements_agreement_renew", args=[agreement.pk]), _("Renew…"))
        )
    if can_be_terminated(agreement) and may_terminate(user, agreement):
        links.append(
            (reverse("admin:agreements_agreement_terminate", args=[agreement.pk]), _("Terminate…"))
        )
    return links


class AgreementListView(FilteredListView):
    export_viewset = AgreementViewSet
    filterset_class = AgreementFilterSet
    table_class = AgreementTable
    import_kind = "agreements"  # the import page is offered to those who may import
    title = _("Agreement register")
    description = _(
        "Memoranda, exchange and dual-degree agreements, intergovernmental frameworks and "
        "protocols. Use “expiring within” to see what needs renewing. “In force” means "
        "signed or in effect, started (valid from today or earlier), not past its end date "
        "and not terminated; a renewal that takes effect later is “not yet in force”."
    )

    def get_queryset(self):
        return Agreement.objects.visible_to(self.request.user).with_related()

    # Served from the cache per visibility class until the register changes
    # (cooperation.register_cache): drawing the filter form's menus is most of the page.
    @cached_page
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def offers_drafts(self) -> bool:
        """Whether the filters offer drafts and the public flag to this reader."""
        user = self.request.user
        return reads_all_agreements(user) or scoped_to(user)

    def cache_variant(self) -> str:
        # A university editor without institutions reads the public agreements, as the
        # public does, but is offered the draft filters.
        return "drafts" if self.offers_drafts() else ""

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if not self.offers_drafts():
            # Whoever sees only public agreements has nothing to tell apart, and no drafts
            # (never public) to pick.
            filterset.form.fields.pop("is_public", None)
            for name in ("status", "state"):  # a draft is both a status and a state
                field = filterset.form.fields.get(name)
                if field is not None:
                    field.choices = [c for c in field.choices if c[0] != AgreementStatus.DRAFT]
        return filterset


class AgreementDetailView(TemplateView):
    template_name = "agreements/agreement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = Agreement.objects.visible_to(user)
        # An agreement the reader may not see is a 404, as if it did not exist; so are its
        # hidden relatives left out of the page.
        agreement = get_object_or_404(
            visible.with_related().prefetch_related(
                "sources",
                Prefetch("children", queryset=visible.order_by("title")),
                Prefetch("renewals", queryset=visible.order_by("title")),
                "conditions__sending_institution",
                "conditions__receiving_institution",
                "conditions__subject_areas",
                "scholarship_programmes",
            ),
            pk=self.kwargs["pk"],
        )
        history = agreement.history.select_related("history_user").order_by("-history_date")[:20]
        relatives = {agreement.parent_id, agreement.renews_id} - {None}
        shown = set(visible.filter(pk__in=relatives).values_list("pk", flat=True))
        context.update(
            agreement=agreement,
            object=agreement,
            parent=agreement.parent if agreement.parent_id in shown else None,
            renews=agreement.renews if agreement.renews_id in shown else None,
            history=history,
            lifecycle_links=lifecycle_links(user, agreement),
            breadcrumbs=[
                (reverse("agreements:agreement_list"), _("Agreements")),
                (None, agreement.localized_title()),
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
    agreement = get_object_or_404(
        Agreement.objects.visible_to(request.user).only("pk", "title", "document"), pk=pk
    )
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
