"""Sessions that a page's background polling does not keep alive.

The idle timeout works because every request saves the session and so moves its expiry
(SESSION_SAVE_EVERY_REQUEST). A progress bar that asks the server every second would then
keep an unattended session open for ever; requests marked as polls (the POLL_HEADER that
the polling elements send) leave the expiry where the last real request put it.
"""

from __future__ import annotations

from django.contrib.sessions.middleware import SessionMiddleware
from django.utils.cache import patch_vary_headers

POLL_HEADER = "X-Duibiao-Poll"


def is_poll(request) -> bool:
    return request.headers.get(POLL_HEADER) == "1"


class PollAwareSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and is_poll(request) and not session.modified:
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response  # not saved: a poll is not activity
        return super().process_response(request, response)
