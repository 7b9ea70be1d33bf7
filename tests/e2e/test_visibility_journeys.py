"""In a real browser: a non-public agreement is absent for a visitor and marked for an
analyst; the admin filters and publishes by the public flag; the object history page runs
under the Content Security Policy without a single violation."""

from playwright.sync_api import Page, expect

from accounts.services import roles_sync, users_assign_role
from agreements.models import Agreement, CooperationArea
from cooperation.roles import ANALYST


def sign_in(page: Page, server, username: str, password: str) -> None:
    page.goto(f"{server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#logout-form")).to_be_visible()


def csp_violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_hidden_agreement_for_visitor_and_analyst(
    page: Page, browser, demo_server, django_user_model, screenshot
):
    hidden = Agreement.objects.get(kind="protocol")
    hidden.is_public = False
    hidden.save()
    visitor = page
    visitor.goto(f"{demo_server.url}/agreements/")
    expect(visitor.get_by_role("heading", name="Agreement register")).to_be_visible()
    expect(visitor.get_by_role("link", name=hidden.title)).to_have_count(0)
    screenshot(visitor, "register-anonymous")
    assert visitor.goto(f"{demo_server.url}{hidden.get_absolute_url()}").status == 404

    analyst = django_user_model.objects.create_user("analyst", "a@example.org", "a-long-pass")
    roles_sync()  # an earlier browser test may have flushed the groups the migration made
    users_assign_role(user=analyst, role=ANALYST)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    signed_in = context.new_page()
    sign_in(signed_in, demo_server, "analyst", "a-long-pass")
    signed_in.goto(f"{demo_server.url}/agreements/")
    row = signed_in.get_by_role("row").filter(has_text=hidden.title)
    expect(row).to_be_visible()
    expect(row.get_by_text("not public")).to_be_visible()
    screenshot(signed_in, "register-analyst")
    context.close()


def test_admin_public_filter_and_history_page_under_csp(
    page: Page, demo_server, django_user_model, screenshot
):
    django_user_model.objects.create_superuser("chief", "chief@example.org", "a-long-pass-phrase")
    violations = csp_violations(page)
    sign_in(page, demo_server, "chief", "a-long-pass-phrase")
    agreement = Agreement.objects.get(kind="protocol")

    page.goto(f"{demo_server.url}/admin/agreements/agreement/")
    page.locator(f"input[name=_selected_action][value='{agreement.pk}']").check()
    page.select_option("select[name=action]", "withdraw")
    page.click("button[name=index]")
    expect(page.get_by_text("1 agreement is now shown to signed-in staff only.")).to_be_visible()
    page.goto(f"{demo_server.url}/admin/agreements/agreement/?is_public__exact=0")
    expect(page.get_by_role("link", name=agreement.title)).to_be_visible()
    screenshot(page, "admin-public-filter")

    # A few more versions, the areas changed among them.
    CooperationArea.objects.get_or_create(code="joint_research")
    page.goto(f"{demo_server.url}/admin/agreements/agreement/{agreement.pk}/change/")
    page.locator("input[name=areas]").first.check()
    page.fill("#id_description", "Second version")
    page.click("input[name=_continue]")
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    page.goto(f"{demo_server.url}/admin/agreements/agreement/{agreement.pk}/history/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#change-history, table").first).to_be_visible()
    expect(page.locator("p.history-paginator")).to_have_count(1)
    assert page.locator("[style]").count() == 0
    screenshot(page, "history-page")
    assert violations == []
