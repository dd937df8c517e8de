"""Completeness (issue 10, item 5): submitting asks first while indicators are blank or lack
required evidence; a unit head cannot sign off while any remain; a value returned after the
sign-off voids it, and the head is told."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duibiao.assessment.completeness import unit_gaps
from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Submission, UnitSignoff
from duibiao.assessment.services.submissions import (
    Incomplete,
    ValueInput,
    evidence_attach,
    review_approve,
    review_return,
    review_unlock,
    submission_save,
    submission_submit,
    unit_signoff,
)
from duibiao.audit.models import AuditEntry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _value(indicator) -> dict:
    if indicator.kind == "ballot":
        return {"ballots": {g: "5" for g in indicator.grade_names}}
    return {"value": "1" if indicator.kind == "yes-no" else "5"}


def fill(ctx, unit: str = "a", who: str = "reporter_a", skip: tuple[str, ...] = (),
         no_evidence: tuple[str, ...] = ()) -> None:
    """Save a value (and the required evidence) for every indicator the unit reports, but
    those in `skip` (left blank) and those in `no_evidence` (saved without their file)."""
    for gap in unit_gaps(ctx["period"], ctx[unit]):
        indicator = gap.indicator
        if indicator.code in skip:
            continue
        sub = Submission.objects.filter(period=ctx["period"], unit=ctx[unit], indicator=indicator).first()
        if gap.blank:
            sub = submission_save(actor=ctx[who], period=ctx["period"], unit=ctx[unit], item=ValueInput(
                indicator=indicator, expected_version=sub.version if sub else 0, **_value(indicator)))
        if indicator.evidence_required and indicator.code not in no_evidence:
            evidence_attach(actor=ctx[who], submission=sub, upload=SimpleUploadedFile("证明.pdf", PDF))


def submit(ctx, **kw):
    return submission_submit(actor=ctx["reporter_a"], period=ctx["period"], unit=ctx["a"], **kw)


def sign(ctx):
    return unit_signoff(actor=ctx["head_a"], period=ctx["period"], unit=ctx["a"])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_submit_while_blank_asks_first_and_changes_nothing(assessed, media):
    fill(assessed, skip=("nl03",), no_evidence=("gz12",))
    with pytest.raises(Incomplete) as refused:
        submit(assessed)
    gaps = {(g.indicator.code, g.blank) for g in refused.value.gaps}
    assert gaps == {("nl03", True), ("gz12", False)}
    assert "“入库入统项目数”缺少佐证材料" in str(refused.value)
    assert not Submission.objects.filter(status="submitted").exists()
    assert not AuditEntry.objects.filter(action="submission.submit").exists()


def test_submit_confirmed_sends_the_complete_ones_and_keeps_the_others(assessed, media):
    fill(assessed, skip=("nl03",), no_evidence=("gz12",))
    count = submit(assessed, confirm=True)
    statuses = dict(Submission.objects.values_list("indicator__code", "status"))
    assert statuses["gz12"] == "draft" and "nl03" not in statuses
    assert count == len(statuses) - 1 and statuses["nl02"] == "submitted"
    entry = AuditEntry.objects.get(action="submission.submit")
    assert sorted(entry.after["incomplete"]) == ["gz12", "nl03"]


def test_a_complete_unit_submits_without_a_question(assessed, media):
    fill(assessed)
    assert unit_gaps(assessed["period"], assessed["a"]) == []
    assert submit(assessed) == Submission.objects.filter(status="submitted").count() > 0


def test_head_cannot_sign_off_with_a_blank_indicator(assessed, media):
    # The attack: every saved value submitted, one indicator never touched at all (no row).
    fill(assessed, skip=("nl03",))
    submit(assessed, confirm=True)
    with pytest.raises(Incomplete, match="未填写") as refused:
        sign(assessed)
    assert [g.indicator.code for g in refused.value.gaps] == ["nl03"]
    assert not UnitSignoff.objects.exists()
    assert not AuditEntry.objects.filter(action="unit.signoff").exists()


def test_head_cannot_sign_off_without_required_evidence(assessed, media):
    fill(assessed, no_evidence=("gz12",))
    submit(assessed, confirm=True)
    with pytest.raises(Incomplete, match="缺少佐证材料"):
        sign(assessed)
    assert not UnitSignoff.objects.exists()


def _signed(ctx):
    fill(ctx)
    submit(ctx)
    sign(ctx)
    return Submission.objects.get(indicator__code="nl02")


def test_a_return_after_sign_off_voids_it_and_says_why(assessed, media):
    sub = _signed(assessed)
    review_return(actor=assessed["taskforce"], submission=sub, expected_version=sub.version, reason="与台账不符")
    signoff = UnitSignoff.objects.get()
    assert not signoff.valid and "与台账不符" in signoff.void_reason and "督查问题整改率" in signoff.void_reason
    assert signoff.voided_by == assessed["taskforce"]
    entry = AuditEntry.objects.get(action="unit.signoff.void")
    assert entry.after["reason"] == signoff.void_reason and entry.username == assessed["taskforce"].username
    with pytest.raises(AssessmentError, match="未提交"):  # the returned value must come back first
        sign(assessed)
    sub.refresh_from_db()
    submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                    item=ValueInput(indicator=sub.indicator, value="91", expected_version=sub.version))
    submit(assessed)
    signoff = sign(assessed)
    assert signoff.valid and signoff.void_reason == "" and UnitSignoff.objects.count() == 1
    assert AuditEntry.objects.filter(action="unit.signoff").count() == 2
    with pytest.raises(AssessmentError, match="已签发"):  # a valid sign-off is not signed twice
        sign(assessed)


def test_an_unlock_after_sign_off_voids_it_too(assessed, media):
    sub = _signed(assessed)
    sub = review_approve(actor=assessed["taskforce"], submission=sub, expected_version=sub.version)
    review_unlock(actor=assessed["office"], submission=sub, expected_version=sub.version, reason="统计局更正")
    assert not UnitSignoff.objects.get().valid


def test_a_return_without_a_sign_off_voids_nothing(assessed, media):
    fill(assessed)
    submit(assessed)
    sub = Submission.objects.get(indicator__code="nl02")
    review_return(actor=assessed["taskforce"], submission=sub, expected_version=sub.version, reason="x")
    assert not AuditEntry.objects.filter(action="unit.signoff.void").exists()


# ------------------------------------------------------------------------------- pages

def test_submit_page_lists_the_gaps_and_submits_only_when_confirmed(client_for, assessed, media):
    fill(assessed, skip=("nl03",))
    reporter = client_for(assessed["reporter_a"])
    url = reverse("assessment:report_submit", args=[assessed["period"].pk, "jingyu"])
    asked = reporter.post(url)
    html = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="gap-nl03"' in html and "仍然提交" in html
    assert 'name="confirm" value="1"' in html
    assert not Submission.objects.filter(status="submitted").exists()
    done = reporter.post(url, {"confirm": "1"})
    assert done.status_code == 302 and Submission.objects.filter(status="submitted").exists()


def test_refused_sign_off_is_explained_beside_the_button(client_for, assessed, media):
    fill(assessed, skip=("nl03",))
    submit(assessed, confirm=True)
    head = client_for(assessed["head_a"])
    response = head.post(reverse("assessment:report_signoff", args=[assessed["period"].pk, "jingyu"]))
    html = response.content.decode()
    assert response.status_code == 422 and 'data-testid="signoff-refusal"' in html
    start = html.index('data-testid="signoff-refusal"')
    refusal = html[start:html.index("</ul>", start)]
    assert "不能签发" in refusal and f"{assessed['ind']['nl03'].name}</a>：未填写" in refusal
    assert 'href="#row-nl03"' in refusal and 'href="#row-nl02"' not in refusal
    assert not UnitSignoff.objects.exists()


def test_the_head_is_told_on_the_report_page_and_home(client_for, assessed, media):
    sub = _signed(assessed)
    review_return(actor=assessed["taskforce"], submission=sub, expected_version=sub.version, reason="与台账不符")
    head = client_for(assessed["head_a"])
    page = head.get(reverse("assessment:report_unit", args=[assessed["period"].pk, "jingyu"])).content.decode()
    assert 'data-testid="signoff-void"' in page and "与台账不符" in page
    assert 'data-testid="signoff-badge"' not in page and 'data-testid="signoff"' in page  # may sign again
    home = head.get(reverse("web:home")).content.decode()
    assert 'data-testid="signoff-void-notice"' in home and "与台账不符" in home


def test_api_submit_refuses_with_the_list_until_confirmed(client_for, assessed, media):
    fill(assessed, skip=("nl03",))
    client = client_for(assessed["reporter_a"])
    base = f"/api/assessment/periods/{assessed['period'].pk}/units/jingyu/submit"
    refused = client.post(base)
    assert refused.status_code == 422 and "未填写" in refused.json()["detail"]
    assert client.post(f"{base}?confirm=true").json()["submitted"] > 0
