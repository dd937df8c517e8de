"""Errors the project services raise, with messages a user can act on (shown beside the field
or button that caused them; the API answers 409 or 422 with them)."""

from __future__ import annotations


class ProjectError(Exception):
    """A request the rules refuse: 422."""


class ProjectInvalid(ProjectError):
    """Values that do not fit, by field name → the Chinese reason (shown beside each field)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


class ConflictError(ProjectError):
    """Someone else changed the project since it was read: nothing was overwritten (409)."""

    def __init__(self, message: str = "该项目已被他人修改，请刷新页面查看最新内容后再保存。") -> None:
        super().__init__(message)


class PhotoRejected(ProjectError):
    """An uploaded photo that is not accepted; nothing of the request is stored."""
