"""Ministry staff enter a whole signing session in the browser: paste, fix, save, see."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.base import run_worker
from universities.models import Institution

from .conftest import axe_violations


def session_rows(count: int) -> list[str]:
    """Semicolon-separated rows between KZ and AZ institutions of the demo register, the
    Kazakh side written by its Russian label where it has one."""
    kz = list(Institution.objects.filter(country="KZ").prefetch_related("names")[:count])
    az = list(Institution.objects.filter(country="AZ")[:count])
    rows = []
    for i, (a, b) in enumerate(zip(kz, az, strict=False)):
        ru = next((n.name for n in a.names.all() if n.language == "ru" and n.kind == "label"), "")
        rows.append(f"{ru or a.name};{b.name};;exchange;2026-04-06;2031-04-05;Rector {i}")
    return rows


def test_staff_paste_twenty_rows_fix_one_and_save(page: Page, demo_server, screenshot):
    get_user_model().objects.create_superuser("clerk", "clerk@example.org", "pw")
    rows = session_rows(20)
    assert len(rows) == 20
    # One mistake: the validity ends before it starts.
    rows[7] = rows[7].replace("2031-04-05", "2021-04-05")

    page.goto(f"{demo_server.url}/admin/login/?next=/agreements/session/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url("**/agreements/session/")

    page.fill("#id_new_event_title", "Third Forum of Rectors of Kazakhstan and Azerbaijan")
    page.select_option("#id_new_event_kind", "forum")
    page.fill("#id_new_event_date", "2026-04-06")
    page.fill("#id_new_event_city", "Baku")
    page.select_option("#id_new_event_country", "AZ")
    page.check("input[name=areas][value=student_exchange]")
    page.fill("#id_rows", "\n".join(rows))
    page.keyboard.press("Tab")
    page.click("button[name=check]")

    expect(page.locator("#summary")).to_have_text("20 rows: 19 ready, 0 ambiguous, 1 with errors")
    expect(page.locator("#row-8")).to_contain_text("error")
    expect(page.locator(".row-errors")).to_contain_text("cannot be before")
    expect(page.locator("#save-all")).to_have_count(0)  # nothing can be saved yet
    screenshot(page, "signing-session")

    # Fix the one line in the textarea and check again.
    text = page.input_value("#id_rows").replace("2021-04-05", "2031-04-05")
    page.fill("#id_rows", text)
    page.click("button[name=check]")
    expect(page.locator("#summary")).to_have_text("20 rows: 20 ready, 0 ambiguous, 0 with errors")

    page.click("#save-all")
    expect(page.locator(".messages")).to_contain_text("20 agreements saved.")
    expect(page).to_have_url(re.compile(r"/events/\d+/$"))
    expect(page.locator("h1")).to_contain_text("Third Forum of Rectors")
    expect(page.get_by_text(re.compile(r"Agreements signed here\s+20"))).to_be_visible()


def test_misspelled_names_are_compared_then_the_lines_checked_by_themselves(
    page: Page, demo_server, settings, screenshot
):
    settings.UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST = 0  # every such name in the background
    get_user_model().objects.create_superuser("clerk", "clerk@example.org", "pw")
    assert Institution.objects.filter(name="Khalel Dosmukhamedov Atyrau University").exists()
    misspelled = "Khalel Dosmuhamedov Atyrau University"
    page.goto(f"{demo_server.url}/admin/login/?next=/agreements/session/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url("**/agreements/session/")
    page.select_option("#id_event", index=1)
    page.fill("#id_rows", f"{misspelled};Baku State University;;exchange;2026-04-06;2031-04-05")
    page.click("button[name=check]")

    expect(page.get_by_role("status")).to_contain_text(
        "1 name of these lines is not written as the register records it."
    )
    assert axe_violations(page) == []
    screenshot(page, "signing-session-names-waiting")
    run_worker()
    # The page sends its lines again by itself once the name is compared.
    expect(page.locator("#summary")).to_contain_text("1 row", timeout=10_000)
    expect(page.locator("#name-search")).to_have_count(0)
    expect(page.locator("#id_rows")).to_have_value(re.compile(re.escape(misspelled)))
