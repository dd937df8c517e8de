"""One way to send an uploaded file back: its stored type, never one guessed from the name.

Images are shown in the browser (the viewer page's <img>), but under a sandbox policy that
runs no script and loads nothing else, so a file that is also a web page (a polyglot) cannot
act as the signed-in user. Everything else is downloaded, PDFs included: the viewer page
(viewer.py) fetches a PDF from here and draws it with pdf.js. Nothing is cached, since files
carry unit data.

    return file_response(evidence.file.open("rb"), content_type=evidence.content_type,
                         filename=evidence.original_name)
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import IO

from django.http import FileResponse

from duibiao.files.uploads import EXTENSIONS, INLINE, UNKNOWN

SANDBOX_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def download_name(filename: str, content_type: str) -> str:
    """The name to save under, with an extension of the stored type: a file uploaded as
    `证明材料.html` is offered as `证明材料.html.pdf`, so saving it never makes a web page."""
    name = PurePosixPath(filename.replace("\\", "/")).name or "file"
    extensions = EXTENSIONS.get(content_type, EXTENSIONS[UNKNOWN])
    if name.lower().endswith(extensions):
        return name
    return name + extensions[0]


def file_response(handle: IO[bytes], *, content_type: str, filename: str, attachment: bool = False) -> FileResponse:
    """A response for one stored upload, with the headers every download must have.
    `attachment`: always a download, images too (the API: a program saves what it fetches,
    and no viewer page of ours shows it)."""
    content_type = content_type if content_type in EXTENSIONS else UNKNOWN
    response = FileResponse(
        handle, content_type=content_type, as_attachment=attachment or content_type not in INLINE,
        filename=download_name(filename, content_type),
    )
    # django-csp leaves a policy already set alone, so this one replaces the site's.
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
