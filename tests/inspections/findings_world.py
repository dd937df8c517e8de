"""What the campaign and finding tests share: an inspector, a campaign over units A and B,
photos made on the spot (one with GPS EXIF, as a phone writes it), and findings moved to any
state through the services (never by hand), so each test starts where it needs to."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import PASSWORD, build_world

FOUND_ON = date(2026, 9, 28)  # + 5 working days = 2026-10-10: National Day, then its make-up Saturday
LAT, LNG = 45.775, 126.65


def jpeg(*, gps: bool = True, size: tuple[int, int] = (64, 48), colour=(10, 120, 30)) -> bytes:
    """A JPEG as a phone writes it: maker, model, orientation and (when asked) GPS in EXIF."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "HUAWEI", "P60 Pro"
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (45.0, 46.0, 30.0), 3: "E", 4: (126.0, 39.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def photo(name: str = "现场.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg() if data is None else data, content_type="image/jpeg")


def build_inspections(w: dict) -> dict:
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.inspections.models import Campaign
    from duibiao.inspections.services.campaigns import CampaignInput, campaign_create

    def person(username: str, role: str, units: list, **grant):
        user = user_create(actor=None, username=username, password=PASSWORD)
        role_grant(actor=None, user=user, role=role, units=units, **grant)
        return user

    if "inspector" not in w:
        w["inspector"] = person("duzhao", Role.INSPECTOR, [w["district"]])
    w["inspector_b"] = person("duzhao_b", Role.INSPECTOR, [w["b"]], include_subtree=False)
    w["campaign"] = campaign_create(actor=w["office"], data=CampaignInput(
        name="2026年秋季城市管理检查", kind=Campaign.Kind.CITY, starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 31), units=[w["a"], w["b"]], inspectors=[w["inspector"], w["inspector_b"]],
        places="靖宇街、太古街沿线"))
    return w


def record(w: dict, *, unit_key: str = "a", address: str = "靖宇街12号", lat=LAT, lng=LNG, category="占道经营",
           photos=None, actor=None):
    from duibiao.inspections.services.findings import FindingInput, finding_record

    return finding_record(
        actor=actor or w["inspector"], campaign=w["campaign"],
        data=FindingInput(unit=w[unit_key], description="店外占道经营，堆放杂物", category=category, address=address,
                          workdays=5, found_on=FOUND_ON,
                          lat=None if lat is None else Decimal(str(lat)), lng=None if lng is None else Decimal(str(lng))),
        photos=[photo()] if photos is None else photos)


def to_state(w: dict, state: str):
    """A finding of unit A in `state`, reached through the services."""
    from duibiao.inspections.services.findings import finding_report, finding_verify

    finding = record(w)
    if state == "open":
        return finding
    finding = finding_report(actor=w["reporter_a"], finding=finding, expected_version=finding.version,
                             text="已清理", photos=[photo("整改后.jpg", jpeg(gps=False))])
    if state == "reported":
        return finding
    if state == "returned":
        return finding_verify(actor=w["inspector"], finding=finding, expected_version=finding.version,
                              step="return", reason="仍有杂物")
    step = {"closed": "close", "closed_not_fixed": "close_not_fixed"}[state]
    return finding_verify(actor=w["inspector"], finding=finding, expected_version=finding.version, step=step,
                          reason="" if step == "close" else "商户拒不整改，移交执法")


@pytest.fixture
def insp(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_inspections(world)


__all__ = ["FOUND_ON", "LAT", "LNG", "build_inspections", "build_world", "insp", "jpeg", "photo", "record",
           "to_state"]
