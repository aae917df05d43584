"""Each shared input check of softmax_lib._validation, tested directly.

Every public function relies on these for its error messages, which always read
``func: arg must be ..., got ...``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.exceptions import AxisError

from softmax_lib._validation import (
    as_real_array,
    check_bool,
    check_labels,
    check_positive_int,
    check_real,
    check_single_axis,
    check_temperature,
    normalize_axes,
)

# ---------------------------------------------------------------------------
# as_real_array, normalize_axes, check_temperature
# ---------------------------------------------------------------------------


def test_as_real_array_keeps_floats_and_converts_ints_and_bools():
    x32 = np.ones(3, dtype=np.float32)
    assert as_real_array(x32, "f") is x32
    assert as_real_array([1, 2], "f").dtype == np.float64
    assert as_real_array(np.array([True, False]), "f").dtype == np.float64


@pytest.mark.parametrize(
    "bad, error, message",
    [
        ("abc", TypeError, "f: x must be an array of real numbers, got str"),
        ([1 + 2j], TypeError, "f: x must be real, got complex dtype"),
        (np.array(["a"]), TypeError, "f: x must contain real numbers"),
        ([[1.0], [1.0, 2.0]], ValueError, "f: x must be a rectangular array"),
    ],
)
def test_as_real_array_rejects(bad, error, message):
    with pytest.raises(error, match=message):
        as_real_array(bad, "f")


def test_normalize_axes():
    assert normalize_axes(None, 3, "f") == (0, 1, 2)
    assert normalize_axes(-1, 3, "f") == (2,)
    assert normalize_axes((2, 0), 3, "f") == (0, 2)
    assert normalize_axes(np.int64(1), 2, "f") == (1,)
    with pytest.raises(AxisError, match="f: axis 3 is out of range"):
        normalize_axes(3, 3, "f")
    with pytest.raises(
        TypeError, match="f: axis must be an int, a tuple of ints or None, got bool"
    ):
        normalize_axes(True, 3, "f")
    with pytest.raises(TypeError, match="f: axis must be an int, a tuple of ints or None"):
        normalize_axes([0], 3, "f")
    with pytest.raises(ValueError, match="names the same axis more than once"):
        normalize_axes((0, -3), 3, "f")


def test_check_temperature():
    assert check_temperature(2, "f") == 2.0
    assert check_temperature(np.float32(0.5), "f") == 0.5
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="f: temperature must be a positive finite real"):
            check_temperature(bad, "f")
    for bad in (True, "1", None, 1j):
        with pytest.raises(TypeError, match="f: temperature must be a positive finite real"):
            check_temperature(bad, "f")


# ---------------------------------------------------------------------------
# check_single_axis
# ---------------------------------------------------------------------------


def test_check_single_axis_accepts_one_axis():
    assert check_single_axis(-1, 3, "f") == 2
    assert check_single_axis(0, 1, "f") == 0
    assert check_single_axis(np.int32(1), 2, "f") == 1


@pytest.mark.parametrize("bad", [None, (0,), (0, 1)])
def test_check_single_axis_rejects_none_and_tuples(bad):
    with pytest.raises(TypeError, match=r"f: axis must be a single int, got"):
        check_single_axis(bad, 2, "f")


def test_check_single_axis_range_and_type():
    with pytest.raises(AxisError, match="f: axis 2 is out of range"):
        check_single_axis(2, 2, "f")
    with pytest.raises(TypeError, match="got bool"):
        check_single_axis(False, 2, "f")
    with pytest.raises(TypeError, match="f: axis must be an int"):
        check_single_axis(1.0, 2, "f")


# ---------------------------------------------------------------------------
# check_positive_int
# ---------------------------------------------------------------------------


def test_check_positive_int_accepts_python_and_numpy_ints():
    assert check_positive_int(3, "f", "n") == 3
    value = check_positive_int(np.int64(7), "f", "n")
    assert value == 7 and type(value) is int
    assert check_positive_int(0, "f", "n", minimum=0) == 0
    assert check_positive_int(2, "f", "k", minimum=2) == 2


@pytest.mark.parametrize("bad", [True, np.bool_(True), 3.0, "3", None, np.float64(2)])
def test_check_positive_int_rejects_non_ints(bad):
    with pytest.raises(TypeError, match=r"f: n must be a positive int, got "):
        check_positive_int(bad, "f", "n")


def test_check_positive_int_range():
    with pytest.raises(ValueError, match=r"f: n must be a positive int, got 0$"):
        check_positive_int(0, "f", "n")
    with pytest.raises(ValueError, match=r"f: n must be a positive int, got -2$"):
        check_positive_int(-2, "f", "n")
    with pytest.raises(ValueError, match=r"f: k must be an int >= 2, got 1$"):
        check_positive_int(1, "f", "k", minimum=2)
    with pytest.raises(ValueError, match=r"f: seed must be an int >= 0, got -1$"):
        check_positive_int(-1, "f", "seed", minimum=0)


# ---------------------------------------------------------------------------
# check_real
# ---------------------------------------------------------------------------


def test_check_real_accepts_reals_and_returns_float():
    for value in (0.5, 1, np.float32(0.25), np.int8(1), np.array(0.75)):
        out = check_real(value, "f", "a", 0.0, 1.0)
        assert type(out) is float and out == float(value)
    assert check_real(-1e300, "f", "a") == -1e300  # no bounds


def test_check_real_closed_and_open_bounds():
    assert check_real(0.0, "f", "a", 0.0, 1.0) == 0.0
    assert check_real(1.0, "f", "a", 0.0, 1.0) == 1.0
    with pytest.raises(ValueError, match=r"f: a must be in \(0, 1\], got 0\.0"):
        check_real(0.0, "f", "a", 0.0, 1.0, lo_open=True)
    with pytest.raises(ValueError, match=r"f: a must be in \[0, 1\), got 1\.0"):
        check_real(1.0, "f", "a", 0.0, 1.0, hi_open=True)
    with pytest.raises(ValueError, match=r"f: lr must be a finite real number > 0, got 0\.0"):
        check_real(0.0, "f", "lr", 0.0, lo_open=True)
    with pytest.raises(ValueError, match=r"f: a must be a finite real number <= 1, got 2\.0"):
        check_real(2.0, "f", "a", hi=1.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_check_real_rejects_nan_and_infinity_even_without_bounds(bad):
    with pytest.raises(ValueError, match=r"f: a must be a finite real number, got"):
        check_real(bad, "f", "a")


@pytest.mark.parametrize("bad", [True, np.bool_(False), "0.5", None, 1j, [0.5], np.array([0.5])])
def test_check_real_rejects_non_reals(bad):
    with pytest.raises(TypeError, match=r"f: a must be a real number, got "):
        check_real(bad, "f", "a", 0.0, 1.0)


# ---------------------------------------------------------------------------
# check_bool
# ---------------------------------------------------------------------------


def test_check_bool():
    assert check_bool(True, "f", "log") is True
    assert check_bool(np.bool_(False), "f", "log") is False
    for bad in (0, 1, "True", None, np.array([True])):
        with pytest.raises(TypeError, match=r"f: log must be True or False, got "):
            check_bool(bad, "f", "log")


# ---------------------------------------------------------------------------
# check_labels
# ---------------------------------------------------------------------------


def test_check_labels_returns_intp_copy():
    labels = np.array([0, 2, 1], dtype=np.uint8)
    out = check_labels(labels, 3, 3, "f")
    assert out.dtype == np.intp
    np.testing.assert_array_equal(out, [0, 2, 1])
    out[0] = 2
    assert labels[0] == 0  # the input is never modified
    assert check_labels([[0, 1], [1, 0]], (2, 2), 2, "f").shape == (2, 2)
    assert check_labels(np.zeros(0, dtype=int), 0, 3, "f").shape == (0,)
    assert check_labels([5, 9], 2, None, "f").tolist() == [5, 9]


def test_bools_are_not_labels():
    with pytest.raises(
        TypeError,
        match=r"f: labels must be integer class labels, got booleans; "
        r"booleans are not labels",
    ):
        check_labels([True, False, True], 3, 2, "f")


@pytest.mark.parametrize("bad", [[0.0, 1.0], ["a", "b"], "ab", [None, 1]])
def test_check_labels_rejects_non_integers(bad):
    with pytest.raises(TypeError, match=r"f: labels must be an array of integer class labels, got"):
        check_labels(bad, 2, 2, "f")


def test_check_labels_shape_and_range():
    with pytest.raises(
        ValueError,
        match=r"f: labels must have one label per example \(3\), "
        r"got shape \(2,\)",
    ):
        check_labels([0, 1], 3, 2, "f")
    with pytest.raises(ValueError, match=r"f: labels must have shape \(2, 2\), got shape \(4,\)"):
        check_labels([0, 1, 0, 1], (2, 2), 2, "f")
    with pytest.raises(
        ValueError, match=r"f: labels must be in 0, \.\.\., 1, got values from 0 to 2"
    ):
        check_labels([0, 2], 2, 2, "f")
    with pytest.raises(
        ValueError, match=r"f: labels must be in 0, \.\.\., 2, got values from -1 to 0"
    ):
        check_labels([-1, 0], 2, 3, "f")
    with pytest.raises(ValueError, match=r"f: labels must be non-negative, got values from -1"):
        check_labels([-1, 4], 2, None, "f")
