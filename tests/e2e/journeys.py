"""A user's journey counted as the user does it: every click (or tap) and every key. Journey
tests act only through ``Journey``, so that what they count is all the user did; reaching the
start page (a bookmark) and signing in are not counted."""

from playwright.sync_api import Locator, Page


class Journey:
    def __init__(self, page: Page, start: str) -> None:
        self.page = page
        self.clicks = 0
        self.keys = 0
        page.goto(start)

    def click(self, target: Locator) -> None:
        target.click()
        self.clicks += 1

    def type(self, field: Locator, text: str) -> None:
        """Click into a field and type ``text``, key by key."""
        self.click(field)
        self.page.keyboard.type(text)
        self.keys += len(text)

    def paste(self, field: Locator, text: str) -> None:
        """Click into a field and paste ``text`` copied from elsewhere (Ctrl+V: two keys)."""
        self.click(field)
        field.fill(text)
        self.keys += 2

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def select(self, field: Locator, value: str) -> None:
        """Pick in a drop-down list: open it, pick the option (two clicks)."""
        field.select_option(value)
        self.clicks += 2

    def __str__(self) -> str:
        return f"{self.clicks} clicks, {self.keys} keys"
