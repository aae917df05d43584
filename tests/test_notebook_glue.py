"""softmax_lib.notebook.glue writes exactly what myst_nb.glue writes.

Both functions are called in one IPython shell with its display output captured
(data and metadata of every display), for numbers, strings, arrays and a
matplotlib figure, shown and hidden. The notebooks' byte-identical re-execution
with the swapped import was checked by re-executing chapter 1 (tools/use_package_glue.py).
"""

from __future__ import annotations

import numpy as np
import pytest

IPython = pytest.importorskip("IPython")
myst_nb = pytest.importorskip("myst_nb")
matplotlib = pytest.importorskip("matplotlib")

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from softmax_lib.notebook import GLUE_PREFIX, glue  # noqa: E402


def captured(func, name, value, display):
    InteractiveShell.instance()
    with capture_output() as out:
        func(name, value, display=display)
    return [(o.data, o.metadata) for o in out.outputs]


def values():
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    return [42, 0.1234, "a string", np.array([0.6285, 0.2312]), fig]


@pytest.mark.parametrize("display", [True, False])
def test_glue_output_is_myst_nb_output(display):
    from myst_nb import glue as myst_glue

    for i, value in enumerate(values()):
        ours = captured(glue, f"v{i}", value, display)
        theirs = captured(myst_glue, f"v{i}", value, display)
        assert ours == theirs
        assert len(ours) == 1
        data, metadata = ours[0]
        assert metadata["scrapbook"] == {
            "name": f"v{i}",
            "mime_prefix": "" if display else GLUE_PREFIX,
        }
        assert all(key.startswith(GLUE_PREFIX) != display for key in data)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_glue_rejects_bad_arguments():
    with pytest.raises(TypeError, match="glue: name must be a str"):
        glue(1, 2)
    with pytest.raises(TypeError, match="glue: display must be True or False"):
        glue("x", 2, display=0)
