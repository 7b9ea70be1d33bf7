"""Bad input on the intake page and the API: a clear message where the person is, nothing
saved."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from cooperation.models import Source
from intake.readers import MAX_FILE_BYTES, MAX_TEXT_CHARS
from tests.base import token_client

from .conftest import article

pytestmark = pytest.mark.django_db
URL = reverse("intake:article_intake")
API = "/api/sources/extract/"

GERMAN = (
    "Die Universität Wien und die Technische Universität München haben gestern eine "
    "Vereinbarung über den Austausch von Studierenden unterzeichnet. Mehr als 40 "
    "Studierende werden jedes Jahr an der Partneruniversität studieren, teilte der Rektor mit."
)
IRRELEVANT = (
    "The weather in the capital will stay warm this week, with light winds from the south. "
    "Forecasters expect rain on the weekend and advise drivers to take care on the roads."
)


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxml'
        f'formats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


CASES = [
    ("empty", {"text": "   \n "}, "text", "The article is empty"),
    ("too long", {"text": "a" * (MAX_TEXT_CHARS + 1)}, "text", "The text is too long"),
    (
        "binary named .txt",
        {"file": ("article.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)},
        "file",
        "binary data",
    ),
    ("pdf without text", {"file": ("scan.pdf", blank_pdf())}, "file", "holds no text"),
    (
        "file too large",
        {"file": ("big.txt", b"a" * (MAX_FILE_BYTES + 1))},
        "file",
        "The file is too large",
    ),
    ("other extension", {"file": ("photo.png", b"abc")}, "file", "reads .txt, .html"),
    ("other language", {"text": GERMAN}, "text", "not in Russian, English, Kazakh"),
    ("nothing relevant", {"text": IRRELEVANT}, "text", "names no"),
]


def as_post(data: dict) -> dict:
    if "file" in data:
        name, content = data["file"]
        return {"file": SimpleUploadedFile(name, content)}
    return data


@pytest.mark.parametrize(("case", "data", "field", "message"), CASES, ids=[c[0] for c in CASES])
def test_page_says_why_and_saves_nothing(client, register, ministry, case, data, field, message):
    client.force_login(ministry)
    response = client.post(URL, as_post(data))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert message.lower() in response.content.decode().lower()
    assert not Source.objects.exists()


API_MESSAGES = {"other language": "not in Russian", "nothing relevant": "names nothing"}


@pytest.mark.parametrize(("case", "data", "field", "message"), CASES, ids=[c[0] for c in CASES])
def test_api_answers_400_naming_the_field(register, ministry, case, data, field, message):
    api = token_client(ministry)
    if "file" in data:
        response = api.post(API, as_post(data), format="multipart")
    else:
        response = api.post(API, data, format="json")
    assert response.status_code == 400
    body = response.json()
    text = str(body)
    assert field in text
    assert API_MESSAGES.get(case, message).lower() in text.lower()
    assert not Source.objects.exists()


def test_html_and_docx_uploads_are_read(client, register, ministry):
    client.force_login(ministry)
    paragraphs = [p for p in article("004").split("\n") if p.strip() and p.strip() != "---"]
    html = "<html><head><title>Round table</title><script>var x=1;</script></head><body>"
    html += "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>"
    for name, content in (("a.html", html.encode()), ("a.docx", docx(paragraphs))):
        response = client.post(URL, {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200, name
        extraction = response.context["extraction"]
        assert "var x" not in extraction.text
        kinds = {p.fields.get("kind") for p in extraction.of_kind("event")}
        assert "round_table" in kinds, name
    assert not Source.objects.exists()


def test_a_five_megabyte_paste_is_refused_with_a_message(client, register, ministry):
    # Beyond Django's limit on a request's form fields: the page still says why.
    client.force_login(ministry)
    response = client.post(URL, {"text": "б" * (5 * 1024 * 1024)})
    assert response.status_code == 400
    assert "The text is too long" in response.content.decode()
    assert not Source.objects.exists()
