"""In a real browser: the Content Security Policy blocks nothing the pages need, the
language switcher works without inline handlers, and an editor signs in through the
throttled login form, hits an edit conflict, and reads the recent changes."""

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from agreements.models import Agreement
from universities.models import Institution

PAGES = ["/", "/institutions/", "/agreements/", "/events/", "/mobility/", "/sources/"]


def test_pages_run_under_the_content_security_policy(page: Page, demo_server):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in [*PAGES, f"/institutions/{Institution.objects.first().pk}/"]:
        page.goto(f"{demo_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert violations == []
    # The language switcher submits on change through static/js/forms.js.
    page.goto(f"{demo_server.url}/agreements/")
    page.select_option("#language", "ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_editor_signs_in_meets_a_conflict_and_reads_recent_changes(
    page: Page, browser, demo_server, screenshot
):
    get_user_model().objects.create_superuser("chief", "chief@example.org", "a-long-pass-phrase")
    agreement = Agreement.objects.order_by("pk").first()
    page.goto(f"{demo_server.url}/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "a-long-pass-phrase")
    page.click("input[type=submit]")
    expect(
        page.get_by_role("link", name="Log out").or_(page.locator("#logout-form"))
    ).to_be_visible()

    url = f"{demo_server.url}/admin/agreements/agreement/{agreement.pk}/change/"
    other = page.context.new_page()
    page.goto(url)
    other.goto(url)
    page.fill("#id_description", "Saved first")
    page.click("input[name=_continue]")
    other.fill("#id_description", "Saved second")
    other.click("input[name=_continue]")
    expect(other.get_by_text("Someone else saved this record after you opened it")).to_be_visible()
    agreement.refresh_from_db()
    assert agreement.description == "Saved first"

    page.goto(f"{demo_server.url}/changes/")
    expect(page.get_by_role("heading", name="Recent changes")).to_be_visible()
    expect(page.get_by_role("cell", name="chief").first).to_be_visible()
    screenshot(page, "recent-changes")
