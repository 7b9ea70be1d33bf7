"""The partner maps draw in the browser from what the app serves: Leaflet, the country
shapes, the points and the legend, with no request leaving the server."""

from urllib.parse import urlparse

from playwright.sync_api import Page, expect

from universities.models import Institution


def test_a_profile_draws_its_partners_on_a_map_served_by_the_app(page: Page, demo_server):
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlparse(request.url).hostname not in ("localhost", "127.0.0.1")
            and not request.url.startswith("data:")
            else None
        ),
    )
    farabi = Institution.objects.get(name="Al-Farabi Kazakh National University")
    with page.expect_response(lambda response: "countries-50m" in response.url) as shapes:
        page.goto(demo_server.url + farabi.get_absolute_url())
    assert shapes.value.status == 200
    section = page.locator("section", has=page.get_by_role("heading", name="Partners on a map"))
    expect(section.locator(".leaflet-container")).to_be_visible()
    expect(section.locator(".map-legend")).to_contain_text("Kazakhstan")
    # Drawn: the country shapes are a layer of the map (canvas or SVG paths).
    expect(
        section.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane path").first
    ).to_be_attached()
    expect(section.get_by_role("button", name="Zoom in")).to_be_visible()
    assert outside == []
