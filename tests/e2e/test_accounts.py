"""A visitor logs in from a filtered page, sees their name and role, and logs out back to it."""

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from accounts.services import users_assign_role
from cooperation.roles import MINISTRY_EDITOR


def test_login_round_trip_returns_to_the_filtered_page(page: Page, demo_server, screenshot):
    user = get_user_model().objects.create_user("aigerim", "a@example.org", "a long pass phrase")
    user.first_name, user.last_name = "Aigerim", "Sadykova"
    user.save()
    users_assign_role(user=user, role=MINISTRY_EDITOR)

    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{demo_server.url}/events/?country=AZ")
        page.get_by_role("link", name="Log in").click()
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        expect(page.locator(".site-header")).to_be_visible()  # the site's design, not the admin's
        page.fill("#id_username", "aigerim")
        page.fill("#id_password", "a long pass phrase")
        if width == 1400:
            screenshot(page, "ux-login-1400")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/events/?country=AZ")
        header = page.locator(".site-header .account")
        expect(header).to_contain_text("Aigerim Sadykova")
        expect(header).to_contain_text("ministry editor")
        screenshot(page, f"ux-signed-in-{width}")
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/events/?country=AZ")
        expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_api_docs_lead_back_home(page: Page, demo_server):
    page.goto(f"{demo_server.url}/api/docs/")
    page.get_by_role("link", name="Back to UniBridge").click()
    page.wait_for_url(f"{demo_server.url}/")
    expect(page.locator("h1")).to_contain_text("Academic cooperation")
