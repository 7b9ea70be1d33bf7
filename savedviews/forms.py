from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .models import NOT_SAVED, SavedView, page_of


class SaveViewForm(forms.Form):
    """What the "Save this view" form on a list page posts: a name, the page's path and
    query string, and whether the link is open to anyone."""

    name = forms.CharField(label=_("Name"), max_length=120, strip=True)
    path = forms.CharField(widget=forms.HiddenInput, max_length=300)
    query = forms.CharField(widget=forms.HiddenInput, max_length=2000, required=False)
    public = forms.BooleanField(label=_("Anyone with the link may open it"), required=False)

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean_path(self) -> str:
        path = self.cleaned_data["path"]
        if not page_of(path):
            raise forms.ValidationError(_("Only a list, the explorer or the map can be saved."))
        return path

    def clean_query(self) -> str:
        query = QueryDict(self.cleaned_data.get("query") or "", mutable=True)
        for name in NOT_SAVED:
            query.pop(name, None)
        return query.urlencode()

    def clean(self):
        data = super().clean()
        name = data.get("name")
        if name and SavedView.objects.filter(owner=self.owner, name=name).exists():
            self.add_error("name", _("You already have a view of that name."))
        return data

    def save(self) -> SavedView:
        data = self.cleaned_data
        return SavedView.objects.create(
            owner=self.owner,
            name=data["name"],
            page=page_of(data["path"]),
            query=data["query"],
            public=data["public"],
        )
