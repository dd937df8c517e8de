"""Errors the assessment services raise, with messages a user can act on."""

from __future__ import annotations


class AssessmentError(Exception):
    """A request the rules refuse (wrong status, closed period, not applicable …)."""


class ConflictError(AssessmentError):
    """Someone else saved the same record since it was read: nothing was overwritten."""

    def __init__(self, message: str = "该数据已被他人修改，请刷新页面查看最新内容后再保存。") -> None:
        super().__init__(message)


class InvalidValue(AssessmentError):
    """A value or a text that does not fit: its indicator's rules, or its column's length.

    Raised by `assessment.limits` before anything is written, with a message fit for the
    form, the API (422) and an import report alike."""


class FileRejected(AssessmentError):
    """An uploaded file that is not accepted (type, structure or size); pages show the
    message next to the file field."""
