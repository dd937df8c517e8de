"""Fixtures of the inspection tests (each defined beside the helpers it uses)."""

from tests.inspections.findings_world import insp  # noqa: F401  (campaign, inspectors, photos)
