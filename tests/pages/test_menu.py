"""The main menu marks one item, the page's own: the most specific one
(cooperation.context_processors.current_menu_item), in the main and in the editing menu."""

import re

import pytest

pytestmark = pytest.mark.django_db

CURRENT = re.compile(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>')


def current_items(client, path: str) -> list[tuple[str, str]]:
    page = client.get(path).content.decode()
    menu = page[
        page.index('<nav id="main-nav"') : page.index("</nav>", page.index('id="main-nav"'))
    ]
    return CURRENT.findall(menu)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", [("/", "Dashboard")]),
        ("/mobility/", [("/mobility/", "Mobility")]),
        ("/mobility/scholarships/", [("/mobility/scholarships/", "Scholarships")]),
        ("/agreements/", [("/agreements/", "Agreements")]),
        ("/sources/", [("/sources/", "Sources")]),
        ("/stated-figures/", []),
    ],
)
def test_one_menu_item_is_current_the_most_specific(client, path, expected):
    assert current_items(client, path) == expected


def test_an_editing_page_marks_its_editing_item_only(admin_client_logged):
    # The figures' import lives under /mobility/, the article intake under /sources/: the
    # editing menu's item is the page's, not Mobility or Sources as well.
    assert current_items(admin_client_logged, "/mobility/import/") == [
        ("/agreements/import/", "Import")
    ]
    assert current_items(admin_client_logged, "/sources/intake/") == [
        ("/sources/intake/", "Article intake")
    ]
    assert current_items(admin_client_logged, "/agreements/session/") == [
        ("/agreements/session/", "Signing session")
    ]
    page = admin_client_logged.get("/mobility/import/").content.decode()
    assert '<details class="menu-more" data-current>' in page
    assert '<details class="menu-more" data-current>' not in (
        admin_client_logged.get("/mobility/").content.decode()
    )
