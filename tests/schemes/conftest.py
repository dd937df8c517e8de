import pytest


@pytest.fixture(autouse=True)
def _fast_hashing() -> None:
    """No Django here: neutralise the web suite's autouse settings fixture."""
