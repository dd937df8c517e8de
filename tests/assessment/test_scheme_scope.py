"""A district's office sees the city's scheme (schemes are read upwards) but acts only on its
own unit's: editing the city's scheme, opening its periods or scoring them is refused, on
the pages and in the services, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404
from django.urls import reverse

from duibiao.assessment.models import Period, SchemeVersion, ScoringRun
from duibiao.assessment.services.periods import period_create
from duibiao.assessment.services.runs import run_start
from duibiao.assessment.services.schemes import scheme_create, scheme_version_save


@pytest.fixture
def city_scheme(assessed):
    scheme = scheme_create(actor=None, code="harbin-2023", name="哈尔滨市方案", year=2023,
                           district=assessed["city"], document=assessed["version"].document)
    period = Period.objects.create(
        version=scheme.versions.get(), kind=Period.Kind.QUARTER, year=2026, number=4, name="市2026年第四季度",
        opens_on=date(2026, 10, 9), deadline_workdays=10, deadline=date(2026, 10, 23), status=Period.Status.OPEN,
    )
    return {**assessed, "city_scheme": scheme, "city_period": period}


def test_the_district_office_sees_the_city_scheme_but_cannot_change_it(city_scheme, client_for):
    office, scheme = city_scheme["office"], city_scheme["city_scheme"]
    client = client_for(office)
    assert client.get(reverse("assessment:scheme_detail", args=[scheme.code])).status_code == 200
    assert client.get(reverse("assessment:scheme_edit", args=[scheme.code])).status_code == 404
    posted = client.post(reverse("assessment:scheme_edit", args=[scheme.code]),
                         {"document": scheme.versions.get().document, "based_on": "1", "note": "改"})
    assert posted.status_code == 404
    with pytest.raises(Http404):
        scheme_version_save(actor=office, scheme=scheme, document=scheme.versions.get().document)
    assert SchemeVersion.objects.filter(scheme=scheme).count() == 1
    # ... while its own district's scheme is its to edit
    assert client.get(reverse("assessment:scheme_edit", args=[city_scheme["scheme"].code])).status_code == 200


def test_the_district_office_cannot_open_or_score_the_city_periods(city_scheme, client_for):
    office, period = city_scheme["office"], city_scheme["city_period"]
    with pytest.raises(Http404):
        period_create(actor=office, version=period.version, kind=Period.Kind.QUARTER, year=2027, number=1,
                      opens_on=date(2027, 1, 11), deadline_workdays=10)
    with pytest.raises(Http404):
        run_start(actor=office, period=period)
    response = client_for(office).post(reverse("assessment:run_start", args=[period.pk]), {"note": "x"})
    assert response.status_code == 404
    assert not ScoringRun.objects.filter(period=period).exists()
    assert Period.objects.filter(version__scheme=city_scheme["city_scheme"]).count() == 1
