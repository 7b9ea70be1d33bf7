"""Shared pieces of the security tests: users in each role, a tiny valid PDF, admin forms."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.files import File
from rest_framework.test import APIClient

from accounts.services import users_assign_role


def make_user(username: str, role: str | None = None, institutions=()):
    """A user in ``role`` (None: signed in, no role; "anonymous": no user at all)."""
    if role == "anonymous":
        return None
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw")
    if role is not None:
        users_assign_role(user=user, role=role, institutions=institutions)
    return user


def api_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def admin_form_data(response) -> dict:
    """The POST data of an admin change form as the page shows it, inlines included."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None or isinstance(value, File):
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def tiny_pdf() -> bytes:
    """A one-page PDF made here, with correct cross-reference offsets."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()
