"""SM3 and SM4 as the standards print them, and an independent implementation (gmssl,
pure Python) agreeing with ours (OpenSSL through pyca/cryptography)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import sm3 as gm_sm3
from gmssl import sm4 as gm_sm4

from duibiao.crypto.sm4 import (
    HEADER_LEN,
    NONCE_LEN,
    KeyConfigError,
    Keyring,
    SealError,
    key_id,
    open_sealed,
    seal,
    sealed_with,
    sm3,
)

# GB/T 32905-2016, appendix A: example 1 ("abc") and example 2 (64 bytes).
SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]


@pytest.mark.parametrize(("message", "digest"), SM3_VECTORS)
def test_sm3_gives_the_standards_digests(message, digest):
    assert sm3(message).hex() == digest
    assert gm_sm3.sm3_hash(list(message)) == digest  # the independent implementation agrees


def test_sm4_gives_the_standards_block():
    # GB/T 32907-2016, appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"
    reference = gm_sm4.CryptSM4(padding_mode=-1)  # no padding: one raw block
    reference.set_key(key, gm_sm4.SM4_ENCRYPT)
    assert reference.crypt_ecb(key).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_gcm_gives_rfc_8998s_vector():
    # RFC 8998, appendix A.1 (SM4-GCM), the construction the envelopes use.
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    iv = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plain = bytes.fromhex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
                          "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA")
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(iv)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plain) + encryptor.finalize()
    assert body.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert encryptor.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


KEY = "00112233445566778899aabbccddeeff"
OTHER = "ffeeddccbbaa99887766554433221100"
B = b"file evidence/a.pdf"  # what an envelope is bound to


def test_an_envelope_opens_to_what_was_sealed_and_hides_it():
    ring = Keyring.from_hex(KEY)
    secret = "考核结果 secret".encode() * 10
    envelope = seal(ring, secret, bound_to=B)
    assert secret not in envelope and open_sealed(ring, envelope, bound_to=B) == secret
    assert seal(ring, secret, bound_to=B) != envelope  # a fresh nonce every time
    assert sealed_with(envelope) == key_id(bytes.fromhex(KEY))


@pytest.mark.parametrize("where", ["magic", "version", "key id", "nonce", "body", "tag"])
def test_a_changed_byte_anywhere_is_refused(where):
    ring = Keyring.from_hex(KEY)
    envelope = bytearray(seal(ring, b"0123456789abcdefghij", bound_to=B))
    at = {"magic": 1, "version": 3, "key id": 5, "nonce": HEADER_LEN + 2,
          "body": HEADER_LEN + NONCE_LEN + 3, "tag": len(envelope) - 1}[where]
    envelope[at] ^= 0x01
    with pytest.raises(SealError):
        open_sealed(ring, bytes(envelope), bound_to=B)


def test_a_cut_envelope_is_refused():
    ring = Keyring.from_hex(KEY)
    envelope = seal(ring, b"0123456789abcdefghij", bound_to=B)
    for length in (0, 5, HEADER_LEN + NONCE_LEN, len(envelope) - 1):
        with pytest.raises(SealError):
            open_sealed(ring, envelope[:length], bound_to=B)


def test_rotation_old_keys_open_the_current_key_seals():
    old_ring = Keyring.from_hex(KEY)
    sealed_before = seal(old_ring, b"enrolled last year", bound_to=B)
    rotated = Keyring.from_hex(OTHER, [KEY])
    assert open_sealed(rotated, sealed_before, bound_to=B) == b"enrolled last year"
    assert sealed_with(seal(rotated, b"new", bound_to=B)) == key_id(bytes.fromhex(OTHER))
    with pytest.raises(SealError, match="不在"):  # the old key dropped too early: said so
        open_sealed(Keyring.from_hex(OTHER), sealed_before, bound_to=B)


@pytest.mark.parametrize("bad", ["", "abc", "00" * 15, "00" * 17, "zz" * 16])
def test_a_key_that_is_not_16_bytes_of_hex_is_refused(bad):
    with pytest.raises(KeyConfigError, match="32 位十六进制"):
        Keyring.from_hex(bad)
