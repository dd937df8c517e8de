"""No write without a version (security review, hole 6).

The attack: `version` was optional in `PUT …/values/{code}`; 50 clients writing at once
without it all got 200 and 49 updates were silently overwritten. Now every write of a
versioned object names the version it read: without it the API answers 422 and a form 400
("页面已过期"), and of 50 writers with the same version exactly one wins.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from duibiao.assessment.models import Submission
from duibiao.assessment.services.submissions import ValueInput, submission_save, submission_submit
from duibiao.audit.models import AuditEntry

WRITERS = 50


def value_url(ctx, code="nl02"):
    return f"/api/assessment/periods/{ctx['period'].pk}/units/jingyu/values/{code}"


def saved(ctx, code="nl02", value="90"):
    return submission_save(actor=ctx["reporter_a"], period=ctx["period"], unit=ctx["a"],
                           item=ValueInput(indicator=ctx["ind"][code], value=value, expected_version=0))


# ---------------------------------------------------------------- the API: 422 without a version


def test_api_writes_without_a_version_are_422_and_change_nothing(client_for, assessed):
    sub = saved(assessed)
    reporter = client_for(assessed["reporter_a"])
    response = reporter.put(value_url(assessed), {"value": "91"}, content_type="application/json")
    assert response.status_code == 422
    assert "页面已过期" in response.json()["detail"] and response.json()["errors"]
    assert reporter.put(value_url(assessed, "nl03"), {"value": "91"}, content_type="application/json").status_code == 422
    submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"], confirm=True)
    reviewer, office = client_for(assessed["taskforce"]), client_for(assessed["office"])
    base = "/api/assessment/submissions"
    for who, url, payload in (
        (reviewer, f"{base}/{sub.pk}/approve", {}),
        (reviewer, f"{base}/{sub.pk}/return", {"reason": "请核对"}),
        (office, f"{base}/{sub.pk}/unlock", {"reason": "更正"}),
        (reviewer, f"/api/assessment/periods/{assessed['period'].pk}/units/jingyu/scores/nl01",
         {"value": "90", "justification": "评定"}),
        (office, "/api/assessment/schemes/daowai-2023/versions", {"document": assessed["version"].document}),
    ):
        method = who.put if "/scores/" in url else who.post
        response = method(url, payload, content_type="application/json")
        assert response.status_code == 422, url
        assert "页面已过期" in response.json()["detail"], url
    sub.refresh_from_db()
    assert (sub.value, sub.status, sub.version) == (Decimal("90"), "submitted", 2)
    assert Submission.objects.count() == 1 and assessed["scheme"].versions.count() == 1


def test_api_first_write_names_version_0_and_a_stale_one_is_409(client_for, assessed):
    reporter = client_for(assessed["reporter_a"])
    first = reporter.put(value_url(assessed), {"value": "90", "version": 0}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 1
    again = reporter.put(value_url(assessed), {"value": "91", "version": 0}, content_type="application/json")
    assert again.status_code == 409 and "已被他人修改" in again.json()["detail"]
    assert Submission.objects.get().value == 90


# ---------------------------------------------------------------- forms: 400 "页面已过期"


def test_a_form_without_its_version_is_400_in_the_layout_and_in_htmx(client_for, assessed):
    sub = saved(assessed)
    client = client_for(assessed["reporter_a"])
    url = reverse("assessment:value_save", args=[assessed["period"].pk, "jingyu", "nl02"])
    page = client.post(url, {"value": "91"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "页面已过期" in text and 'data-testid="bad-request"' in text and "<nav" in text  # the site layout
    fragment = client.post(url, {"value": "91"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 400 and "<nav" not in fragment.content.decode()
    assert "页面已过期" in fragment.content.decode()
    assert fragment["HX-Retarget"] == "#page-alerts" and fragment["HX-Reswap"] == "innerHTML"
    sub.refresh_from_db()
    assert (sub.value, sub.version) == (Decimal("90"), 1)


def test_review_and_score_forms_need_their_version(client_for, assessed):
    sub = saved(assessed)
    submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"], confirm=True)
    reviewer = client_for(assessed["taskforce"])
    assert reviewer.post(reverse("assessment:approve", args=[sub.pk])).status_code == 400
    assert reviewer.post(reverse("assessment:return", args=[sub.pk]), {"reason": "x"}).status_code == 400
    score = reviewer.post(reverse("assessment:score", args=[assessed["period"].pk, "nl01", "jingyu"]),
                          {"value": "88", "justification": "评定"})
    assert score.status_code == 400 and "页面已过期" in score.content.decode()
    assert Submission.objects.get(pk=sub.pk).status == "submitted"
    assert not Submission.objects.filter(indicator__code="nl01").exists()


def test_the_pages_carry_the_version_in_every_form(client_for, assessed):
    saved(assessed)
    page = client_for(assessed["reporter_a"]).get(
        reverse("assessment:report_unit", args=[assessed["period"].pk, "jingyu"])).content.decode()
    forms = page.count('hx-post="/assessment/periods/')
    assert forms and page.count('name="version"') == forms
    assert 'name="version" value="1"' in page and 'name="version" value="0"' in page


# ---------------------------------------------------------------- 50 writers at once


def _race(ctx, payloads: list[dict]) -> list[int]:
    """Each payload PUT by its own client in its own thread, released together."""
    clients = []
    for _ in payloads:
        client = Client()
        client.force_login(ctx["reporter_a"])
        clients.append(client)
    start = threading.Barrier(len(payloads))
    statuses: list[int] = [0] * len(payloads)

    def write(i: int) -> None:
        try:
            start.wait()
            statuses[i] = clients[i].put(value_url(ctx), payloads[i], content_type="application/json").status_code
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(payloads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_fifty_writers_without_a_version_are_all_refused_and_nothing_is_lost(assessed):
    saved(assessed, value="50")
    statuses = _race(assessed, [{"value": str(60 + i)} for i in range(WRITERS)])
    assert statuses == [422] * WRITERS
    sub = Submission.objects.get()
    assert (sub.value, sub.version) == (Decimal("50"), 1)
    assert AuditEntry.objects.filter(action="submission.save").count() == 1  # the first save only


@pytest.mark.django_db(transaction=True)
def test_fifty_writers_with_the_same_version_one_wins_and_the_others_are_told(assessed):
    saved(assessed, value="50")
    # Each writer a different value within the indicator's 0–100 % rule, so the stored one
    # names the winner.
    statuses = _race(assessed, [{"value": str(51 + i), "version": 1} for i in range(WRITERS)])
    assert sorted(statuses) == [200] + [409] * (WRITERS - 1)
    winner = statuses.index(200)
    sub = Submission.objects.get()
    assert (sub.value, sub.version) == (Decimal(51 + winner), 2)
    saves = AuditEntry.objects.filter(action="submission.save").order_by("pk")
    assert saves.count() == 2 and saves.last().after["value"] == str(51 + winner)
