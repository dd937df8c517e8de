"""Bulletins from draft to issued: the services (a number taken once, an issued bulletin never
changes, other roles refused), the figures of the projects and inspections bulletins equal to
their pages', and `duibiao bulletin` (a draft file, no number taken)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from duibiao.assessment.services.runs import run_publish, run_release, run_start
from duibiao.audit.models import AuditEntry
from duibiao.documents.bulletin_selectors import bulletin_get, bulletin_list
from duibiao.documents.bulletin_services import (
    BulletinConflict,
    bulletin_draft_create,
    bulletin_issue,
    bulletin_texts_save,
)
from duibiao.documents.models import BulletinDoc, DocumentNumber
from duibiao.inspections.selectors.stats import daily_picture
from duibiao.projects.selectors.rates import rates_page
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)
from tests.projects.test_rates_page import _project, _report


def publish(w: dict):
    run = run_start(actor=w["office"], period=w["period"])
    run_release(actor=w["office"], run=run)
    return run_publish(actor=w["office"], run=run, stage=run.stage, override_reason="测试：申诉期内公布")


@pytest.fixture
def district(findings, settings, tmp_path):  # noqa: F811
    """Four projects (one red, one yellow or none), the findings of test_statistics (as of D)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    w = findings
    p1 = _project(w["a"], "XM-001", "道外产业园", planned_start=date(2026, 3, 2), actual_start=date(2026, 3, 5),
                  in_stats_on=date(2026, 3, 20))
    _report(p1, date(2026, 10, 16), 300, 200)  # 30 % at 9 of 12 months: red
    p2 = _project(w["a"], "XM-002", "滨江路改造", type="infrastructure", source="government",
                  planned_start=date(2026, 3, 1), actual_start=date(2026, 3, 3), in_stats_on=date(2026, 3, 30))
    _report(p2, date(2026, 10, 16), 800, 700)
    p3 = _project(w["b"], "XM-003", "太古智慧社区", type="social", source="government",
                  planned_start=date(2026, 4, 1), actual_start=date(2026, 4, 2), in_stats_on=date(2026, 4, 20))
    _report(p3, date(2026, 10, 16), 700, 800)
    return w


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_a_draft_is_issued_once_with_one_number(district):
    office = district["office"]
    doc = bulletin_draft_create(actor=office, kind="projects", day=D)
    assert doc.status == BulletinDoc.Status.DRAFT and doc.number is None and DocumentNumber.objects.count() == 0
    issued = bulletin_issue(actor=office, doc=doc, version=doc.version)
    assert issued.status == BulletinDoc.Status.ISSUED and issued.number is not None
    assert issued.number.text == f"道外考核办〔{issued.issued_on.year}〕1号"
    assert issued.number.text in docx_text(issued.docx.read())
    assert AuditEntry.objects.filter(action="documents.bulletin.issue", object_id=str(doc.pk)).count() == 1
    # The same draft again (a second click, a stale page): refused, no second number.
    with pytest.raises(BulletinConflict, match="已印发"):
        bulletin_issue(actor=office, doc=doc, version=doc.version)
    with pytest.raises(BulletinConflict, match="已印发"):
        bulletin_issue(actor=office, doc=issued, version=issued.version)
    assert DocumentNumber.objects.count() == 1
    # The next bulletin takes the next number.
    second = bulletin_draft_create(actor=office, kind="inspections", day=D)
    assert bulletin_issue(actor=office, doc=second, version=second.version).number.sequence == 2


def test_an_issued_bulletin_cannot_be_edited_and_a_stale_edit_is_refused(district):
    office = district["office"]
    doc = bulletin_draft_create(actor=office, kind="inspections", day=D)
    texts = {"opening": "本日督导检查情况通报如下。", "requirements": "请各单位抓紧整改。"}
    saved = bulletin_texts_save(actor=office, doc=doc, version=doc.version, texts=texts)
    assert saved.texts == texts and saved.version == doc.version + 1
    with pytest.raises(BulletinConflict):  # the page still at the old version
        bulletin_texts_save(actor=office, doc=doc, version=doc.version, texts={**texts, "opening": "改"})
    issued = bulletin_issue(actor=office, doc=saved, version=saved.version)
    with pytest.raises(BulletinConflict, match="已印发"):
        bulletin_texts_save(actor=office, doc=issued, version=issued.version, texts={**texts, "opening": "改"})
    issued.refresh_from_db()
    assert issued.texts == texts and "本日督导检查情况通报如下。" in docx_text(issued.docx.read())


def test_an_empty_or_overlong_text_is_refused_beside_its_field(district):
    office = district["office"]
    doc = bulletin_draft_create(actor=office, kind="inspections", day=D)
    with pytest.raises(ValidationError) as caught:
        bulletin_texts_save(actor=office, doc=doc, version=doc.version, texts={"opening": " ", "requirements": "x" * 5000})
    assert set(caught.value.message_dict) == {"opening", "requirements"}
    assert "不能为空" in caught.value.message_dict["opening"][0]
    doc.refresh_from_db()
    assert doc.version == 1


@pytest.mark.parametrize("who", ["leader", "reporter_a", "head_a", "taskforce", "inspector", "sysadmin"])
def test_other_roles_cannot_draft_edit_or_issue(district, who):
    office, user = district["office"], district[who]
    doc = bulletin_draft_create(actor=office, kind="projects", day=D)
    with pytest.raises(PermissionDenied):
        bulletin_draft_create(actor=user, kind="projects", day=D)
    with pytest.raises(PermissionDenied):
        bulletin_texts_save(actor=user, doc=doc, version=doc.version, texts=doc.texts)
    with pytest.raises(PermissionDenied):
        bulletin_issue(actor=user, doc=doc, version=doc.version)
    doc.refresh_from_db()
    assert doc.status == BulletinDoc.Status.DRAFT and DocumentNumber.objects.count() == 0


def test_a_leader_sees_issued_bulletins_only_and_a_unit_none(district):
    from django.http import Http404

    office = district["office"]
    draft = bulletin_draft_create(actor=office, kind="projects", day=D)
    issued = bulletin_draft_create(actor=office, kind="inspections", day=D)
    issued = bulletin_issue(actor=office, doc=issued, version=issued.version)
    assert set(bulletin_list(user=office)) == {draft, issued}
    assert list(bulletin_list(user=district["leader"])) == [issued]
    with pytest.raises(Http404):
        bulletin_get(user=district["leader"], pk=draft.pk)
    assert not bulletin_list(user=district["reporter_a"]).exists()


def test_the_projects_figures_are_the_rates_pages(district):
    office = district["office"]
    doc = bulletin_draft_create(actor=office, kind="projects", day=D)
    page = rates_page(user=office, as_of=D, by="unit")
    by_group = {row.now.group: row for row in page.rows}
    total = by_group.pop("全部")
    assert doc.figures["total"]["investment_rate"] == total.cells()["investment_rate"]
    assert {u["group"]: u["investment_rate"] for u in doc.figures["units"]} == \
        {name: row.cells()["investment_rate"] for name, row in by_group.items()}
    assert {u["group"]: u["schedule_gap"] for u in doc.figures["units"]} == \
        {name: row.cells()["schedule_gap"] for name, row in by_group.items()}
    assert [p["code"] for p in doc.figures["red"]] == ["XM-001"] and doc.figures["red"][0]["reasons"]
    text = docx_text(bulletin_issue(actor=office, doc=doc, version=doc.version).docx.read())
    for name in ("start_rate", "investment_rate", "funds_rate", "completion_rate"):
        value = total.cells()[name]
        assert f"{value}%" in text if value else True
    assert f"红灯项目{total.now.red}个" in text and "道外产业园" in text
    behind = [n for n, r in by_group.items() if r.cells()["schedule_gap"].startswith("-")]
    assert f"欠序时进度的单位{len(behind)}个" in text
    # The units' table: each row the 四率 page's cells of that unit.
    table = Document(io.BytesIO(BulletinDoc.objects.get(pk=doc.pk).docx.read())).tables[0]
    rows = {r[0]: r for r in ([c.text for c in row.cells] for row in table.rows[1:])}
    assert set(rows) == set(by_group)
    for name, row in by_group.items():
        cells = row.cells()
        assert rows[name][2:6] == [cells[k] or "—" for k in ("start_rate", "investment_rate", "funds_rate",
                                                               "completion_rate")]
        assert rows[name][6] == (cells["schedule_gap"] or "—")


def test_the_inspections_figures_are_the_daily_pages(district):
    office = district["office"]
    doc = bulletin_draft_create(actor=office, kind="inspections", day=D)
    picture = daily_picture(user=office, day=D)
    assert (doc.figures["new"], doc.figures["closed"], doc.figures["overdue"]) == \
        (picture.new_count, picture.closed_count, picture.overdue_count) == (1, 1, 1)
    assert [r["unit"] for r in doc.figures["ranking"]] == [line.name for line in picture.ranking[:-1]]
    text = docx_text(bulletin_issue(actor=office, doc=doc, version=doc.version).docx.read())
    assert "新发现问题1个，整改销号1个，逾期未整改1个" in text
    assert "问题处置率57.14%" in text  # 4 closed of 7 due, as the page's 全部 row
    issued = BulletinDoc.objects.get(pk=doc.pk)
    ranking = Document(io.BytesIO(issued.docx.read())).tables[0]
    rows = [[c.text for c in row.cells] for row in ranking.rows][1:]
    assert [(r[1], r[5], r[6]) for r in rows] == [
        (line.name, f"{line.rates.disposal_rate:.2f}", str(line.rates.overdue)) for line in picture.ranking[:-1]]
    assert rows[0][1] == "靖宇街道" and rows[0][5] == "60.00"


def test_results_are_drafted_only_from_a_published_period(district, approved):
    office = approved["office"]
    run = run_start(actor=office, period=approved["period"])
    with pytest.raises(ValidationError) as caught:
        bulletin_draft_create(actor=office, kind="results", run=run)
    assert "尚未公布" in caught.value.message_dict["run"][0]
    published = publish(approved)
    doc = bulletin_draft_create(actor=office, kind="results", run=published)
    assert doc.figures["units"] == 3 and doc.title.endswith("对标晋位考核结果的通报")
    issued = bulletin_issue(actor=office, doc=doc, version=doc.version)
    assert issued.number.text in docx_text(issued.docx.read())


def test_the_command_writes_a_draft_without_taking_a_number(district, tmp_path, capsys):
    out = tmp_path / "周通报.docx"
    call_command("bulletin", "projects", "--date", D.isoformat(), "--out", str(out))
    assert capsys.readouterr().out.strip() == str(out)
    text = docx_text(out.read_bytes())
    assert "草稿" in text and "道外产业园" in text
    assert DocumentNumber.objects.count() == 0 and BulletinDoc.objects.count() == 0
    daily = tmp_path / "日通报.docx"
    call_command("bulletin", "inspections", "--date", D.isoformat(), "--out", str(daily), "--user", "khb")
    assert "逾期未整改1个" in docx_text(daily.read_bytes())


def test_the_command_refuses_with_a_reason_and_exit_2(district, tmp_path):
    out = tmp_path / "x.docx"
    with pytest.raises(CommandError, match="还没有公布考核结果") as caught:
        call_command("bulletin", "results", "--out", str(out))
    assert caught.value.returncode == 2 and not out.exists()
    with pytest.raises(CommandError, match="不是 YYYY-MM-DD") as caught:
        call_command("bulletin", "projects", "--date", "2026-13-01", "--out", str(out))
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="没有启用的账号") as caught:
        call_command("bulletin", "projects", "--out", str(out), "--user", "nobody-here")
    assert caught.value.returncode == 2


def test_the_command_without_libreoffice_writes_the_docx_and_warns(district, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DUIBIAO_SOFFICE", str(tmp_path / "no-soffice"))
    out, pdf = tmp_path / "x.docx", tmp_path / "x.pdf"
    call_command("bulletin", "inspections", "--date", D.isoformat(), "--out", str(out), "--pdf", str(pdf))
    captured = capsys.readouterr()
    assert out.exists() and not pdf.exists()
    assert "未生成 PDF" in captured.err and "未安装 LibreOffice" in captured.err


def test_each_issued_bulletin_has_a_pdf_whose_first_page_is_not_blank(district, approved, tmp_path):
    """The three bulletins, issued, with their PDF rendered by pdftoppm: pages counted, the
    first page inked, the number on it. (In CI LibreOffice and poppler are installed: no skip.)
    The first pages are the images of docs/documents.md (docs/img/bulletin-<kind>.png)."""
    import shutil
    import subprocess
    from pathlib import Path

    import numpy as np
    from PIL import Image

    from duibiao.documents.word.pdf import soffice_path
    from tests.conftest import skip_or_fail

    if soffice_path() is None or not shutil.which("pdftoppm"):
        skip_or_fail("LibreOffice and pdftoppm are needed: apt-get install libreoffice-writer-nogui poppler-utils")
    office = district["office"]
    docs = [bulletin_draft_create(actor=office, kind="projects", day=D),
            bulletin_draft_create(actor=office, kind="inspections", day=D),
            bulletin_draft_create(actor=office, kind="results", run=publish(approved))]
    img = Path(__file__).resolve().parents[2] / "docs" / "img"
    img.mkdir(exist_ok=True)
    for doc in docs:
        issued = bulletin_issue(actor=office, doc=doc, version=doc.version)
        assert issued.pdf and issued.pdf_note == ""
        pdf = tmp_path / f"{doc.kind}.pdf"
        pdf.write_bytes(issued.pdf.read())
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / doc.kind)], check=True)
        pages = sorted(tmp_path.glob(f"{doc.kind}-*.png"))
        assert len(pages) >= 2, doc.kind  # the text, then the attachments on pages of their own
        rgb = np.asarray(Image.open(pages[0]).convert("RGB")).astype(int)
        assert (rgb.min(axis=2) < 200).mean() > 0.005, doc.kind
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
        assert issued.number.text in "".join(text.split())
        # The 版记 at the foot of the last page, an even one (GB/T 9704 §7.5).
        assert len(pages) % 2 == 0, (doc.kind, len(pages))
        last = subprocess.run(["pdftotext", "-f", str(len(pages)), "-l", str(len(pages)), str(pdf), "-"],
                              capture_output=True, check=True, text=True).stdout
        assert "印发" in last and "抄送" in last, doc.kind
        shutil.copy(pages[0], img / f"bulletin-{doc.kind}.png")
