"""Uploaded files sealed at rest by setting (DUIBIAO_ENCRYPT_UPLOADS): the switch both ways,
files written either way read either way, a changed file refused, the serving code unchanged."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duibiao.assessment.models import Submission
from duibiao.assessment.services.submissions import evidence_attach
from duibiao.crypto.sm4 import OVERHEAD, SealError
from duibiao.crypto.storage import SealedStorage, read_stored
from tests.files import samples

SM4_KEY = "00112233445566778899aabbccddeeff"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DUIBIAO_SM4_KEY = SM4_KEY
    return tmp_path


def _on_disk(name: str) -> bytes:
    with read_stored(default_storage, name) as handle:
        return handle.read()


def test_the_default_storage_is_the_sealing_wrapper(media):
    assert isinstance(default_storage, SealedStorage)


def test_on_the_bytes_on_disk_are_not_the_file_and_read_back_equal(media, settings):
    settings.DUIBIAO_ENCRYPT_UPLOADS = True
    name = default_storage.save("evidence/证明材料.pdf", ContentFile(samples.PDF))
    stored = (media / name).read_bytes()
    assert stored == _on_disk(name) and samples.PDF not in stored and b"%PDF" not in stored
    assert len(stored) == len(samples.PDF) + OVERHEAD
    with default_storage.open(name) as handle:
        assert handle.read() == samples.PDF
    assert default_storage.size(name) == len(samples.PDF)


def test_off_the_file_is_stored_as_it_is(media, settings):
    settings.DUIBIAO_ENCRYPT_UPLOADS = False
    name = default_storage.save("evidence/plain.pdf", ContentFile(samples.PDF))
    assert (media / name).read_bytes() == samples.PDF
    with default_storage.open(name) as handle:
        assert handle.read() == samples.PDF
    assert default_storage.size(name) == len(samples.PDF)


def test_files_written_either_way_are_read_after_the_switch_is_turned(media, settings):
    settings.DUIBIAO_ENCRYPT_UPLOADS = False
    plain = default_storage.save("evidence/before.pdf", ContentFile(samples.PDF))
    settings.DUIBIAO_ENCRYPT_UPLOADS = True
    sealed = default_storage.save("evidence/during.pdf", ContentFile(samples.PDF))
    with default_storage.open(plain) as handle:  # written before the switch: read as stored
        assert handle.read() == samples.PDF
    settings.DUIBIAO_ENCRYPT_UPLOADS = False
    with default_storage.open(sealed) as handle:  # sealed, read after the switch is off again
        assert handle.read() == samples.PDF
    # and after a key rotation, with the old key kept for opening
    settings.DUIBIAO_SM4_KEY, settings.DUIBIAO_SM4_OLD_KEYS = "ff" * 16, [SM4_KEY]
    with default_storage.open(sealed) as handle:
        assert handle.read() == samples.PDF


def test_a_changed_sealed_file_is_refused(media, settings):
    settings.DUIBIAO_ENCRYPT_UPLOADS = True
    name = default_storage.save("evidence/x.pdf", ContentFile(samples.PDF))
    stored = bytearray((media / name).read_bytes())
    stored[len(stored) // 2] ^= 0x20
    (media / name).write_bytes(bytes(stored))
    with pytest.raises(SealError):
        default_storage.open(name)
    (media / name).write_bytes(bytes(stored[: len(stored) // 2]))  # cut short
    with pytest.raises(SealError):
        default_storage.open(name)


def test_evidence_uploaded_sealed_downloads_as_uploaded(assessed, media, settings, client_for):
    settings.DUIBIAO_ENCRYPT_UPLOADS = True
    draft = Submission.objects.create(period=assessed["period"], unit=assessed["a"],
                                      indicator=assessed["ind"]["nl02"], value=90)
    evidence = evidence_attach(actor=assessed["reporter_a"], submission=draft,
                               upload=SimpleUploadedFile("证明材料.pdf", samples.PDF))
    assert samples.PDF not in (media / evidence.file.name).read_bytes()
    response = client_for(assessed["office"]).get(reverse("assessment:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == samples.PDF


def test_rotate_seals_keys_and_files_again_under_the_new_key(world, media, settings):
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice as RawDevice

    from duibiao.audit.models import AuditEntry
    from duibiao.crypto.models import SealedTOTPDevice
    from duibiao.crypto.sm4 import key_id, sealed_with

    settings.DUIBIAO_ENCRYPT_UPLOADS = True
    device = SealedTOTPDevice.objects.create(user=world["sysadmin"], name="authenticator", confirmed=True,
                                             key=b"0123456789abcdefghij".hex())
    sealed = default_storage.save("evidence/old.pdf", ContentFile(samples.PDF))
    settings.DUIBIAO_ENCRYPT_UPLOADS = False
    plain = default_storage.save("evidence/plain.pdf", ContentFile(samples.PDF))
    old_column = RawDevice.objects.values_list("key", flat=True).get(pk=device.pk)

    settings.DUIBIAO_SM4_KEY, settings.DUIBIAO_SM4_OLD_KEYS = "ff" * 16, [SM4_KEY]
    call_command("crypto", "rotate", "--seal-plain")
    new_id = key_id(bytes.fromhex("ff" * 16))
    assert sealed_with(_on_disk(sealed)) == new_id and sealed_with(_on_disk(plain)) == new_id
    assert RawDevice.objects.values_list("key", flat=True).get(pk=device.pk) != old_column
    row = AuditEntry.objects.get(action="crypto.rotate")
    assert row.after["totp_keys"] == 1 and row.after["files"] == 1 and row.after["plain_files_sealed"] == 1

    settings.DUIBIAO_SM4_OLD_KEYS = []  # the old key can go now: everything still opens
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == b"0123456789abcdefghij"
    for name in (sealed, plain):
        with default_storage.open(name) as handle:
            assert handle.read() == samples.PDF


def test_a_changed_sealed_evidence_file_answers_the_sites_error_page_not_a_500(assessed, media, settings, client_for):
    settings.DUIBIAO_ENCRYPT_UPLOADS = True
    draft = Submission.objects.create(period=assessed["period"], unit=assessed["a"],
                                      indicator=assessed["ind"]["nl02"], value=90)
    evidence = evidence_attach(actor=assessed["reporter_a"], submission=draft,
                               upload=SimpleUploadedFile("证明材料.pdf", samples.PDF))
    path = media / evidence.file.name
    stored = bytearray(path.read_bytes())
    stored[-1] ^= 0x01  # the tag
    path.write_bytes(bytes(stored))
    client = client_for(assessed["office"])
    client.raise_request_exception = False
    response = client.get(reverse("assessment:evidence_download", args=[evidence.pk]))
    assert response.status_code == 400 and "请求无法处理" in response.content.decode()
    assert samples.PDF not in response.content
