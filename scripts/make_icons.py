# SPDX-License-Identifier: EUPL-1.2
"""Draw Lyhty's bitmap icons with Pillow: the app icons and every page's favicon.

    .venv/bin/python scripts/make_icons.py

The same lantern as frontend/static/frontend/walk/icon.svg (the icon every page links), on
a full-bleed black square:

- frontend/static/frontend/walk/icon-192.png, icon-512.png: the phone logger's app icons
  (also the touch icon of every page), maskable: the lantern stays inside the central 80 %
  safe zone whatever shape the phone cuts;
- frontend/static/frontend/favicon.ico: 16, 32 and 48 px, served at /favicon.ico for
  browsers and tools that ask there.

The files are committed (a few KB each); run this again after changing the drawing.
"""

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parents[1] / "frontend" / "static" / "frontend"
OUT = STATIC / "walk"
FAVICON = STATIC / "favicon.ico"
FAVICON_SIZES = ((16, 16), (32, 32), (48, 48))
BLACK = (0, 0, 0, 255)
LANTERN = (255, 213, 74, 255)  # #ffd54a
SIZES = (192, 512)
SUPERSAMPLE = 4


def draw(size: int) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), BLACK)
    pen = ImageDraw.Draw(image)
    # The SVG's 96-unit drawing (lantern from y 22 to 76 around its centre 48, 49), a little
    # larger and centred: its farthest corner stays inside the 80 % safe zone's circle.
    unit = big / 96 * 1.15

    def xy(x, y):
        return (big / 2 + (x - 48) * unit, big / 2 + (y - 49) * unit)

    pen.polygon([xy(36, 22), xy(60, 22), xy(56, 30), xy(40, 30)], fill=LANTERN)  # cap
    pen.rounded_rectangle(
        [xy(32, 30), xy(64, 70)], radius=6 * unit, outline=LANTERN, width=round(5 * unit)
    )  # glass
    pen.ellipse([xy(39, 41), xy(57, 59)], fill=LANTERN)  # flame
    pen.rectangle([xy(38, 70), xy(58, 76)], fill=LANTERN)  # base
    return image.resize((size, size), Image.Resampling.LANCZOS).convert("RGB")


def main():
    for size in SIZES:
        path = OUT / f"icon-{size}.png"
        draw(size).save(path, "PNG", optimize=True)
        print(f"{path.relative_to(OUT.parents[3])}: {path.stat().st_size:,} bytes")
    # Pillow scales the largest image down to each size of the ICO.
    draw(max(FAVICON_SIZES)[0]).save(FAVICON, "ICO", sizes=FAVICON_SIZES)
    print(f"{FAVICON.relative_to(OUT.parents[3])}: {FAVICON.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
