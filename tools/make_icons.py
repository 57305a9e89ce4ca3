"""Render the app icons (PNG) from site_src/icon.svg with headless Chromium.

    .venv/bin/python tools/make_icons.py

Writes site_src/app/icon-192.png and icon-512.png (purpose "any": the SVG as drawn,
transparent corners) and icon-maskable-192.png / icon-maskable-512.png (purpose
"maskable": a full square of the icon's background colour with the drawing scaled into
the central safe zone, so any mask shape the platform applies keeps it whole). The
results are committed; rerun after changing icon.svg. Uses Debian's chromium (or
$CHROMIUM) through Playwright; nothing is downloaded.
"""

import base64
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SVG = os.path.join(ROOT, "site_src", "icon.svg")
OUT = os.path.join(ROOT, "site_src", "app")
BACKGROUND = "#0F2C3E"  # the icon's own background colour
SAFE_ZONE = 0.72  # maskable: the drawing within the central 72% (safe circle is 80%)

PAGE = """<!DOCTYPE html><html><head><style>
html, body {{ margin: 0; padding: 0; background: transparent; }}
div {{ width: {size}px; height: {size}px; display: flex; align-items: center;
       justify-content: center; background: {background}; }}
img {{ width: {inner}px; height: {inner}px; display: block; }}
</style></head><body><div><img src="data:image/svg+xml;base64,{svg}"></div></body></html>
"""


def render(page, svg_b64, size, maskable):
    inner = round(size * SAFE_ZONE) if maskable else size
    background = BACKGROUND if maskable else "transparent"
    html = PAGE.format(size=size, inner=inner, background=background, svg=svg_b64)
    page.set_viewport_size({"width": size, "height": size})
    page.set_content(html)
    page.wait_for_function("document.querySelector('img').complete")
    return page.locator("div").screenshot(omit_background=not maskable)


def main():
    from playwright.sync_api import sync_playwright

    chromium = (
        os.environ.get("CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not chromium:
        sys.exit("make_icons: chromium is needed (apt-get install chromium)")
    with open(SVG, "rb") as f:
        svg_b64 = base64.b64encode(f.read()).decode()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page(device_scale_factor=1)
        for size in (192, 512):
            for maskable in (False, True):
                name = f"icon-maskable-{size}.png" if maskable else f"icon-{size}.png"
                data = render(page, svg_b64, size, maskable)
                with open(os.path.join(OUT, name), "wb") as f:
                    f.write(data)
                print(f"wrote site_src/app/{name} ({len(data)} bytes)")
        browser.close()


if __name__ == "__main__":
    main()
