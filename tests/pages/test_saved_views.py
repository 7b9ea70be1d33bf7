"""Named views (savedviews): an analyst saves a filtered list by name, opens it again from
"My saved views", shares it by link when they choose; a private view's link is nobody
else's; bad input is a message on the page it came from, nothing saved."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from savedviews.models import SavedView
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client):
    user = get_user_model().objects.create_user("analyst", password="x")
    client.force_login(user)
    return user


def save(client, path, query, name, public=False):
    data = {"path": path, "query": query, "name": name}
    if public:
        data["public"] = "on"
    return client.post(reverse("savedviews:save"), data)


def test_save_a_filtered_list_and_open_it_again(client, analyst):
    events = reverse("events:event_list")
    EventFactory(title="Forum in Baku", country="AZ")
    page = client.get(events, {"country": "AZ"})
    assert "Save this view" in page.content.decode()
    response = save(client, events, "country=AZ&page=2&_export=csv", "AZ events")
    assert (
        response.status_code == 303
        and response["Location"] == f"{events}?country=AZ&page=2&_export=csv"
    )
    saved = SavedView.objects.get(owner=analyst)
    assert (saved.name, saved.page, saved.query, saved.public) == (
        "AZ events", "events:event_list", "country=AZ", False,
    )  # fmt: skip
    mine = client.get(reverse("savedviews:list"))
    assert f'href="{events}?country=AZ"' in mine.content.decode()
    opened = client.get(saved.get_absolute_url())
    assert opened.status_code == 302 and opened["Location"] == f"{events}?country=AZ"


def test_a_shared_link_opens_for_anyone_a_private_one_for_its_owner_only(client, analyst):
    explorer = reverse("mobility:mobility_explorer")
    save(client, explorer, "origin=KZ", "KZ outbound", public=True)
    save(client, explorer, "origin=AZ", "AZ outbound")
    shared = SavedView.objects.get(name="KZ outbound")
    private = SavedView.objects.get(name="AZ outbound")
    client.logout()
    assert client.get(shared.get_absolute_url())["Location"] == f"{explorer}?origin=KZ"
    assert client.get(private.get_absolute_url()).status_code == 404
    other = get_user_model().objects.create_user("other", password="x")
    client.force_login(other)
    assert client.get(private.get_absolute_url()).status_code == 404
    # Nor can anyone else delete it.
    assert client.post(reverse("savedviews:delete", args=[private.pk])).status_code == 404
    assert SavedView.objects.filter(pk=private.pk).exists()


def test_bad_input_is_a_message_where_the_user_is_and_nothing_is_saved(client, analyst):
    agreements = reverse("agreements:agreement_list")
    save(client, agreements, "status=signed", "Signed")
    response = save(client, agreements, "status=draft", "Signed")  # the same name again
    assert response.status_code == 303 and response["Location"].startswith(agreements)
    page = client.get(response["Location"])
    assert "You already have a view of that name." in page.content.decode()
    assert client.get(reverse("savedviews:list")).context["saved_views"].count() == 1
    # A page that is not a list, or another site, is refused.
    save(client, "/admin/", "", "Admin")
    save(client, "https://evil.example/", "", "Elsewhere")
    save(client, agreements, "", "")
    assert SavedView.objects.count() == 1


def test_anonymous_readers_are_offered_no_save_and_cannot_post(client):
    page = client.get(reverse("events:event_list"))
    assert "Save this view" not in page.content.decode()
    response = client.post(reverse("savedviews:save"), {"path": "/events/", "name": "x"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert SavedView.objects.count() == 0


def test_delete_a_saved_view(client, analyst):
    save(client, reverse("events:event_list"), "", "All events")
    saved = SavedView.objects.get()
    response = client.post(reverse("savedviews:delete", args=[saved.pk]))
    assert response.status_code == 303
    assert not SavedView.objects.exists()
