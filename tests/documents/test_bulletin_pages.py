"""通报 pages: draft → rewrite (errors beside the field, a stale page refused) → 印发 (the
confirmation says what is frozen and which number) → download; what a leader sees; attacks."""

from __future__ import annotations

import io

from django.urls import reverse
from docx import Document

from duibiao.documents.models import BulletinDoc, DocumentNumber
from tests.documents.test_bulletins import district  # noqa: F401  (fixture)
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_statistics import D, findings  # noqa: F401  (fixtures)

LIST = reverse("documents:bulletins")


def _draft(client, kind="projects"):
    response = client.post(reverse("documents:bulletin_new"), {"kind": kind, "day": D.isoformat()})
    assert response.status_code == 302, response.content.decode()[:500]
    return BulletinDoc.objects.latest("pk")


def test_the_office_drafts_rewrites_issues_and_downloads(district, client_for):  # noqa: F811
    office = client_for(district["office"])
    assert 'href="/documents/bulletins/"' in office.get("/").content.decode()  # the menu's 通报
    doc = _draft(office)
    page = office.get(reverse("documents:bulletin", args=[doc.pk])).content.decode()
    assert 'name="opening"' in page and "草稿（印发时取发文字号）" in page
    response = office.post(reverse("documents:bulletin", args=[doc.pk]), {
        "version": doc.version, "opening": "本周重点项目推进情况通报如下。", "requirements": "请各单位抓紧推进。"})
    assert response.status_code == 302
    confirm = office.get(reverse("documents:bulletin_issue", args=[doc.pk])).content.decode()
    assert "取下一个发文字号" in confirm and "2026年" in confirm or "年的顺序号" in confirm
    doc.refresh_from_db()
    response = office.post(reverse("documents:bulletin_issue", args=[doc.pk]), {"version": doc.version})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.issued and doc.number is not None
    download = office.get(reverse("documents:bulletin_download", args=[doc.pk, "docx"]))
    assert download.status_code == 200 and download["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert download["Content-Disposition"].startswith("attachment")
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(download.streaming_content))).paragraphs)
    assert "本周重点项目推进情况通报如下。" in text and doc.number.text in text


def test_errors_are_shown_beside_their_field_and_a_stale_page_is_refused(district, client_for):  # noqa: F811
    office = client_for(district["office"])
    doc = _draft(office, kind="inspections")
    url = reverse("documents:bulletin", args=[doc.pk])
    response = office.post(url, {"version": doc.version, "opening": "", "requirements": "要求"})
    assert response.status_code == 400
    assert 'data-testid="error-opening"' in response.content.decode() and "开头不能为空" in response.content.decode()
    office.post(url, {"version": doc.version, "opening": "一", "requirements": "二"})
    stale = office.post(url, {"version": doc.version, "opening": "三", "requirements": "四"})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    doc.refresh_from_db()
    assert doc.texts == {"opening": "一", "requirements": "二"}
    bad = office.post(reverse("documents:bulletin_new"), {"kind": "projects", "day": "2026-02-30"})
    assert bad.status_code == 400 and 'data-testid="error-day"' in bad.content.decode()
    no_run = office.post(reverse("documents:bulletin_new"), {"kind": "results", "run": ""})
    assert no_run.status_code == 400 and "请选择已公布考核结果的考核周期" in no_run.content.decode()


def test_issuing_twice_is_refused_and_takes_one_number(district, client_for):  # noqa: F811
    office = client_for(district["office"])
    doc = _draft(office, kind="inspections")
    url = reverse("documents:bulletin_issue", args=[doc.pk])
    assert office.post(url, {"version": doc.version}).status_code == 302
    again = office.post(url, {"version": doc.version})
    assert again.status_code == 409 and "已印发" in again.content.decode()
    assert DocumentNumber.objects.count() == 1
    edit = office.post(reverse("documents:bulletin", args=[doc.pk]), {"version": doc.version + 1,
                                                                     "opening": "改", "requirements": "改"})
    assert edit.status_code == 409


def test_a_leader_reads_issued_bulletins_only_and_cannot_issue(district, client_for):  # noqa: F811
    office = client_for(district["office"])
    draft = _draft(office)
    issued = _draft(office, kind="inspections")
    office.post(reverse("documents:bulletin_issue", args=[issued.pk]), {"version": issued.version})
    leader = client_for(district["leader"])
    listed = leader.get(LIST).content.decode()
    assert issued.title in listed and draft.title not in listed and "起草通报" not in listed
    assert leader.get(reverse("documents:bulletin", args=[draft.pk])).status_code == 404
    assert leader.get(reverse("documents:bulletin_download", args=[draft.pk, "docx"])).status_code == 404
    assert leader.get(reverse("documents:bulletin_download", args=[issued.pk, "docx"])).status_code == 200
    assert leader.post(reverse("documents:bulletin_issue", args=[draft.pk]), {"version": 1}).status_code == 403
    assert leader.post(reverse("documents:bulletin", args=[draft.pk]), {
        "version": 1, "opening": "x", "requirements": "y"}).status_code in (403, 404)
    draft.refresh_from_db()
    assert not draft.issued and draft.version == 1
    # A unit's reporter has no 通报 at all.
    assert client_for(district["reporter_a"]).get(LIST).status_code == 403


def test_the_pages_render_in_english(district, client_for):  # noqa: F811
    from django.conf import settings

    office = client_for(district["office"])
    office.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    doc = _draft(office)
    listed = office.get(LIST).content.decode()
    assert "Draft a bulletin" in listed and "Kind of bulletin" in listed and "Weekly key-projects bulletin" in listed
    page = office.get(reverse("documents:bulletin", args=[doc.pk])).content.decode()
    assert "Figures in the bulletin" in page and "Opening" in page and "Expectations and requirements" in page
    confirm = office.get(reverse("documents:bulletin_issue", args=[doc.pk])).content.decode()
    assert "Confirm and issue" in confirm and "the next document number of" in confirm


def test_another_districts_office_cannot_reach_ours(district, approved, client_for):  # noqa: F811
    """南岗区's office drafts its own bulletins only: our draft is not found, our published run
    is not a choice (its id posted by hand is refused beside the field), nothing is written."""
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from tests.conftest import PASSWORD
    from tests.documents.test_bulletins import publish

    run = publish(approved)
    ours = _draft(client_for(district["office"]))
    other = user_create(actor=None, username="khb_ng", password=PASSWORD)
    role_grant(actor=None, user=other, role=Role.OFFICE, units=[district["other_district"]])
    client = client_for(other)
    assert client.get(reverse("documents:bulletin", args=[ours.pk])).status_code == 404
    assert client.post(reverse("documents:bulletin_issue", args=[ours.pk]), {"version": ours.version}).status_code == 404
    assert client.get(reverse("documents:bulletin_download", args=[ours.pk, "docx"])).status_code == 404
    response = client.post(reverse("documents:bulletin_new"), {"kind": "results", "run": str(run.pk)})
    assert response.status_code == 400 and 'data-testid="error-run"' in response.content.decode()
    assert ours.title not in client.get(LIST).content.decode()
    assert BulletinDoc.objects.count() == 1 and DocumentNumber.objects.count() == 0
    # Its own inspections bulletin is drafted for its own district, with none of our findings.
    mine = _draft(client, kind="inspections")
    assert mine.district == district["other_district"] and mine.figures["ranking"] == []
