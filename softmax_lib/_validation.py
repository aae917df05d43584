"""Input checks shared by every public function.

Each check raises :class:`TypeError` or :class:`ValueError` with a message that
names the public function, the argument and what was expected, so that an error
deep inside a notebook still says where to look.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.exceptions import AxisError
from numpy.typing import NDArray

__all__ = [
    "as_real_array",
    "normalize_axes",
    "check_temperature",
    "check_single_axis",
    "check_positive_int",
    "check_real",
    "check_bool",
    "check_labels",
]


def as_real_array(x: Any, func: str, name: str = "x") -> np.ndarray:
    """Return `x` as a floating-point ndarray without copying when possible.

    float16, float32, float64 (and longdouble) arrays are returned as they are;
    booleans and integers are converted to float64. Strings, bytes, objects,
    complex numbers, datetimes and ragged sequences are rejected.
    """
    if isinstance(x, (str, bytes)):
        raise TypeError(
            f"{func}: {name} must be an array of real numbers, got {type(x).__name__} {x!r}"
        )
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{func}: {name} must be a rectangular array of real numbers; "
            f"numpy could not convert it ({exc})"
        ) from None
    kind = arr.dtype.kind
    if kind == "f":
        return arr
    if kind in "biu":
        return arr.astype(np.float64)
    if kind == "c":
        raise TypeError(
            f"{func}: {name} must be real, got complex dtype {arr.dtype}; "
            f"pass {name}.real explicitly if that is what you mean"
        )
    raise TypeError(
        f"{func}: {name} must contain real numbers (bool, int or float), "
        f"got an array of dtype {arr.dtype}"
    )


def normalize_axes(axis: Any, ndim: int, func: str) -> tuple[int, ...]:
    """Turn ``axis`` (None, an int, or a tuple of ints) into sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (bool, np.bool_)):
        raise TypeError(f"{func}: axis must be an int, a tuple of ints or None, got bool {axis!r}")
    if isinstance(axis, (numbers.Integral, np.integer)):
        requested: tuple[Any, ...] = (axis,)
    elif isinstance(axis, tuple):
        requested = axis
    else:
        raise TypeError(
            f"{func}: axis must be an int, a tuple of ints or None, "
            f"got {type(axis).__name__} {axis!r}"
        )
    axes = []
    for a in requested:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (numbers.Integral, np.integer)):
            raise TypeError(f"{func}: axis must be an int, a tuple of ints or None, got {axis!r}")
        a = int(a)
        if not -ndim <= a < ndim:
            raise AxisError(
                f"{func}: axis {a} is out of range for an input with {ndim} "
                f"dimension(s); expected an axis from {-ndim} to {ndim - 1}"
            )
        axes.append(a % ndim)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{func}: axis {axis!r} names the same axis more than once")
    return tuple(sorted(axes))


def check_temperature(temperature: Any, func: str) -> float:
    """Return `temperature` as a float, or raise if it is not positive and finite."""
    ok_type = isinstance(temperature, numbers.Real) or (
        isinstance(temperature, np.ndarray)
        and temperature.ndim == 0
        and temperature.dtype.kind in "iuf"
    )
    if isinstance(temperature, (bool, np.bool_)) or not ok_type:
        raise TypeError(
            f"{func}: temperature must be a positive finite real number, "
            f"got {type(temperature).__name__} {temperature!r}"
        )
    value = float(temperature)
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(
            f"{func}: temperature must be a positive finite real number, got {value!r}"
        )
    return value


def check_single_axis(axis: Any, ndim: int, func: str) -> int:
    """Return `axis` as one non-negative axis of an array with `ndim` dimensions.

    For functions that work along exactly one axis: None and tuples are rejected
    with a TypeError; out-of-range axes raise :class:`numpy.exceptions.AxisError`
    (a ValueError) as in :func:`normalize_axes`.
    """
    if axis is None or isinstance(axis, tuple):
        raise TypeError(f"{func}: axis must be a single int, got {axis!r}")
    return normalize_axes(axis, ndim, func)[0]


def _is_int(value: Any) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )


def check_positive_int(value: Any, func: str, name: str, *, minimum: int = 1) -> int:
    """Return `value` as an int >= `minimum` (default 1: a positive int), or raise.

    Bools are rejected (TypeError) although Python counts them as ints; so are
    floats, even integral ones such as ``3.0``.
    """
    expected = "a positive int" if minimum == 1 else f"an int >= {minimum}"
    if not _is_int(value):
        raise TypeError(f"{func}: {name} must be {expected}, got {type(value).__name__} {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{func}: {name} must be {expected}, got {int(value)}")
    return int(value)


def check_real(
    value: Any,
    func: str,
    name: str,
    lo: float = -math.inf,
    hi: float = math.inf,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """Return `value` as a finite float in the interval from `lo` to `hi`, or raise.

    The interval is closed unless `lo_open`/`hi_open` say otherwise; infinite
    bounds mean no bound. NaN and infinities are always rejected (ValueError);
    bools, strings and complex numbers are not real numbers (TypeError).
    Python and numpy ints and floats and 0-d real arrays are accepted.
    """
    ok_type = isinstance(value, (numbers.Real, np.floating, np.integer)) or (
        isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"
    )
    if isinstance(value, (bool, np.bool_)) or not ok_type:
        raise TypeError(
            f"{func}: {name} must be a real number, got {type(value).__name__} {value!r}"
        )
    v = float(value)
    inside = (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
    if not (math.isfinite(v) and inside):
        if math.isinf(lo) and math.isinf(hi):
            where = "a finite real number"
        elif math.isinf(hi):
            where = f"a finite real number {'>' if lo_open else '>='} {lo:g}"
        elif math.isinf(lo):
            where = f"a finite real number {'<' if hi_open else '<='} {hi:g}"
        else:
            where = f"in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        raise ValueError(f"{func}: {name} must be {where}, got {v!r}")
    return v


def check_bool(value: Any, func: str, name: str) -> bool:
    """Return `value` as a bool if it is ``True`` or ``False`` (Python or numpy), or raise."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{func}: {name} must be True or False, got {type(value).__name__} {value!r}"
        )
    return bool(value)


def check_labels(
    labels: Any, n: int | tuple[int, ...], n_classes: int | None, func: str
) -> NDArray[np.intp]:
    """Return integer class `labels` as an intp array, or raise.

    `n` is the expected number of labels (a vector of length `n`) or, as a tuple,
    the expected shape. Labels must lie in ``0, ..., n_classes - 1``; with
    `n_classes` None only negative labels are rejected.

    Booleans are not labels: an array of True/False raises TypeError (convert it
    with ``labels.astype(int)`` if 0/1 classes are meant), as do floats, even
    integral ones, strings and objects.
    """
    if isinstance(labels, (str, bytes)):
        raise TypeError(
            f"{func}: labels must be an array of integer class labels, "
            f"got {type(labels).__name__} {labels!r}"
        )
    arr = np.asarray(labels)
    if arr.dtype.kind == "b":
        raise TypeError(
            f"{func}: labels must be integer class labels, got booleans; booleans are not "
            f"labels (use labels.astype(int) if you mean classes 0 and 1)"
        )
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: labels must be an array of integer class labels, got dtype {arr.dtype}"
        )
    shape = (n,) if isinstance(n, int) else tuple(n)
    if arr.shape != shape:
        what = f"one label per example ({shape[0]})" if len(shape) == 1 else f"shape {shape}"
        raise ValueError(f"{func}: labels must have {what}, got shape {arr.shape}")
    if arr.size:
        low, high = arr.min(), arr.max()
        if low < 0 or (n_classes is not None and high >= n_classes):
            allowed = "non-negative" if n_classes is None else f"in 0, ..., {n_classes - 1}"
            raise ValueError(f"{func}: labels must be {allowed}, got values from {low} to {high}")
    return arr.astype(np.intp)

# --- added for core ---
def as_float_array(x: Any, func: str, name: str = "x") -> np.ndarray:
    """:func:`as_real_array`, also accepting the ``ml_dtypes`` floating formats.

    Arrays of ``ml_dtypes`` formats (bfloat16, the float8 formats) are
    returned as they are; everything else goes through :func:`as_real_array`.
    """
    dtype = getattr(x, "dtype", None)
    if isinstance(x, np.ndarray) and is_ml_float(x.dtype):
        return x
    if isinstance(x, np.generic) and dtype is not None and is_ml_float(dtype):
        return np.asarray(x)
    return as_real_array(x, func, name)


def is_ml_float(dtype: Any) -> bool:
    """Whether `dtype` is a floating format of the ``ml_dtypes`` package (bfloat16, float8)."""
    dt = np.dtype(dtype)
    return dt.kind == "V" and dt.names is None and dt.type.__module__.startswith("ml_dtypes") \
        and "float" in dt.name
