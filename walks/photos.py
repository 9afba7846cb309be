# SPDX-License-Identifier: EUPL-1.2
"""Photos of observations: checked, stripped of every piece of metadata, re-encoded, stored once.

What a phone sends is never stored as it came. It is judged by its content alone (never by
its file name or content type), decoded with Pillow, turned upright by its EXIF orientation,
converted to sRGB and written out again as a plain JPEG built from the pixels only, so no
EXIF (GPS, camera, serial numbers), XMP, IPTC, comments, text chunks or ICC profile can
survive. The SHA-256 of the bytes the client sent makes a retried upload find the photo it
already made, so a phone's offline queue can send the same photo as often as it likes.
"""

import hashlib
import io
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

from walks.models import Observation, Photo

try:  # HEIC/HEIF (iPhones) only where the optional plugin is installed.
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - depends on the installation
    register_heif_opener = None
else:  # pragma: no cover
    register_heif_opener()

Image.init()
# Decoders an upload may reach. Everything else Pillow can read (TIFF, EPS, PSD, ...) is
# refused before any decoder for it runs.
ACCEPTED_FORMATS = tuple(f for f in ("JPEG", "PNG", "WEBP", "HEIF") if f in Image.OPEN)

# Decoding an image costs memory by its pixels, not by its bytes: a few kilobytes of PNG can
# declare gigapixels, and a 160 KB PNG of 49 MP took 512 MB and 1.4 s to decode and convert.
# Refused from the header, before decoding. A JPEG is decoded at 1/2, 1/4 or 1/8 scale
# (draft), so 50 MP (above any phone's default photo mode) costs what a few MP do; the
# other formats are decoded whole, so they get 16 MP, more than a phone's screenshot or a
# 12 MP HEIC (phones send their big photos as JPEG or HEIC).
MAX_PIXELS = 50_000_000
MAX_PIXELS_DECODED_WHOLE = 16_000_000
MAX_SIDE = 2560  # longest side of the stored photo
THUMBNAIL_SIDE = 320  # longest side of the thumbnail
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class PhotoRejected(ValueError):
    """The upload is not a photo Lyhty accepts. `message` is for the person who sent it."""

    TOO_LARGE = "too_large"
    NOT_AN_IMAGE = "not_an_image"
    TOO_MANY_PIXELS = "too_many_pixels"

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def store_photo(observation: Observation, uploaded) -> tuple[Photo, bool]:
    """Attach an uploaded photo to an observation; return (photo, created).

    `uploaded` is any binary file object (a Django UploadedFile in the API). The same bytes
    sent again for the same observation return the photo made the first time, with
    created False. Raises PhotoRejected, having written nothing, when the upload is too
    large or is not a decodable JPEG, PNG or WebP (or HEIC where supported).
    """
    data = _read_limited(uploaded, settings.PHOTO_MAX_BYTES)
    digest = hashlib.sha256(data).hexdigest()

    existing = _find(observation, digest)
    if existing is not None:
        return existing, False

    image_bytes, thumbnail_bytes, (width, height) = _reencode(data)
    del data

    photo = Photo(observation=observation, sha256=digest, width=width, height=height)
    try:
        with transaction.atomic():
            photo.image.save("photo.jpg", ContentFile(image_bytes), save=False)
            photo.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail_bytes), save=False)
            # Saving the file asks Django to measure it again from a consumed buffer.
            photo.width, photo.height = width, height
            photo.save()
    except IntegrityError:
        # Another request stored the same bytes for this observation between our look-up
        # and our insert: theirs stands, our files go.
        _discard_files(photo)
        existing = _find(observation, digest)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        _discard_files(photo)
        raise
    return photo, True


def _find(observation: Observation, digest: str) -> Photo | None:
    return Photo.objects.filter(observation=observation, sha256=digest).first()


def _discard_files(photo: Photo) -> None:
    for field_file in (photo.image, photo.thumbnail):
        if field_file:
            field_file.delete(save=False)


def _megabytes(limit: int) -> str:
    mb = limit / (1024 * 1024)
    text = (f"{mb:.1f}" if mb >= 1 else f"{mb:.3f}").rstrip("0").rstrip(".") or "0"
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


def _too_large(limit: int) -> PhotoRejected:
    return PhotoRejected(
        _("The photo is too large. The largest photo accepted is %(limit)s MB.")
        % {"limit": _megabytes(limit)},
        PhotoRejected.TOO_LARGE,
    )


def _not_an_image() -> PhotoRejected:
    return PhotoRejected(
        _("This file is not an image. Send a photo in JPEG, PNG or WebP format."),
        PhotoRejected.NOT_AN_IMAGE,
    )


def _read_limited(uploaded, limit: int) -> bytes:
    """Read the upload, but never more than one byte past the limit."""
    size = getattr(uploaded, "size", None)
    if isinstance(size, int) and size > limit:
        raise _too_large(limit)
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise _not_an_image()
    return data


def _too_many_pixels(limit: int) -> PhotoRejected:
    return PhotoRejected(
        _("The photo has too many pixels. The largest accepted is %(limit)s megapixels.")
        % {"limit": limit // 1_000_000},
        PhotoRejected.TOO_MANY_PIXELS,
    )


def _check_pixels(image: Image.Image) -> None:
    limit = MAX_PIXELS if image.format == "JPEG" else MAX_PIXELS_DECODED_WHOLE
    if image.size[0] * image.size[1] > limit:
        raise _too_many_pixels(limit)


def _decode(data: bytes) -> Image.Image:
    """Open, verify, reopen and fully decode; refuse anything that is not a whole image."""
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard: a warning above MAX_IMAGE_PIXELS is an error here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                _check_pixels(probe)  # from the header, before any pixel is decoded
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            _check_pixels(image)
            # JPEG can decode at 1/2, 1/4 or 1/8 scale directly: cheaper for big photos.
            image.draft(image.mode, (MAX_SIDE, MAX_SIDE))
            image.load()
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(MAX_PIXELS) from None
    except Exception:
        # Pillow reports broken files with many exception types (OSError, SyntaxError,
        # ValueError, struct.error, EOFError...): all of them mean "not an image we take".
        raise _not_an_image() from None
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in sRGB; the embedded ICC profile (if any) is applied, then gone."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit grey: scale to 8 bits instead of clipping everything above 255 to white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "La", "RGBa", "PA") or ("transparency" in image.info)
    target = "RGBA" if has_alpha else "RGB"
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if image.mode == "RGBA":
                return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGBA")
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB").convert(target)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken or mismatched profile: use the pixels as they are
    return image.convert(target)


def _reencode(data: bytes) -> tuple[bytes, bytes, tuple[int, int]]:
    with _decode(data) as decoded:
        try:
            upright = ImageOps.exif_transpose(decoded)
            pixels = _to_srgb(upright)
            pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            # A new image built from pixels alone: nothing of the upload's `info` (EXIF, XMP,
            # comments, ICC, text chunks) can reach the encoder. Transparency goes white.
            clean = Image.new("RGB", pixels.size, "white")
            if pixels.mode == "RGBA":
                clean.paste(pixels, mask=pixels.getchannel("A"))
            else:
                clean.paste(pixels)
        except PhotoRejected:
            raise
        except Exception:
            raise _not_an_image() from None

    image_bytes = _jpeg(clean, JPEG_QUALITY)
    thumbnail = clean.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return image_bytes, _jpeg(thumbnail, THUMBNAIL_QUALITY), clean.size


def _jpeg(image: Image.Image, quality: int) -> bytes:
    # Baseline, with optimised Huffman tables: a progressive JPEG took 2.8 times the CPU
    # (90 against 37 ms for a 1600 × 1200 photo) for a file 6 % smaller, and an upload
    # shares the server's two cores with a whole walk evening's point posts.
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()
