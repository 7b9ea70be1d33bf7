"""Signing in from a browser test, as a person would: through the site's login page."""


def sign_in_as_superuser(page, base_url: str, username: str = "root"):
    """A new superuser, signed in on ``page`` through the site's own login page."""
    from django.contrib.auth import get_user_model
    from playwright.sync_api import expect

    password = "a long pass phrase"
    get_user_model().objects.create_superuser(username, f"{username}@example.org", password)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .account")).to_contain_text(username)
    return page
