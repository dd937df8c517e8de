"""The file viewer: one page of ours that shows an uploaded PDF or image.

Why a page of ours: the raw file is served under a `sandbox` policy (serve.py), and Chromium's
own PDF viewer refuses to start in a sandboxed document on many versions still found on office
machines, and in any sandboxed frame; the office would get a blocked page. So the raw PDF is
only ever a download, and this page, under the site's own policy (scripts from 'self' only, no
eval), draws it with pdf.js onto a canvas. pdf.js reads a PDF as data: a script inside the file
is never run. Images are shown as an <img> of the raw file, which keeps its sandbox policy.

Each app's view finds the file through the gate, as for its download, then:

    return viewer_response(request, filename=evidence.original_name,
                           content_type=evidence.content_type, raw_url=download_url)
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from duibiao.files.serve import download_name
from duibiao.files.uploads import IMAGES, PDF

PDF_KIND = "pdf"
IMAGE_KIND = "image"


def viewer_kind(content_type: str) -> str:
    """How the viewer shows a stored type: "pdf", "image", or "" for download only."""
    if content_type == PDF:
        return PDF_KIND
    if content_type in IMAGES:
        return IMAGE_KIND
    return ""


def viewer_response(request: HttpRequest, *, filename: str, content_type: str, raw_url: str) -> HttpResponse:
    """The viewer page of one file; `raw_url` is its download route (already gated)."""
    return render(request, "files/viewer.html", {
        "name": download_name(filename, content_type),
        "kind": viewer_kind(content_type),
        "raw_url": raw_url,
    })
