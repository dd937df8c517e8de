from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from duibiao.accounts import gate
from duibiao.assessment.models import Indicator, Scheme, SchemeVersion
from duibiao.assessment.selectors.categories import category_names
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


def _ancestor_paths(paths: Iterable[str]) -> set[str]:
    """Every prefix path of the given unit paths: the units themselves and all above them."""
    given = set(paths)
    prefixes = set(given)
    for path in given:
        # A unit whose parent is given brings no new prefix: the parent's come with the parent.
        # (An office sees a whole district: only its top unit is expanded, not 600 units.)
        if path[: path.rstrip("/").rfind("/") + 1] in given:
            continue
        codes = path.strip("/").split("/")
        prefixes.update("/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes)))
    return prefixes


def scheme_list(*, user: User | AnonymousUser) -> QuerySet[Scheme]:
    """Schemes run by a unit the user sees, or by one above it (a street sees its district's)."""
    prefixes = _ancestor_paths(gate.units(user, "assessment.scheme.view").values_list("path", flat=True))
    return Scheme.objects.filter(district__path__in=prefixes).prefetch_related("dimensions")


def scheme_get(*, user: User | AnonymousUser, code: str) -> Scheme:
    """A visible scheme by its code (pages and the API name schemes by code); 404 otherwise."""
    return get_object_or_404(scheme_list(user=user), code=code)


def scheme_edit_get(*, user: User | AnonymousUser, code: str) -> Scheme:
    """A scheme the user may edit: 403 for anyone who edits no scheme (before the lookup, so
    nothing is learnt of which codes exist), 404 for a scheme not visible or not of a unit
    in the user's scope (a district's office sees the city's scheme and may not edit it)."""
    gate.require(user, "assessment.scheme.edit")
    scheme = scheme_get(user=user, code=code)
    gate.require(user, "assessment.scheme.edit", unit=scheme.district)
    return scheme


def scheme_get_by_id(*, user: User | AnonymousUser, pk: int) -> Scheme:
    """A visible scheme by its primary key (the Excel pages' URLs carry it); 404 otherwise."""
    return get_object_or_404(scheme_list(user=user), pk=pk)


def version_indicators(version: SchemeVersion | None) -> list[Indicator]:
    """A version's indicators for display, each with `category_labels` and `unit_labels`:
    the names of the categories and units it applies to (the rows keep their codes; people
    read names, and a code no longer in the directory is shown as itself)."""
    if version is None:
        return []
    names = category_names()
    rows = list(version.indicators.select_related("taskforce"))
    unit_codes = {code for row in rows for code in row.applies_units}
    unit_names = dict(Unit.objects.filter(code__in=unit_codes).values_list("code", "name"))
    for row in rows:
        row.category_labels = [names.get(code, code) for code in row.applies_categories]
        row.unit_labels = [(code, unit_names.get(code, code)) for code in row.applies_units]
    return rows


def scheme_latest_version(scheme: Scheme, *, for_update: bool = False) -> SchemeVersion | None:
    """The scheme's newest version (None before the first save). Not gated: the caller got
    the scheme through the gate. `for_update` locks the row inside the caller's transaction,
    so that two edits of the same version cannot both be saved."""
    versions = SchemeVersion.objects.filter(scheme=scheme)
    if for_update:
        versions = versions.select_for_update()
    return versions.order_by("-number").first()
