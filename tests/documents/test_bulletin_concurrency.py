"""Four clicks on 印发 at once (four threads, four connections, released together): one issue
takes one number; the others are told the bulletin is issued and take none."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from duibiao.documents import bulletin_services
from duibiao.documents.bulletin_services import (
    BulletinConflict,
    bulletin_draft_create,
    bulletin_issue,
)
from duibiao.documents.models import BulletinDoc, DocumentNumber

CLICKS = 4


@pytest.mark.django_db(transaction=True)
def test_issuing_the_same_draft_at_once_takes_one_number(world, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The PDF is not what is raced here: skip LibreOffice so the four issues overlap.
    monkeypatch.setattr(bulletin_services, "docx_to_pdf_even", lambda docx: (docx, None, "测试中不生成 PDF"))
    draft = bulletin_draft_create(actor=world["office"], kind="projects", day=date(2026, 10, 16))
    start = threading.Barrier(CLICKS)
    issued: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def click() -> None:
        try:
            start.wait()
            doc = BulletinDoc.objects.get(pk=draft.pk)
            issued.append(bulletin_issue(actor=world["office"], doc=doc, version=draft.version).number.text)
        except BulletinConflict as exc:
            refused.append(exc.message)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(issued) == 1 and len(refused) == CLICKS - 1
    assert all("已印发" in message for message in refused)
    assert DocumentNumber.objects.count() == 1
    assert BulletinDoc.objects.get(pk=draft.pk).number.text == issued[0]
