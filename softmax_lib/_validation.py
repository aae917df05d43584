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

__all__ = ["as_real_array", "normalize_axes", "check_temperature"]


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
            f"{func}: axis must be an int, a tuple of ints or None, got {type(axis).__name__} {axis!r}"
        )
    axes = []
    for a in requested:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (numbers.Integral, np.integer)):
            raise TypeError(
                f"{func}: axis must be an int, a tuple of ints or None, got {axis!r}"
            )
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
        isinstance(temperature, np.ndarray) and temperature.ndim == 0
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



# --- added for alternatives ---


def check_positive_int(value: Any, func: str, name: str) -> int:
    """Return `value` as an int, or raise if it is not a positive integer (bools rejected)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (numbers.Integral, np.integer)
    ):
        raise TypeError(
            f"{func}: {name} must be a positive int, got {type(value).__name__} {value!r}"
        )
    if int(value) < 1:
        raise ValueError(f"{func}: {name} must be a positive int, got {int(value)}")
    return int(value)


def check_real(value: Any, func: str, name: str, lo: float, hi: float) -> float:
    """Return `value` as a float, or raise if it is not a real number in ``[lo, hi]``."""
    ok_type = isinstance(value, numbers.Real) or (
        isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"
    )
    if isinstance(value, (bool, np.bool_)) or not ok_type:
        raise TypeError(
            f"{func}: {name} must be a real number, got {type(value).__name__} {value!r}"
        )
    v = float(value)
    if not (lo <= v <= hi):  # also rejects NaN
        raise ValueError(f"{func}: {name} must be in [{lo}, {hi}], got {v!r}")
    return v


def check_single_axis(axis: Any, ndim: int, func: str) -> int:
    """Return one axis as a non-negative int, or raise (tuples and None are rejected)."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"{func}: axis must be a single int, got {type(axis).__name__} {axis!r}")
    return normalize_axes(int(axis), ndim, func)[0]


def check_labels(labels: Any, n: int, n_classes: int, func: str) -> np.ndarray:
    """Return `labels` as a 1-D int64 array of length `n` with values in ``[0, n_classes)``."""
    arr = np.asarray(labels)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{func}: labels must be integers, got dtype {arr.dtype}")
    arr = arr.reshape(-1)
    if arr.size != n:
        raise ValueError(f"{func}: expected {n} labels, got {arr.size}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{func}: labels must be in [0, {n_classes - 1}], got values from "
            f"{int(arr.min())} to {int(arr.max())}"
        )
    return arr.astype(np.int64)
