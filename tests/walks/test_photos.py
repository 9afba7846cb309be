# SPDX-License-Identifier: EUPL-1.2
"""Photos are judged by content, stripped of metadata, turned upright and stored once."""

import hashlib
import io
import struct
import time
import zlib
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image, ImageCms

from walks import photos as photo_service
from walks.models import Category, Observation, Photo, SafetyWalk, WalkParticipant
from walks.photos import MAX_SIDE, THUMBNAIL_SIDE, PhotoRejected, store_photo

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def observation(municipality):
    start = timezone.now()
    walk = SafetyWalk.objects.create(
        municipality=municipality,
        title="Evening walk",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        group="residents",
        state="walking",
    )
    participant = WalkParticipant.objects.create(walk=walk, group="residents")
    return Observation.objects.create(
        municipality=municipality,
        walk=walk,
        participant=participant,
        geom=Point(26.92, 60.46, srid=4326),
        category=Category.objects.first(),
    )


def stored_files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def halves(size=(400, 200), left=(255, 0, 0), right=(0, 0, 255)):
    """An RGB image whose left half is one colour and right half another."""
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def gps_exif(orientation=None):
    exif = Image.Exif()
    exif[0x010F] = "Acme Phones"  # Make
    exif[0x0110] = "Lantern 3000"  # Model
    exif[0x0131] = "FirmwareSecret 1.2"  # Software
    if orientation is not None:
        exif[0x0112] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (60.0, 27.0, 36.0)  # GPSLatitude
    gps[3] = "E"  # GPSLongitudeRef
    gps[4] = (26.0, 55.0, 12.0)  # GPSLongitude
    return exif


def jpeg_bytes(image=None, **save_args):
    image = image if image is not None else halves()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, **save_args)
    return out.getvalue()


def png_bytes(image, **save_args):
    out = io.BytesIO()
    image.save(out, "PNG", **save_args)
    return out.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_declaring(width, height):
    """A tiny PNG whose header claims width x height pixels (a decompression bomb)."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + chunk(b"IEND", b"")
    )


def reopen(field_file):
    with field_file.open("rb") as f:
        data = f.read()
    return data, Image.open(io.BytesIO(data))


def test_gps_and_camera_exif_are_gone(observation, media_root):
    original = jpeg_bytes(exif=gps_exif(), comment=b"taken at Jane's house")
    assert b"Exif" in original and b"Acme Phones" in original  # the test input has them

    photo, created = store_photo(observation, upload(original))

    assert created
    data, stored = reopen(photo.image)
    assert stored.format == "JPEG"
    assert len(stored.getexif()) == 0
    assert stored.getexif().get_ifd(GPS_IFD) == {}
    for key in ("exif", "xmp", "icc_profile", "comment"):
        assert key not in stored.info
    for secret in (b"Exif", b"Acme Phones", b"Lantern 3000", b"FirmwareSecret", b"Jane"):
        assert secret not in data
    thumb_data, thumb = reopen(photo.thumbnail)
    assert len(thumb.getexif()) == 0 and b"Exif" not in thumb_data
    assert photo.sha256 == hashlib.sha256(original).hexdigest()
    assert (photo.width, photo.height) == (400, 200)


def test_xmp_and_icc_profile_are_dropped(observation):
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        b'exif:GPSLatitude="60,27.6N" xmlns:exif="http://ns.adobe.com/exif/1.0/"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = jpeg_bytes(xmp=xmp, icc_profile=icc)
    assert b"xmpmeta" in original and b"ICC_PROFILE" in original

    photo, _ = store_photo(observation, upload(original))

    data, stored = reopen(photo.image)
    assert b"xmpmeta" not in data and b"GPSLatitude" not in data
    assert b"ICC_PROFILE" not in data and "icc_profile" not in stored.info


def test_exif_orientation_is_applied_before_the_exif_goes(observation):
    # Orientation 6: the camera was turned; shown upright the image is rotated 90° clockwise,
    # so the stored left half (red) ends up on top.
    original = jpeg_bytes(halves((400, 200)), exif=gps_exif(orientation=6))

    photo, _ = store_photo(observation, upload(original))

    _, stored = reopen(photo.image)
    assert stored.size == (200, 400)
    assert (photo.width, photo.height) == (200, 400)
    assert 0x0112 not in stored.getexif()
    top = stored.convert("RGB").getpixel((100, 50))
    bottom = stored.convert("RGB").getpixel((100, 350))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_png_with_transparency_becomes_a_jpeg_on_white(observation):
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    image.paste((0, 128, 0, 255), (0, 0, 150, 300))
    original = png_bytes(image, pnginfo=None)

    photo, created = store_photo(observation, upload(original, "x.png", "image/png"))

    assert created
    _, stored = reopen(photo.image)
    assert stored.format == "JPEG" and stored.mode == "RGB"
    assert stored.size == (300, 300)
    assert all(channel > 240 for channel in stored.getpixel((250, 150)))  # was transparent
    green = stored.getpixel((50, 150))
    assert green[1] > 100 and green[0] < 40 and green[2] < 40


def test_palette_png_text_chunks_are_dropped(observation):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home of the reporter")
    image = halves((64, 64)).convert("P")
    photo, _ = store_photo(observation, upload(png_bytes(image, pnginfo=info), "a.png"))
    data, stored = reopen(photo.image)
    assert b"home of the reporter" not in data
    assert stored.mode == "RGB"


def test_webp_is_accepted(observation):
    out = io.BytesIO()
    halves().save(out, "WEBP", exif=gps_exif())
    photo, created = store_photo(observation, upload(out.getvalue(), "x.webp", "image/webp"))
    data, stored = reopen(photo.image)
    assert created and stored.format == "JPEG" and b"Exif" not in data


def test_format_is_judged_by_content_not_by_name(observation):
    photo, created = store_photo(
        observation, upload(jpeg_bytes(), "notes.txt", "application/octet-stream")
    )
    assert created and photo.width == 400


def test_large_photo_is_scaled_down_and_thumbnail_is_small(observation):
    original = jpeg_bytes(halves((4000, 3000)))

    photo, _ = store_photo(observation, upload(original))

    _, stored = reopen(photo.image)
    assert max(stored.size) == MAX_SIDE
    assert stored.size == (MAX_SIDE, MAX_SIDE * 3 // 4)
    _, thumb = reopen(photo.thumbnail)
    assert max(thumb.size) <= THUMBNAIL_SIDE
    assert thumb.size == (320, 240)


def test_same_upload_twice_is_one_photo_and_one_file(observation, media_root):
    original = jpeg_bytes(exif=gps_exif())

    first, first_created = store_photo(observation, upload(original))
    second, second_created = store_photo(observation, upload(original, "retry.jpg"))

    assert (first_created, second_created) == (True, False)
    assert first.pk == second.pk
    assert Photo.objects.count() == 1
    assert len(stored_files(media_root)) == 2  # the photo and its thumbnail


def test_different_content_is_two_photos(observation, media_root):
    store_photo(observation, upload(jpeg_bytes(halves(left=(255, 0, 0)))))
    store_photo(observation, upload(jpeg_bytes(halves(left=(0, 255, 0)))))

    assert Photo.objects.filter(observation=observation).count() == 2
    assert len(stored_files(media_root)) == 4


def test_a_lost_race_returns_the_winner_and_leaves_no_file(observation, media_root, monkeypatch):
    original = jpeg_bytes()
    winner, _ = store_photo(observation, upload(original))
    files_before = stored_files(media_root)
    # The other request has not committed yet when this one looks.
    real_find = photo_service._find
    calls = []

    def find_nothing_first(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_find(*args)

    monkeypatch.setattr(photo_service, "_find", find_nothing_first)

    photo, created = store_photo(observation, upload(original))

    assert (photo.pk, created) == (winner.pk, False)
    assert Photo.objects.count() == 1
    assert stored_files(media_root) == files_before


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"Dear council, the lamp on Puistokatu is broken.\n", "lamp.jpg"),
        (b"", "empty.jpg"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "header-only.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "drawing.png"),
    ],
    ids=["text", "empty", "jpeg-magic-only", "svg"],
)
def test_a_file_that_is_not_an_image_is_rejected(observation, media_root, data, name):
    with pytest.raises(PhotoRejected, match="not an image") as rejected:
        store_photo(observation, upload(data, name))

    assert rejected.value.code == PhotoRejected.NOT_AN_IMAGE
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_truncated_jpeg_is_rejected(observation, media_root):
    whole = jpeg_bytes(halves((800, 600)))
    with pytest.raises(PhotoRejected, match="not an image"):
        store_photo(observation, upload(whole[: len(whole) // 2]))
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "BMP"])
def test_image_formats_outside_the_list_are_rejected(observation, media_root, fmt):
    out = io.BytesIO()
    halves().save(out, fmt)
    with pytest.raises(PhotoRejected, match="not an image"):
        store_photo(observation, upload(out.getvalue(), "photo.jpg"))
    assert stored_files(media_root) == []


def test_an_oversized_upload_is_rejected_with_the_limit(observation, media_root, settings):
    original = jpeg_bytes(halves((800, 600)))
    settings.PHOTO_MAX_BYTES = len(original) - 1

    with pytest.raises(PhotoRejected) as rejected:
        store_photo(observation, upload(original))

    assert rejected.value.code == PhotoRejected.TOO_LARGE
    assert "too large" in rejected.value.message
    assert "MB" in rejected.value.message
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_the_limit_is_named_in_megabytes(observation, settings):
    settings.PHOTO_MAX_BYTES = 10 * 1024 * 1024

    class Huge(io.BytesIO):
        size = 10 * 1024 * 1024 + 1

    with pytest.raises(PhotoRejected, match=r"largest photo accepted is 10 MB\."):
        store_photo(observation, Huge(b"\xff\xd8"))


def test_at_most_the_limit_plus_one_byte_is_read(observation, settings):
    settings.PHOTO_MAX_BYTES = 1000
    requested = []

    class Stream(io.BytesIO):
        def read(self, size=-1):
            requested.append(size)
            return super().read(size)

    with pytest.raises(PhotoRejected):
        store_photo(observation, Stream(b"x" * 100_000))
    assert requested == [1001]


def test_a_photo_exactly_at_the_limit_is_accepted(observation, settings):
    original = jpeg_bytes()
    settings.PHOTO_MAX_BYTES = len(original)
    _, created = store_photo(observation, upload(original))
    assert created


def test_a_decompression_bomb_is_rejected_quickly(observation, media_root):
    bomb = png_declaring(30000, 30000)
    assert len(bomb) < 200

    started = time.perf_counter()
    with pytest.raises(PhotoRejected, match="too many pixels") as rejected:
        store_photo(observation, upload(bomb, "bomb.png", "image/png"))

    assert time.perf_counter() - started < 1
    assert rejected.value.code == PhotoRejected.TOO_MANY_PIXELS
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_our_own_pixel_limit_is_below_pillows(observation, media_root):
    # 56 MP: under Pillow's default warning (89 MP), over Lyhty's 50 MP even for a JPEG.
    bomb = png_declaring(8000, 7000)
    started = time.perf_counter()
    with pytest.raises(PhotoRejected, match="16 megapixels"):
        store_photo(observation, upload(bomb, "big.png", "image/png"))
    assert time.perf_counter() - started < 1
    assert stored_files(media_root) == []


def test_a_png_decoded_whole_gets_the_lower_limit(observation, media_root):
    # 49 MP in a few hundred bytes: under the JPEG limit, but a PNG has no draft mode and
    # decoding it whole took 512 MB and 1.4 s.
    bomb = png_declaring(7000, 7000)
    started = time.perf_counter()
    with pytest.raises(PhotoRejected, match="16 megapixels"):
        store_photo(observation, upload(bomb, "big.png", "image/png"))
    assert time.perf_counter() - started < 0.5
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def cmyk_jpeg():
    return jpeg_bytes(Image.new("CMYK", (120, 80), (0, 255, 255, 0)))


def mpo():
    # Phones often write JPEGs with a Multi-Picture Format segment (Pillow calls it MPO).
    out = io.BytesIO()
    halves().save(out, "MPO", save_all=True, append_images=[halves((200, 100))])
    return out.getvalue()


def grey16_png():
    return png_bytes(Image.new("I;16", (100, 50), 30000))


def broken_icc_jpeg():
    return jpeg_bytes(icc_profile=b"not a colour profile" * 10)


@pytest.mark.parametrize(
    "make", [cmyk_jpeg, mpo, grey16_png, broken_icc_jpeg], ids=lambda make: make.__name__
)
def test_less_common_but_real_images_are_accepted(observation, make):
    photo, created = store_photo(observation, upload(make()))
    data, stored = reopen(photo.image)
    assert created and stored.format == "JPEG" and stored.mode == "RGB"
    assert b"ICC_PROFILE" not in data


def test_sixteen_bit_grey_is_scaled_not_clipped(observation):
    photo, _ = store_photo(observation, upload(grey16_png(), "g.png"))
    _, stored = reopen(photo.image)
    grey = stored.getpixel((10, 10))
    assert 100 < grey[0] < 140  # 30000 / 65535 of white, not white
