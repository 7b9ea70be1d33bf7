"""axe-core on the public pages, as a reader of each kind opens them: no violation of
WCAG 2.1 A/AA. Pages with a map or a chart are checked after they have drawn."""

import pytest
from playwright.sync_api import Page

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
    violations = axe(page)
    assert not violations, "\n".join(violations)


def test_profile_with_its_map_has_no_axe_violations(page: Page, demo_server, axe):
    farabi = Institution.objects.get(name="Al-Farabi Kazakh National University")
    page.goto(demo_server.url + farabi.get_absolute_url())
    page.wait_for_load_state("networkidle")
    violations = axe(page)
    assert not violations, "\n".join(violations)
