"""Reads for the Excel downloads and imports, always through the access gate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from duibiao.accounts import gate
from duibiao.accounts.tokens import token_of
from duibiao.assessment.models import Period, Scheme, SchemeVersion
from duibiao.assessment.selectors.periods import period_get, period_list
from duibiao.assessment.selectors.reporting import reporting_rows_many
from duibiao.assessment.selectors.schemes import scheme_get_by_id
from duibiao.documents.excel.reporting_workbook import TemplateSheet
from duibiao.documents.models import ImportJob
from duibiao.org.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User

__all__ = [
    "import_job_get", "import_job_list", "period_get", "period_list_for_documents", "period_units",
    "reportable_units", "scheme_get_by_id", "scheme_version_get", "template_sheets", "unit_for_import",
    "unit_for_period",
]


def scheme_version_get(*, user: User | AnonymousUser, scheme: Scheme, number: int | None = None) -> SchemeVersion:
    """The given version of a visible scheme, or its latest."""
    scheme = scheme_get_by_id(user=user, pk=scheme.pk)
    versions = SchemeVersion.objects.filter(scheme=scheme).select_related("scheme")
    if number is not None:
        return get_object_or_404(versions, number=number)
    return get_object_or_404(versions.order_by("-number")[:1])


def _assessed(units: QuerySet[Unit], period: Period) -> QuerySet[Unit]:
    """Units the period's scheme assesses: with a category, under the scheme's district."""
    district = period.version.scheme.district
    return (
        units.filter(path__startswith=district.path, category__isnull=False, is_active=True)
        .select_related("category").order_by("category__order", "category_id", "order", "code")
    )


def period_units(*, user: User | AnonymousUser, period: Period) -> list[Unit]:
    """Units whose template the user may download: reporter, unit head, office (and leader,
    who reads everything in scope)."""
    return list(_assessed(gate.units(user, "assessment.report.view"), period))


def reportable_units(*, user: User | AnonymousUser, period: Period) -> list[Unit]:
    """Units the user may import values for: its own as reporter, any in scope as office
    (the action the import's service requires of each unit)."""
    return list(_assessed(gate.units(user, "assessment.submission.report"), period))


def template_sheets(*, user: User | AnonymousUser, period: Period, unit: Unit | None = None) -> list[TemplateSheet]:
    """One sheet per unit (the given one, or every unit in scope) with current values."""
    if unit is not None:
        gate.require(user, "assessment.report.view", unit=unit)
    units = [unit] if unit is not None else period_units(user=user, period=period)
    rows = reporting_rows_many(user=user, period=period, units=units)
    return [TemplateSheet(u, rows[u.pk]) for u in units if rows[u.pk]]


def unit_for_period(*, user: User | AnonymousUser, period: Period, code: str) -> Unit:
    """A unit of the period by code, 404 when the user may not see it."""
    return get_object_or_404(gate.units(user, "assessment.report.view").select_related("category"), code=code)


def unit_for_import(*, user: User | AnonymousUser, period: Period, code: str) -> Unit:
    """A unit the user may import values for; 404 otherwise (a head or leader may download
    a unit's template but not fill it in)."""
    for unit in reportable_units(user=user, period=period):
        if unit.code == code:
            return unit
    raise Http404


def period_list_for_documents(*, user: User | AnonymousUser) -> QuerySet[Period]:
    return period_list(user=user).order_by("-year", "-number")


def import_job_list(*, user: User | AnonymousUser) -> QuerySet[ImportJob]:
    """The user's own background imports, newest first. A job holds its uploader's file and
    report, so it is its uploader's alone: anyone else, of any unit, gets 404. A call with an
    API token reads the jobs that token queued, no others."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ImportJob.objects.none()
    token = token_of(user)
    mine = ImportJob.objects.filter(created_by=user) if token is None else ImportJob.objects.filter(
        created_by=user, api_token=token.pk)
    return mine.select_related("period", "scheme", "unit")


def import_job_get(*, user: User | AnonymousUser, pk: int) -> ImportJob:
    return get_object_or_404(import_job_list(user=user), pk=pk)
