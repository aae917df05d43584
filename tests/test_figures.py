"""Every stored figure of every chapter: one width, sharp on high-density screens.

The site scales a figure down to the width of the page's text column when it is
wider, so figures drawn at different widths (or cropped to their content when
saved) end up with text of different sizes on screen. The book draws every figure
``FIGURE_WIDTH`` inches wide (see :func:`softmax_lib.plotting.use_book_style`), so
checked here, for every figure output of every notebook in ``chapters/``:

* it is a PNG whose output metadata gives its display size, and whose display
  width is ``FIGURE_WIDTH * FIGURE_DPI`` CSS pixels (the same for all figures);
* the PNG holds twice as many pixels each way (as IPython's ``retina`` format),
  so it is sharp on screens with two device pixels per CSS pixel, in 256 colours
  (:func:`softmax_lib.plotting.retina_png`), so that it stays light;
* the cell has a caption, a ``fig-`` name and alt text, and does not call
  ``tight_layout`` (the style's constrained layout places the panels).
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import pytest

from softmax_lib.plotting import FIGURE_DPI, FIGURE_WIDTH

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
DISPLAY_WIDTH = round(FIGURE_WIDTH * FIGURE_DPI)
PALETTE_PNG = 3  # IHDR colour type of an indexed-colour PNG
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif", "application/pdf")


def png_header(data: str) -> tuple[int, int, int]:
    """(width, height, colour type) from the IHDR chunk of a base64-encoded PNG."""
    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n" and raw[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", raw[16:24])
    return width, height, raw[25]


def png_size(data: str) -> tuple[int, int]:
    """(width, height) in pixels of a base64-encoded PNG."""
    return png_header(data)[:2]


def figures() -> list[tuple[str, int, dict, dict]]:
    """(notebook, cell index, cell, output) for every image output of every chapter."""
    found = []
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            for out in cell.get("outputs", []):
                if any(kind in out.get("data", {}) for kind in IMAGE_TYPES):
                    found.append((path.name, i, cell, out))
    return found


FIGURES = figures()
IDS = [f"{name}-cell{i}" for name, i, _, _ in FIGURES]


def test_there_are_figures():
    assert len(FIGURES) >= len(NOTEBOOKS), "fewer figures than chapters: wrong folder?"


@pytest.mark.parametrize(("name", "index", "cell", "output"), FIGURES, ids=IDS)
def test_figure_is_a_retina_png_of_the_book_width(name, index, cell, output):
    kinds = [kind for kind in IMAGE_TYPES if kind in output["data"]]
    assert kinds == ["image/png"], f"stored as {kinds}, expected a PNG only"
    meta = output.get("metadata", {}).get("image/png", {})
    assert "width" in meta and "height" in meta, (
        "no display size in the output metadata: call use_book_style() (retina format)"
    )
    assert meta["width"] == DISPLAY_WIDTH, (
        f"displayed {meta['width']} px wide, expected {DISPLAY_WIDTH} "
        f"(figsize=({FIGURE_WIDTH}, height) and no bbox_inches='tight')"
    )
    width, height, colour_type = png_header(output["data"]["image/png"])
    assert (width, height) == (2 * meta["width"], 2 * meta["height"]), (
        f"{width}x{height} pixels for a {meta['width']}x{meta['height']} display: not 2x"
    )
    assert colour_type == PALETTE_PNG, (
        f"PNG colour type {colour_type}, expected {PALETTE_PNG} (256 colours, retina_png)"
    )


@pytest.mark.parametrize(("name", "index", "cell", "output"), FIGURES, ids=IDS)
def test_figure_cell_has_caption_name_and_alt_text(name, index, cell, output):
    meta = cell.get("metadata", {}).get("mystnb", {})
    assert len(meta.get("figure", {}).get("caption", "").split()) >= 5, "no caption"
    assert meta.get("figure", {}).get("name", "").startswith("fig-"), "no fig- name"
    assert len(meta.get("image", {}).get("alt", "").split()) >= 5, "no alt text"
    source = "".join(cell["source"])
    assert "tight_layout" not in source, "tight_layout fights the style's constrained layout"


def test_all_figures_have_one_pixel_width():
    widths = sorted({png_size(out["data"]["image/png"])[0] for *_, out in FIGURES})
    assert widths == [2 * DISPLAY_WIDTH], f"stored pixel widths {widths}"
