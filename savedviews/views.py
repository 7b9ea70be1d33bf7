from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from .forms import SaveViewForm
from .models import SavedView


class SavedViewListView(LoginRequiredMixin, ListView):
    """The views a user saved, with their links."""

    template_name = "savedviews/list.html"
    context_object_name = "saved_views"

    def get_queryset(self):
        return SavedView.objects.filter(owner=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("My saved views")
        return context


class SaveView(LoginRequiredMixin, View):
    """Save the page the form was on, by name; back to it, saying where the view is kept."""

    def post(self, request):
        form = SaveViewForm(request.POST, owner=request.user)
        back = request.POST.get("path", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("savedviews:list")
        if request.POST.get("query"):
            back = f"{back}?{request.POST['query']}"
        if not form.is_valid():
            for field, errors in form.errors.items():
                for error in errors:
                    label = form.fields[field].label if field in form.fields else ""
                    messages.error(request, f"{label}: {error}" if label else error)
            return HttpResponseRedirect(back, status=303)
        saved = form.save()
        if saved.public:
            messages.success(
                request,
                _("Saved as “%(name)s”. Anyone with this link opens it: %(link)s")
                % {
                    "name": saved.name,
                    "link": request.build_absolute_uri(saved.get_absolute_url()),
                },
            )
        else:
            messages.success(
                request, _("Saved as “%(name)s”, under My saved views.") % {"name": saved.name}
            )
        return HttpResponseRedirect(back, status=303)


class DeleteSavedView(LoginRequiredMixin, View):
    def post(self, request, pk):
        saved = get_object_or_404(SavedView, pk=pk, owner=request.user)
        saved.delete()
        messages.success(request, _("“%(name)s” deleted.") % {"name": saved.name})
        return HttpResponseRedirect(reverse("savedviews:list"), status=303)


class OpenSavedView(View):
    """A saved view's link: its page with its filters, for its owner or, when public,
    anyone; a private view is not found by anyone else."""

    def get(self, request, token):
        saved = SavedView.objects.filter(token=token).first()
        if saved is None or not (saved.public or saved.owner_id == request.user.pk):
            raise Http404(_("No saved view has this link, or it is not shared."))
        return HttpResponseRedirect(saved.target_url())
