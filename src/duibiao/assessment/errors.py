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


class RunDamaged(ConflictError):
    """A finished run whose stored arrays (RunArrays) do not unpack: its units' results and
    traces cannot be shown until the run is computed again. The message names the run and
    says what the office does; pages show it in place of the result (web.run_damaged), the API
    answers 409 (the run's state, not the request, is at fault; computed again, it answers)."""

    def __init__(self, message: str, *, run_id: int) -> None:
        super().__init__(message)
        self.run_id = run_id
