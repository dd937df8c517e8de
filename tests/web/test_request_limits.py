"""Request bodies are bounded (security review, hole 5): a body declared over
DUIBIAO_REQUEST_MAX_MB is answered 413 before it is read; one sent without a length is
counted while it is read and refused the same way."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.core.handlers.asgi import ASGIHandler

MB = 1024 * 1024
TOKEN = b"k" * 32


@pytest.mark.django_db(transaction=True)
def test_a_200_mb_body_is_refused_before_it_is_read(live_server, settings):
    """The attack of the review: the server used to read all 200 MB before refusing."""
    assert settings.DUIBIAO_REQUEST_MAX_MB < 200
    url = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    started = time.monotonic()
    connection.putrequest("POST", "/login/")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(200 * MB))
    connection.endheaders()
    connection.send(b"--x\r\n" + b"\0" * (256 * 1024))  # a first slice only; the rest never comes
    response = connection.getresponse()
    body = response.read().decode()
    elapsed = time.monotonic() - started
    connection.close()
    assert response.status == 413
    assert "提交的内容过大" in body and f"上限 {settings.DUIBIAO_REQUEST_MAX_MB} MB" in body
    assert elapsed < 5


def test_the_api_gets_the_refusal_as_json(client, settings):
    response = client.generic("POST", "/api/assessment/periods", b"{}", content_type="application/json",
                              CONTENT_LENGTH=str((settings.DUIBIAO_REQUEST_MAX_MB + 1) * MB))
    assert response.status_code == 413
    assert "提交的内容过大" in response.json()["detail"]
    # Before LocaleMiddleware has run, the answer still follows the request's language.
    english = client.generic("POST", "/api/assessment/periods", b"{}", content_type="application/json",
                             CONTENT_LENGTH=str((settings.DUIBIAO_REQUEST_MAX_MB + 1) * MB),
                             HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"].startswith("What was sent is too large")


def test_form_and_json_bodies_have_the_smaller_cap(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MB
    data = json.dumps({"note": "x" * (2 * MB)})
    response = client.post("/api/assessment/periods", data, content_type="application/json")
    assert response.status_code == 413
    assert "上限 1 MB" in response.json()["detail"]
    # A file upload of the same size is not a form body: it passes on to the view (here, the
    # login page, which ignores it and answers normally).
    upload = client.post("/login/", {"username": "x", "password": "y", "file": ("a.bin", b"\0" * (2 * MB))})
    assert upload.status_code != 413


def _asgi_post(path: str, chunks: list[bytes]) -> tuple[int, bytes]:
    """Drive the ASGI application with a body sent in chunks and no Content-Length."""
    events = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    events.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[dict] = []

    async def receive():
        if events:
            return events.pop(0)
        await asyncio.Event().wait()  # the client stays connected until the answer is sent

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded"),
                    (b"transfer-encoding", b"chunked"),
                    # CSRF passes on the header, so the login view is the first to read the body.
                    (b"cookie", b"csrftoken=" + TOKEN), (b"x-csrftoken", TOKEN)],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }
    # In a thread of its own: a browser test may have left an event loop running in this one.
    worker = threading.Thread(target=lambda: asyncio.run(ASGIHandler()(scope, receive, send)))
    worker.start()
    worker.join(timeout=30)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.django_db(transaction=True)
def test_a_body_without_a_length_is_counted_while_read(settings):
    settings.DUIBIAO_REQUEST_MAX_MB = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None  # so that only the counting stream can refuse
    status, body = _asgi_post("/login/", [b"username=" + b"a" * (512 * 1024)] + [b"a" * (512 * 1024)] * 2)
    assert status == 413
    assert "提交的内容过大" in body.decode()
    status, _ = _asgi_post("/login/", [b"username=someone&password=x"])
    assert status != 413
