"""What a period or a combination hangs off may be missing (a scheme without a version, an
office that sees no scheme yet): each is refused with its reason, never a server error."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Combination, Period
from duibiao.assessment.services.combinations import combination_save
from duibiao.assessment.services.periods import period_create


def test_a_period_of_a_scheme_without_a_version_is_refused(world):
    with pytest.raises(AssessmentError, match="还没有任何版本"):
        period_create(actor=world["office"], version=None, kind="quarter", year=2026, number=1,
                      opens_on=date(2026, 4, 1))
    assert not Period.objects.exists()


def test_a_combination_without_a_district_is_refused(world):
    with pytest.raises(AssessmentError, match="还没有考核方案"):
        combination_save(actor=world["office"], code="y2026", name="年度", year=2026, district=None,
                         parts=[("年度", 100.0, [])])
    assert not Combination.objects.exists()


def test_the_combination_page_says_why_when_the_office_sees_no_scheme(world, client_for):
    client = client_for(world["office"])
    response = client.post(reverse("assessment:combination_edit"), {
        "code": "y2026", "name": "年度结果", "year": "2026", "name-0": "年度", "weight-0": "100",
    })
    assert response.status_code == 200
    assert "还没有考核方案，不能合成年度结果" in response.content.decode()
    assert not Combination.objects.exists()
