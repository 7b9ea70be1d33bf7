"""axe-core on the public pages, as a reader of each kind opens them, and on the back
office's lists and forms, as a superuser opens them: no violation of WCAG 2.2 A/AA. Pages
with a map or a chart are checked after they have drawn."""

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from universities.models import Institution

PAGES = [
    "/",
    "/institutions/",
    "/institutions/map/",
    "/agreements/",
    "/events/",
    "/mobility/",
    "/mobility/scholarships/",
    "/sources/",
    "/stated-figures/",
]


@pytest.mark.parametrize("path", PAGES)
def test_public_page_has_no_axe_violations(page: Page, demo_server, axe, path):
    page.goto(demo_server.url + path)
    page.wait_for_load_state("networkidle")
    axe(page)


def test_profile_with_its_map_has_no_axe_violations(page: Page, demo_server, axe):
    farabi = Institution.objects.get(name="Al-Farabi Kazakh National University")
    page.goto(demo_server.url + farabi.get_absolute_url())
    page.wait_for_load_state("networkidle")
    axe(page)


# The back office's registers: each one's list, its empty form and the form of a row of the demo.
ADMIN_MODELS = [
    "agreements.Agreement",
    "universities.Institution",
    "events.Event",
    "mobility.ScholarshipProgramme",
    "mobility.MobilityFigure",
    "events.Person",
    "cooperation.Source",
]


@pytest.mark.parametrize("label", ADMIN_MODELS)
def test_the_back_office_lists_and_forms_have_no_axe_violations(
    superuser_page: Page, demo_server, axe, label
):
    page = superuser_page
    model = apps.get_model(label)
    base = f"{demo_server.url}/admin/{model._meta.app_label}/{model._meta.model_name}/"
    row = model.objects.order_by("pk").first()
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for url in (base, f"{base}add/", f"{base}{row.pk}/change/"):
            page.goto(url)
            page.wait_for_load_state("load")
            axe(page)
    add_row = page.locator(".tabular .add-row a")
    if add_row.count():
        # A row added to an inline (its widgets built after the page) is named too.
        rows = page.locator(".tabular tbody tr.form-row:not(.empty-form)")
        before = rows.count()
        add_row.first.click()
        expect(rows).to_have_count(before + 1)
        expect(rows.last.locator("[aria-labelledby]").first).to_be_attached()
        axe(page)
