"""Ministry staff import a spreadsheet in the browser: upload, settle a name, import."""

from django.contrib.auth import get_user_model
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from agreements.models import Agreement
from cooperation.roles import MINISTRY_EDITOR
from tests.base import run_worker

from .conftest import axe_violations


def test_upload_settle_an_ambiguous_name_and_import(page: Page, demo_server, tmp_path):
    from accounts.services import users_assign_role

    user = get_user_model().objects.create_user("clerk", "clerk@example.org", "pw")
    users_assign_role(user=user, role=MINISTRY_EDITOR)
    book = Workbook()
    sheet = book.active
    sheet.title = "agreements"
    sheet.append(["Parties", "Kind", "Signed on", "Valid until"])
    sheet.append(["Атырауский государственный университет им. Х.Досмухамедова; "
                  "Бакинский государственный университет", "memorandum", "2026-04-06",
                  "2031-04-05"])  # fmt: skip
    sheet.append(["Almaty Management University; BSU", "exchange", "2026-04-06", None])
    path = tmp_path / "forum.xlsx"
    book.save(path)

    page.goto(f"{demo_server.url}/admin/login/?next=/agreements/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.click("text=Import from a spreadsheet")
    page.set_input_files("input[type=file]", str(path))
    page.click("text=Check the file")

    expect(page.locator("#summary")).to_have_text("2 rows, 1 ready, 1 to choose, 0 with errors")
    expect(page.locator("#row-2")).to_contain_text("Khalel Dosmukhamedov Atyrau University")
    expect(page.locator("#confirm-import")).to_have_count(0)
    choice = page.locator(".import-settle select")
    choice.select_option(label=choice.locator("option", has_text="Baku State").inner_text())
    page.click("text=Apply the choices and check again")
    expect(page.locator("#summary")).to_have_text("2 rows, 2 ready, 0 with errors")
    assert Agreement.objects.filter(title__contains="Almaty Management").count() == 0

    page.click("#confirm-import")
    expect(page.locator(".import-done h2")).to_have_text("2 rows of “forum.xlsx” saved.")
    bsu = Agreement.objects.filter(parties__institution__name="Baku State University")
    assert bsu.filter(parties__institution__name="Almaty Management University").count() == 1


def test_misspelled_names_are_compared_while_the_page_waits(
    page: Page, demo_server, tmp_path, settings, screenshot
):
    """Names the register does not record as written, compared in the background: the
    page says so and how far, and shows the preview by itself once the worker is done."""
    from accounts.services import users_assign_role

    settings.UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST = 0  # every such name in the background
    user = get_user_model().objects.create_user("clerk", "clerk@example.org", "pw")
    users_assign_role(user=user, role=MINISTRY_EDITOR)
    path = tmp_path / "forum.csv"
    path.write_text(
        "parties,kind,signed on\n"
        '"Khalel Dosmuhamedov Atyrau University; Baku State University",memorandum,2026-04-06\n',
        encoding="utf-8",
    )
    page.goto(f"{demo_server.url}/admin/login/?next=/agreements/import/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.set_input_files("input[type=file]", str(path))
    page.click("text=Check the file")

    expect(page.get_by_role("status")).to_contain_text(
        "1 name of the file is not written as the register records it."
    )
    expect(page.get_by_text("Waiting for the background worker.")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "import-names-waiting")

    run_worker()
    expect(page.locator("#summary")).to_have_text("1 row, 1 ready, 0 with errors", timeout=10_000)
    expect(page.locator("#row-2")).to_contain_text("Khalel Dosmukhamedov Atyrau University")
    page.click("#confirm-import")
    expect(page.locator(".import-done h2")).to_have_text("1 row of “forum.csv” saved.")
