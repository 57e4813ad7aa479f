"""POST /api/v1/ingest/: editors store an article (JSON text or file upload) and get proposed claims back."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from kb.models import Claim, Source

pytestmark = pytest.mark.django_db

URL = "/api/v1/ingest/"
ARTICLE = (
    "Kim Jong-un met Vladimir Putin at the Vostochny Cosmodrome in September 2023.\n\n"
    "North Korea is expected to sell artillery shells to Russia, officials said.\n\n"
    "The two leaders signed a treaty in Pyongyang on June 19, 2024."
)
META = {"title": "Summit", "publisher": "Test Wire", "published": "2024-07-01", "author": "A. Writer"}


@pytest.fixture
def as_editor(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


def test_json_text_is_ingested_once(as_editor, make_actor):
    make_actor("North Korea", aliases=["DPRK"])
    response = as_editor.post(URL, {**META, "text": ARTICLE}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    source = Source.objects.get(pk=body["source"]["id"])
    assert source.byline == "A. Writer" and str(source.published) == "2024-07-01"
    assert body["source"]["url"].endswith(f"/api/v1/sources/{source.pk}/")
    assert body["claims"] and all(source.text[c["start"] : c["end"]] == c["quote"] for c in body["claims"])
    assert Claim.objects.filter(source=source, status="proposed").count() == len(body["claims"])
    again = as_editor.post(URL, {**META, "text": ARTICLE}, format="json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert Source.objects.count() == 1


def test_file_upload(as_editor):
    upload = SimpleUploadedFile("article.html", f"<html><body><p>{ARTICLE}</p></body></html>".encode())
    response = as_editor.post(URL, {**META, "file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert Source.objects.get().title == "Summit"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"publisher": "x" * 201}, "publisher"),
        ({"published": "2024-02-30"}, "published"),
        ({"published": "soon"}, "published"),
        ({"kind": "gossip"}, "kind"),
        ({"url": "not a url"}, "url"),
        ({"text": None}, "text"),
    ],
)
def test_bad_ingest_input_names_the_field(as_editor, change, field):
    response = as_editor.post(URL, {**META, "text": ARTICLE, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Source.objects.exists()


def test_file_or_text_not_both_nor_neither(as_editor):
    assert "file" in as_editor.post(URL, META, format="json").json()
    upload = SimpleUploadedFile("a.txt", ARTICLE.encode())
    response = as_editor.post(URL, {**META, "file": upload, "text": ARTICLE}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_binary_file_is_refused(as_editor):
    upload = SimpleUploadedFile("a.bin", b"\x00\x01\x02binary")
    response = as_editor.post(URL, {**META, "file": upload}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    assert not Source.objects.exists()


@override_settings(KB_INGEST_MAX_BYTES=50)
def test_size_limit(as_editor):
    response = as_editor.post(URL, {**META, "text": ARTICLE}, format="json")
    assert response.status_code == 400 and "text" in response.json()
    upload = SimpleUploadedFile("a.txt", ARTICLE.encode())
    response = as_editor.post(URL, {**META, "file": upload}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_wrong_content_type(as_editor):
    response = as_editor.generic("POST", URL, ARTICLE, content_type="text/plain")
    assert response.status_code == 415 and "detail" in response.json()


def test_only_editors_ingest(analyst):
    anonymous = APIClient()
    assert anonymous.post(URL, {**META, "text": ARTICLE}, format="json").status_code == 401
    client = APIClient()
    client.force_authenticate(analyst)
    assert client.post(URL, {**META, "text": ARTICLE}, format="json").status_code == 403
    assert not Source.objects.exists()


def test_ingest_is_documented():
    schema = APIClient().get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/ingest/"]["post"]
    assert {"multipart/form-data", "application/json"} <= set(operation["requestBody"]["content"])
    assert {"200", "201", "400", "401", "403", "415"} <= set(operation["responses"])


@override_settings(KB_UPLOAD_MAX_BYTES=1000)
def test_an_oversized_upload_is_413_saying_the_file_limit(as_editor):
    big = SimpleUploadedFile("article.txt", b"word " * 1000, content_type="text/plain")
    body = {"file": big, "title": "T", "publisher": "P"}
    response = as_editor.post(URL, body, format="multipart")
    assert response.status_code == 413, response.content
    detail = response.json()["detail"]
    assert "article.txt" in detail and "1000 bytes" in detail and "/api/v1/ingest/" not in detail
    assert not Source.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_json_article_is_413_pointing_to_a_file_upload(as_editor):
    response = as_editor.post(URL, {"text": "word " * 1000, "title": "T", "publisher": "P"}, format="json")
    assert response.status_code == 413, response.content
    detail = response.json()["detail"]
    assert "file upload" in detail and "/api/v1/ingest/" not in detail
    assert not Source.objects.exists()
