"""SM4 envelopes are bound to what they seal: a TOTP key to its device's user, a file to its
storage name. The attacks: a sealed secret copied onto another user's device row, a sealed file
renamed onto another file's name, an envelope's version byte lowered to the unbound format —
each refused. Envelopes written before the binding (version 1) still open, and `duibiao crypto
rotate` seals them again, bound."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice as RawDevice

from duibiao.crypto.keys import keyring
from duibiao.crypto.models import SealedTOTPDevice
from duibiao.crypto.sm4 import (
    MAGIC,
    NONCE_LEN,
    UNBOUND_VERSION,
    VERSION,
    Keyring,
    SealError,
    envelope_version,
    open_sealed,
    seal,
)
from duibiao.crypto.storage import SealedFileRefused, read_stored
from duibiao.crypto.text import PREFIX, envelope_of
from tests.files import samples

SM4_KEY = "00112233445566778899aabbccddeeff"
KEY = b"0123456789abcdefghij"


def unbound_envelope(ring: Keyring, plaintext: bytes) -> bytes:
    """An envelope as version 1 wrote it: the header alone as associated data."""
    header = MAGIC + bytes([UNBOUND_VERSION]) + ring.current_id
    nonce = os.urandom(NONCE_LEN)
    encryptor = Cipher(algorithms.SM4(ring.current), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(header)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return header + nonce + body + encryptor.tag


def as_text(envelope: bytes) -> str:
    import base64

    return PREFIX + base64.urlsafe_b64encode(envelope).decode().rstrip("=")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DUIBIAO_SM4_KEY = SM4_KEY
    settings.DUIBIAO_ENCRYPT_UPLOADS = True
    return tmp_path


# --- The envelope ---------------------------------------------------------------------

def test_an_envelope_opens_only_with_what_it_was_bound_to():
    ring = Keyring.from_hex(SM4_KEY)
    envelope = seal(ring, b"secret", bound_to=b"file evidence/a.pdf")
    assert envelope_version(envelope) == VERSION == 2
    assert open_sealed(ring, envelope, bound_to=b"file evidence/a.pdf") == b"secret"
    for elsewhere in (b"file evidence/b.pdf", b"", b"file evidence/a.pdf "):
        with pytest.raises(SealError, match="不属于此处"):
            open_sealed(ring, envelope, bound_to=elsewhere)


def test_lowering_the_version_byte_to_the_unbound_format_is_refused():
    ring = Keyring.from_hex(SM4_KEY)
    envelope = bytearray(seal(ring, b"secret", bound_to=b"file evidence/a.pdf"))
    envelope[len(MAGIC)] = UNBOUND_VERSION  # "open me without the binding"
    for bound_to in (b"file evidence/a.pdf", b"file evidence/b.pdf"):
        with pytest.raises(SealError):
            open_sealed(ring, bytes(envelope), bound_to=bound_to)


def test_an_unbound_envelope_of_before_still_opens_whatever_the_binding():
    ring = Keyring.from_hex(SM4_KEY)
    old = unbound_envelope(ring, b"sealed last year")
    assert envelope_version(old) == UNBOUND_VERSION
    assert open_sealed(ring, old, bound_to=b"file anything") == b"sealed last year"


# --- TOTP device keys -------------------------------------------------------------------

def test_a_sealed_key_copied_onto_another_users_device_does_not_open(world, settings):
    settings.DUIBIAO_SM4_KEY = SM4_KEY
    victim = SealedTOTPDevice.objects.create(user=world["sysadmin"], name="authenticator", confirmed=True,
                                             key=KEY.hex())
    attacker = SealedTOTPDevice.objects.create(user=world["auditor"], name="authenticator", confirmed=True,
                                               key=os.urandom(20).hex())
    # With database access, the attacker copies the admin's sealed key onto the attacker's own
    # row, hoping to read the admin's codes through it (or to reuse a known key elsewhere).
    stolen = RawDevice.objects.values_list("key", flat=True).get(pk=victim.pk)
    RawDevice.objects.filter(pk=attacker.pk).update(key=stolen)
    with pytest.raises(SealError, match="不属于此处"):
        _ = SealedTOTPDevice.objects.get(pk=attacker.pk).bin_key
    assert SealedTOTPDevice.objects.get(pk=victim.pk).bin_key == KEY  # where it belongs it opens


def test_an_unbound_key_opens_and_rotate_binds_it(world, media):
    device = SealedTOTPDevice.objects.create(user=world["sysadmin"], name="authenticator", confirmed=True,
                                             key=KEY.hex())
    RawDevice.objects.filter(pk=device.pk).update(key=as_text(unbound_envelope(keyring(), KEY)))
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == KEY  # written before the binding: opens

    call_command("crypto", "rotate")  # same key: only the unbound envelope is sealed again
    column = RawDevice.objects.values_list("key", flat=True).get(pk=device.pk)
    assert envelope_version(envelope_of(column)) == VERSION
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == KEY
    other = SealedTOTPDevice.objects.create(user=world["auditor"], name="authenticator", confirmed=True,
                                            key=os.urandom(20).hex())
    RawDevice.objects.filter(pk=other.pk).update(key=column)
    with pytest.raises(SealError):
        _ = SealedTOTPDevice.objects.get(pk=other.pk).bin_key


# --- Uploaded files ---------------------------------------------------------------------

def _stored(name: str) -> bytes:
    with read_stored(default_storage, name) as handle:
        return handle.read()


def test_a_sealed_file_renamed_onto_another_files_name_does_not_open(media):
    mine = default_storage.save("evidence/unit-a.pdf", ContentFile(samples.PDF))
    theirs = default_storage.save("evidence/unit-b.pdf", ContentFile(b"%PDF-1.4 another unit's file"))
    # With write access to the files folder, the attacker puts one unit's file under the
    # other's name (each record would then serve the other's evidence).
    (media / theirs).write_bytes((media / mine).read_bytes())
    with pytest.raises(SealedFileRefused, match="不属于此处"):
        default_storage.open(theirs)
    with default_storage.open(mine) as handle:
        assert handle.read() == samples.PDF


def test_a_name_the_inner_storage_changes_is_the_name_sealed(media):
    first = default_storage.save("evidence/same.pdf", ContentFile(b"%PDF-1.4 first"))
    # Saved under a name already taken: the inner storage picks another, and the envelope
    # must be bound to that one, or the file would never open.
    second = default_storage._save(first, ContentFile(b"%PDF-1.4 second"))
    assert second != first
    with default_storage.open(second) as handle:
        assert handle.read() == b"%PDF-1.4 second"
    with default_storage.open(first) as handle:
        assert handle.read() == b"%PDF-1.4 first"
    assert sorted(p.name for p in (media / "evidence").iterdir()) == sorted(
        [first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]])


def test_an_unbound_file_opens_and_rotate_binds_it(world, media):
    name = "evidence/old.pdf"
    (media / "evidence").mkdir()
    (media / name).write_bytes(unbound_envelope(keyring(), samples.PDF))
    with default_storage.open(name) as handle:
        assert handle.read() == samples.PDF

    call_command("crypto", "rotate")
    assert envelope_version(_stored(name)) == VERSION
    with default_storage.open(name) as handle:
        assert handle.read() == samples.PDF
    (media / "evidence" / "copy.pdf").write_bytes(_stored(name))  # now bound: a copy does not open
    with pytest.raises(SealedFileRefused):
        default_storage.open("evidence/copy.pdf")
