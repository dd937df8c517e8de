"""Errors the inspection services raise, with messages a user can act on (shown beside the
button or field that caused them; the API answers 409 or 422 with them)."""

from __future__ import annotations


class InspectionError(Exception):
    """A request the rules refuse (a missing reason, a photo that is not accepted …): 422.
    `field` names the form field that caused it, so a page shows the message beside it."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class ConflictError(InspectionError):
    """Someone else changed the finding since it was read: nothing was overwritten (409)."""

    def __init__(self, message: str = "该问题已被他人更新，请刷新页面查看最新状态后再操作。") -> None:
        super().__init__(message)


class IllegalTransition(ConflictError):
    """The step is not allowed from the finding's current state (409: the state conflicts)."""


class PhotoRejected(InspectionError):
    """An uploaded photo that is not accepted; nothing of the request is stored."""
