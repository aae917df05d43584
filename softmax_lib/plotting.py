"""The book's figure style and small plotting helpers.

Every figure in the book is drawn after :func:`use_book_style`, so that all of
them share one look that works for every reader:

* a white, opaque background, so figures stay readable when the site is in
  dark mode;
* the Okabe--Ito palette, which stays distinguishable under the common forms
  of colour-vision deficiency [1]_;
* distinct line styles, markers and hatches as a second cue, so that colour is
  never the only way to tell two series apart;
* one figure width for the whole book (:data:`FIGURE_WIDTH`): figures differ
  only in height, so the site scales every figure by the same factor and their
  text has the same size on screen; multi-panel figures share that width (two
  panels side by side at most, more panels in rows);
* a layout engine (constrained layout) that fits labels inside that width, so
  no figure is cropped to a different size when it is saved;
* in a notebook, PNGs stored at twice the pixel density with their display size
  in the output metadata (as IPython's ``retina`` format does), so figures stay
  sharp on high-density screens, and in 256 colours, so they stay light
  (:func:`retina_png`).

Matplotlib is imported only by this module, so ``import softmax_lib`` does not
need it.

References
----------
.. [1] M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures
   and presentations that are friendly to colorblind people", 2008.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any, cast

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._calibration import reliability_curve

__all__ = [
    "FIGURE_WIDTH",
    "FIGURE_DPI",
    "PALETTE",
    "LINESTYLES",
    "MARKERS",
    "HATCHES",
    "use_book_style",
    "bar_distributions",
    "reliability_diagram",
    "retina_png",
]

#: The width of every figure in the book, in inches. Only heights differ.
FIGURE_WIDTH: float = 6.4

#: Figure resolution in dots per inch: a figure is ``FIGURE_WIDTH * FIGURE_DPI``
#: CSS pixels wide on the site (stored at twice that many pixels in a notebook).
FIGURE_DPI: int = 100

#: Okabe--Ito colours, in the order the book uses them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: low contrast on white)
)

#: Line styles paired with :data:`PALETTE`, so series differ without colour.
LINESTYLES: tuple[Any, ...] = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1)),
    (0, (3, 1, 1, 1, 1, 1)),
    (0, (1, 1)),
    "-",
)

#: Markers paired with :data:`PALETTE`.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")

#: Bar hatches paired with :data:`PALETTE`.
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")

_STYLE: dict[str, Any] = {
    "figure.figsize": (FIGURE_WIDTH, 3.6),
    "figure.dpi": FIGURE_DPI,
    "figure.constrained_layout.use": True,
    "savefig.dpi": 2 * FIGURE_DPI,
    "savefig.bbox": None,
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "axes.facecolor": "white",
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#111111",
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#111111",
    "ytick.color": "#111111",
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "lines.markersize": 6,
    "font.size": 11,
    "svg.hashsalt": "softmax-book",
    "axes.prop_cycle": (
        cycler(color=list(PALETTE))
        + cycler(linestyle=list(LINESTYLES))
        + cycler(marker=list(MARKERS))
    ),
}


def use_book_style() -> None:
    """Apply the book's matplotlib style to all figures drawn afterwards.

    Call it once at the top of a notebook, after importing matplotlib. Lines
    drawn with ``ax.plot`` then cycle through colour, line style and marker
    together (pass ``marker=""`` for a plain curve). Draw every figure
    ``FIGURE_WIDTH`` inches wide (``figsize=(6.4, height)``) and let the
    constrained layout place the panels (do not call ``tight_layout``).

    In an IPython kernel it also makes the inline backend store figures with
    :func:`retina_png` (twice ``FIGURE_DPI``, with the display width and height
    in the output metadata), without cropping them to their content, so every
    stored figure is exactly ``2 * FIGURE_WIDTH * FIGURE_DPI`` pixels wide and
    is shown ``FIGURE_WIDTH * FIGURE_DPI`` CSS pixels wide.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from softmax_lib.plotting import use_book_style, PALETTE
    >>> use_book_style()
    >>> matplotlib.rcParams["figure.facecolor"]
    'white'
    >>> matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == PALETTE[0]
    True
    """
    mpl.rcParams.update(cast(Any, _STYLE))
    _use_retina_inline_figures()


def _use_retina_inline_figures() -> None:
    """In an IPython shell: show figures as :func:`retina_png`, uncropped."""
    try:
        from IPython import get_ipython
        from matplotlib_inline import backend_inline
        from matplotlib_inline.config import InlineBackend
    except ImportError:  # pragma: no cover - both come with the notebooks extra
        return
    shell = get_ipython()
    if shell is None:
        return
    # IPython's own retina PNGs, uncropped, as the fallback should anything re-select
    # the inline backend's formats (importing backend_inline has already done so once).
    config: Any = InlineBackend.instance()
    config.print_figure_kwargs = {"bbox_inches": None}
    config.figure_formats = {"retina"}
    cast(Any, backend_inline.set_matplotlib_formats)("retina", bbox_inches=None)
    png = shell.display_formatter.formatters["image/png"]
    png.for_type(Figure, retina_png)


def retina_png(fig: Figure) -> tuple[str, dict[str, int]] | None:
    """A figure as a base64 PNG at twice its resolution, with its display size.

    The figure is drawn at ``2 * fig.dpi`` without cropping (so its pixel width is
    twice ``width_inches * dpi``), reduced to 256 colours (the figures are flat
    colours and anti-aliased edges; this keeps them sharp at a third of the bytes),
    and returned with ``{"width": ..., "height": ...}`` in CSS pixels, half the
    stored size: the output IPython's ``retina`` format gives, which Jupyter and
    myst-nb display at the stated size.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    tuple of (str, dict) or None
        The base64-encoded PNG and its display size, or None for a figure with
        nothing in it (as IPython does, so that nothing is shown).

    Examples
    --------
    >>> import base64
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from softmax_lib.plotting import retina_png, use_book_style
    >>> use_book_style()
    >>> fig, ax = plt.subplots(figsize=(6.4, 3.0))
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> data, size = retina_png(fig)
    >>> size
    {'width': 640, 'height': 300}
    >>> base64.b64decode(data)[:4]
    b'\\x89PNG'
    >>> plt.close(fig)
    """
    if not fig.axes and not fig.lines:
        return None
    from PIL import Image

    drawn = io.BytesIO()
    fig.savefig(
        drawn,
        format="png",
        dpi=2 * fig.dpi,
        facecolor=fig.get_facecolor(),
        edgecolor=fig.get_edgecolor(),
        bbox_inches=None,
    )
    image = Image.open(drawn).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    stored = io.BytesIO()
    image.save(stored, format="PNG", optimize=True)
    size = {"width": image.width // 2, "height": image.height // 2}
    return base64.b64encode(stored.getvalue()).decode("ascii"), size


def bar_distributions(
    ax: Axes,
    values: Sequence[Sequence[float]] | np.ndarray,
    labels: Sequence[str],
    categories: Sequence[str] | None = None,
    *,
    annotate: bool = True,
    fmt: str = "{:.3f}",
) -> list[Any]:
    """Grouped bar chart of several vectors over the same categories.

    Each vector gets its own colour *and* hatch, so the chart also reads in
    grey scale, and (optionally) each bar is labelled with its value so that
    the numbers can be read without estimating bar heights.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    values : array_like, shape (k, n)
        ``k`` vectors of ``n`` values each (for example logits and the
        probabilities computed from them).
    labels : sequence of str
        ``k`` legend labels.
    categories : sequence of str, optional
        ``n`` tick labels; default ``"class 0"``, ``"class 1"``, ...
    annotate : bool, optional
        Write each value above (or below) its bar. Default True.
    fmt : str, optional
        Format for the annotations. Default ``"{:.3f}"``.

    Returns
    -------
    list
        The bar containers, one per vector.

    Raises
    ------
    ValueError
        If `values` is not two-dimensional or the number of `labels` or
        `categories` does not match it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from softmax_lib import softmax
    >>> from softmax_lib.plotting import bar_distributions
    >>> fig, ax = plt.subplots()
    >>> bars = bar_distributions(ax, [[2.0, 1.0, 0.5], softmax([2.0, 1.0, 0.5])],
    ...                          ["logits", "softmax"])
    >>> len(bars)
    2
    >>> plt.close(fig)
    """
    data = np.asarray(values, dtype=float)
    if data.ndim != 2:
        raise ValueError(
            f"bar_distributions: values must be 2-D (k vectors of n values), got shape {data.shape}"
        )
    k, n = data.shape
    if len(labels) != k:
        raise ValueError(f"bar_distributions: labels has {len(labels)} entries, expected {k}")
    if categories is None:
        categories = [f"class {i}" for i in range(n)]
    if len(categories) != n:
        raise ValueError(
            f"bar_distributions: categories has {len(categories)} entries, expected {n}"
        )
    width = 0.8 / k
    x = np.arange(n)
    containers = []
    for j in range(k):
        offset = (j - (k - 1) / 2) * width
        bars = ax.bar(
            x + offset,
            data[j],
            width,
            label=labels[j],
            color=PALETTE[j % len(PALETTE)],
            hatch=HATCHES[j % len(HATCHES)],
            edgecolor="#222222",
            linewidth=0.6,
        )
        if annotate:
            ax.bar_label(bars, labels=[fmt.format(v) for v in data[j]], padding=2, fontsize=9)
        containers.append(bars)
    ax.set_xticks(x, list(categories))
    ax.axhline(0.0, color="#333333", linewidth=0.8)
    ax.grid(axis="x", visible=False)
    ax.margins(y=0.15)
    return containers


def reliability_diagram(
    ax: Axes,
    probs: Any,
    labels: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    style: int = 0,
    label: str = "accuracy",
    show_gap: bool = True,
) -> Any:
    """Reliability diagram: accuracy per confidence bin, against the diagonal.

    Each non-empty bin is drawn as a bar spanning the bin, as high as the
    accuracy of its predictions; with `show_gap`, a cross-hatched bar marks
    the difference between that accuracy and the bin's mean confidence (above
    the accuracy bar when the model is over-confident, inside it when it is
    under-confident). The dashed diagonal is perfect calibration.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    probs : array_like, shape (n, k) or (n,)
        Predicted probabilities, or the probability of class 1 for a binary
        problem; see :func:`softmax_lib.reliability_curve`.
    labels : array_like of int, shape (n,)
        True classes.
    n_bins : int, optional
        Number of bins. Default 10.
    strategy : {"uniform", "quantile"}, optional
        Equal-width or equal-mass bins. Default ``"uniform"``.
    style : int, optional
        Index into :data:`PALETTE` and :data:`HATCHES` for the accuracy bars.
        Default 0.
    label : str, optional
        Legend label of the accuracy bars. Default ``"accuracy"``.
    show_gap : bool, optional
        Draw the confidence--accuracy gap. Default True.

    Returns
    -------
    ReliabilityCurve
        The per-bin numbers that were drawn (see
        :func:`softmax_lib.reliability_curve`).

    Raises
    ------
    TypeError, ValueError
        For invalid `probs`, `labels`, `n_bins` or `strategy`, as
        :func:`softmax_lib.reliability_curve` does.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from softmax_lib.plotting import reliability_diagram
    >>> fig, ax = plt.subplots(figsize=(4, 4))
    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.4, 0.6]]
    >>> curve = reliability_diagram(ax, probs, [0, 1, 1, 1], n_bins=5)
    >>> curve.counts
    array([1, 2, 1])
    >>> plt.close(fig)
    """
    curve = reliability_curve(probs, labels, n_bins=n_bins, strategy=strategy)
    widths = curve.upper - curve.lower
    ax.bar(
        curve.lower,
        curve.accuracy,
        widths,
        align="edge",
        label=label,
        color=PALETTE[style % len(PALETTE)],
        hatch=HATCHES[style % len(HATCHES)],
        edgecolor="#222222",
        linewidth=0.6,
        alpha=0.85,
    )
    if show_gap:
        ax.bar(
            curve.lower,
            curve.confidence - curve.accuracy,
            widths,
            bottom=curve.accuracy,
            align="edge",
            label="gap to confidence",
            color="none",
            hatch="xx",
            edgecolor=PALETTE[1],
            linewidth=0.8,
        )
    ax.plot(
        [0.0, 1.0],
        [0.0, 1.0],
        color="#333333",
        linestyle="--",
        marker="",
        linewidth=1.2,
        label="perfect calibration",
    )
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.grid(axis="x", visible=False)
    return curve
