"""Fixtures of the uploaded-files tests."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def chinese():
    """Reasons are checked in Chinese, whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield
