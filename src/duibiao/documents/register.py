"""发文字号 register: the next number of a 机关代字 in a year, taken once.

Called by the service that issues a document (inside its transaction, after its own gate
check and with its own audit row): the number row records who took it, when and for what.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from duibiao.documents.models import DocumentNumber, DocumentNumberSeries
from duibiao.documents.word.formats import document_number

if TYPE_CHECKING:
    from duibiao.accounts.models import User


def document_number_take(*, prefix: str, year: int, title: str, taken_by: User | None) -> DocumentNumber:
    """The next 发文字号 of (prefix, year), e.g. 道外考核办〔2026〕7号.

    The series row is created if missing (get_or_create survives a concurrent creator by its
    unique constraint) and then locked, so concurrent takers are served one after the other."""
    prefix = prefix.strip()
    document_number(prefix, year, 1)  # the one check of a prefix and a year (raises ValueError)
    with transaction.atomic():
        DocumentNumberSeries.objects.get_or_create(prefix=prefix, year=year)
        series = DocumentNumberSeries.objects.select_for_update().get(prefix=prefix, year=year)
        series.last += 1
        series.save(update_fields=["last"])
        return DocumentNumber.objects.create(prefix=prefix, year=year, sequence=series.last,
                                             title=title.strip()[:200], taken_by=taken_by)
