from __future__ import annotations

from django.db.models import QuerySet

from duibiao.accounts.gate import gate_units
from duibiao.assessment.models import Scheme


def _ancestor_paths(paths) -> set[str]:
    """Every prefix path of the given unit paths: the units themselves and all above them."""
    prefixes: set[str] = set()
    for path in paths:
        codes = path.strip("/").split("/")
        prefixes.update("/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes)))
    return prefixes


def scheme_list(*, user) -> QuerySet[Scheme]:
    """Schemes run by a unit the user sees, or by one above it (a street sees its district's)."""
    prefixes = _ancestor_paths(gate_units(user).values_list("path", flat=True))
    return Scheme.objects.filter(district__path__in=prefixes).prefetch_related("dimensions")


def scheme_get(*, user, code: str) -> Scheme:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(scheme_list(user=user), code=code)


def scheme_latest_version(scheme: Scheme):
    return scheme.versions.order_by("-number").first()
