"""Glue for notebooks that run anywhere: the book's ``glue`` without the book builder.

The chapters store computed numbers and figures in their outputs with
``glue(name, value)`` so that the text can quote them (``{glue:text}`name```).
:func:`glue` writes exactly the output that ``myst_nb.glue`` writes, byte for
byte, but needs only IPython (installed with any Jupyter kernel), not myst-nb
and Jupyter Book, so a reader can run a downloaded chapter after
``pip install "softmax-lib[notebooks]"``.
"""

from __future__ import annotations

from typing import Any

from IPython.core.formatters import format_display_data
from IPython.display import display as ipy_display

__all__ = ["glue", "GLUE_PREFIX"]

#: Prefix of the MIME types of an output that is glued but not displayed, as myst-nb
#: (and papermill's scrapbook before it) reads them.
GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Store the displayed form of `variable` in the cell's output under `name`.

    Parameters
    ----------
    name : str
        A name unique within the notebook; the text refers to it as
        ``{glue:text}`name``` (or ``{glue:figure}`` for a figure).
    variable : object
        Anything IPython can display: a number, a string, an array, a
        matplotlib figure. What is stored is its display (``text/plain``,
        ``image/png``, ...), not the object.
    display : bool, optional
        Also show the value in the notebook. Default True. With False the
        output carries the MIME types prefixed with ``GLUE_PREFIX`` so
        that front ends do not show it.

    Returns
    -------
    None

    Raises
    ------
    TypeError
        If `name` is not a str or `display` is not a bool.

    Notes
    -----
    The output is a ``display_data`` whose data is IPython's display of
    `variable` (every MIME type, prefixed when ``display=False``) and whose
    metadata is IPython's display metadata plus ``{"scrapbook": {"name":
    name, "mime_prefix": prefix}}``: the format of ``myst_nb.glue``
    (myst-nb 1.x), so the book renders glued values from notebooks that use
    either function and their stored outputs are identical.

    Examples
    --------
    In a notebook cell, store a number for the text and show nothing:

    >>> from softmax_lib.notebook import GLUE_PREFIX, glue
    >>> glue("answer", 42, display=False)  # doctest: +SKIP

    The cell's output then holds ``{GLUE_PREFIX + "text/plain": "42"}``:

    >>> GLUE_PREFIX + "text/plain"
    'application/papermill.record/text/plain'
    """
    if not isinstance(name, str):
        raise TypeError(f"glue: name must be a str, got {type(name).__name__} {name!r}")
    if not isinstance(display, bool):
        raise TypeError(f"glue: display must be True or False, got {display!r}")
    mimebundle, metadata = format_display_data(variable)  # type: ignore[no-untyped-call]
    mime_prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=mime_prefix)
    bundle = {mime_prefix + k: v for k, v in mimebundle.items()}
    ipy_display(bundle, raw=True, metadata=metadata)  # type: ignore[no-untyped-call]
