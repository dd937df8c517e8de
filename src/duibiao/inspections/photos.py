"""A photo as it arrives from a phone: checked by content, hashed as received, its EXIF
location and device read out, and re-encoded without any metadata for display.

Phones write where and with what a picture was taken into its EXIF. That belongs to the
inspection record (the inspector sees it), not to everyone who opens the picture: the served
image is a fresh encoding of the pixels only, so no EXIF, XMP or comment survives.

    prepared = photo_prepare(upload)   # or PhotoRejected, before anything is stored
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from fractions import Fraction
from typing import IO, Any

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from duibiao.files.uploads import IMAGES, JPEG, MB, PNG, WEBP, UploadRejected, upload_type
from duibiao.inspections.errors import PhotoRejected

MAX_PHOTO_BYTES = 15 * MB  # a phone's full-size JPEG is 3–8 MB
MAX_SIDE = 2560  # what is shown: enough to read a sign on a phone or a screen
MAX_PHOTOS = 9  # per step, as a phone's picker offers

GPS_IFD, EXIF_IFD = 0x8825, 0x8769
MAKE, MODEL, SOFTWARE, DATETIME = 0x010F, 0x0110, 0x0131, 0x0132
DATETIME_ORIGINAL = 0x9003
SAVE_FORMAT = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


@dataclass
class PreparedPhoto:
    name: str
    content_type: str
    size: int  # of the upload as received
    sha256: str  # of the upload as received: the evidence
    display: bytes  # the re-encoded image without metadata: what is stored and served
    exif: dict[str, Any] = field(default_factory=dict)


def photo_prepare(upload: IO[bytes], name: str = "") -> PreparedPhoto:
    """Check, hash, read the EXIF of and re-encode one uploaded image."""
    try:
        mime = upload_type(upload, allowed=frozenset(IMAGES), max_bytes=MAX_PHOTO_BYTES)
    except UploadRejected as exc:
        raise PhotoRejected(_("照片“%(name)s”未被接受：%(reason)s") % {"name": name or _("照片"), "reason": exc.reason}, field="photos") from exc
    handle = getattr(upload, "file", upload)
    handle.seek(0)
    raw = handle.read()
    handle.seek(0)
    try:
        with Image.open(io.BytesIO(raw)) as image:
            exif = exif_summary(image)
            display = _reencode(image, mime)
    except Exception as exc:  # decoding the full image can still fail where the check passed
        raise PhotoRejected(_("照片“%(name)s”已损坏，无法读取") % {"name": name or _("照片")},
                            field="photos") from exc
    return PreparedPhoto(name=(name or "photo")[:200], content_type=mime, size=len(raw),
                         sha256=hashlib.sha256(raw).hexdigest(), display=display, exif=exif)


def _reencode(image: Image.Image, mime: str) -> bytes:
    """The pixels only, turned upright as the EXIF orientation said, at most MAX_SIDE."""
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    if mime == JPEG and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": 85} if mime in (JPEG, WEBP) else {}
    upright.save(out, format=SAVE_FORMAT[mime], **options)  # no exif=, no pnginfo=: nothing carried over
    return out.getvalue()


def exif_summary(image: Image.Image) -> dict[str, Any]:
    """Where, when and with what the photo was taken, from its EXIF (empty when none)."""
    exif = image.getexif()
    found: dict[str, Any] = {}
    for key, tag in (("make", MAKE), ("model", MODEL), ("software", SOFTWARE), ("datetime", DATETIME)):
        if exif.get(tag):
            found[key] = str(exif[tag]).strip("\x00 ")[:100]
    taken = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL)
    if taken:
        found["taken_at"] = str(taken).strip("\x00 ")[:40]
    gps = exif.get_ifd(GPS_IFD)
    lat = _degrees(gps.get(2), gps.get(1), "S")
    lng = _degrees(gps.get(4), gps.get(3), "W")
    if lat is not None and lng is not None:
        found["lat"], found["lng"] = lat, lng
    return found


def _degrees(value: Any, ref: Any, negative: str) -> float | None:
    """EXIF degrees / minutes / seconds (rationals) as signed decimal degrees."""
    try:
        d, m, s = (Fraction(str(float(part))) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = float(d + m / 60 + s / 3600)
    if str(ref or "").strip("\x00 ").upper() == negative:
        degrees = -degrees
    return round(degrees, 6) if -180 <= degrees <= 180 else None
