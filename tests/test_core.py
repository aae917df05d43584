"""Tests of softmax_lib's core functions.

Reference values come from mpmath at 60 significant digits, never from the code
under test. Property-based tests (hypothesis) are in test_properties.py; the
strict accuracy targets in ulps are in test_accuracy.py.
"""

from __future__ import annotations

import math
import re
import warnings

import mpmath as mp
import numpy as np
import pytest

import softmax_lib
from softmax_lib import log_sigmoid, log_softmax, logsumexp, naive_softmax, sigmoid, softmax

DPS = 60  # working precision of every reference below, set locally (mp.workdps)

FUNCS_WITH_AXIS = [softmax, log_softmax, logsumexp, naive_softmax]
ALL_FUNCS = FUNCS_WITH_AXIS + [sigmoid, log_sigmoid]


# ---------------------------------------------------------------------------
# mpmath references (exact to far beyond float64, then rounded once)
# ---------------------------------------------------------------------------


def _scaled(x, temperature):
    """The logits as exact mpmath numbers, divided by the temperature in mpmath."""
    return [mp.mpf(float(v)) / mp.mpf(float(temperature)) for v in x]


def _mp_lse(values) -> mp.mpf:
    return mp.log(mp.fsum(mp.exp(v) for v in values))


def mp_logsumexp(x) -> float:
    with mp.workdps(DPS):
        return float(_mp_lse(_scaled(x, 1)))


def mp_softmax(x, temperature=1.0) -> np.ndarray:
    with mp.workdps(DPS):
        values = _scaled(x, temperature)
        lse = _mp_lse(values)
        return np.array([float(mp.exp(v - lse)) for v in values])


def mp_log_softmax(x, temperature=1.0) -> np.ndarray:
    with mp.workdps(DPS):
        values = _scaled(x, temperature)
        lse = _mp_lse(values)
        return np.array([float(v - lse) for v in values])


def mp_sigmoid(z) -> float:
    with mp.workdps(DPS):
        return float(1 / (1 + mp.exp(-mp.mpf(float(z)))))


def mp_log_sigmoid(z) -> float:
    with mp.workdps(DPS):
        return float(-mp.log1p(mp.exp(-mp.mpf(float(z)))))


def assert_close_ulps(actual, expected, max_ulps: float) -> None:
    """Every entry within `max_ulps` units in the last place of the reference."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(np.isfinite(actual), np.isfinite(expected))
    finite = np.isfinite(expected)
    ulp = np.spacing(np.abs(expected[finite]))
    err = np.abs(actual[finite] - expected[finite]) / ulp
    assert err.max(initial=0.0) <= max_ulps, f"error {err.max()} ulp > {max_ulps}"


CASES = {
    "worked example a": [2.0, 1.0, 0.5],
    "worked example b": [2.0, 1.0, 0.1],
    "negative": [1.0, -2.0, 0.0],
    "large": [1000.0, 999.0, 0.0, -1000.0],
    "very negative": [-1000.0, -1001.5, -1000.25],
    "tiny tail": [0.0, -40.0, -700.0],
    "near tie": [1.0, 1.0 + 2**-40, 1.0 - 2**-41],
    "mixed magnitudes": [1e-12, -3.5, 17.25, 100.0, -1e3],
    "single": [3.0],
}


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_softmax_matches_mpmath(name):
    x = CASES[name]
    assert_close_ulps(softmax(x), mp_softmax(x), 8)


@pytest.mark.parametrize("name", CASES)
def test_log_softmax_matches_mpmath(name):
    x = CASES[name]
    assert_close_ulps(log_softmax(x), mp_log_softmax(x), 8)


@pytest.mark.parametrize("name", CASES)
def test_logsumexp_matches_mpmath(name):
    x = CASES[name]
    assert_close_ulps(logsumexp(x), mp_logsumexp(x), 4)


def test_reference_numbers_from_the_guide():
    # GUIDE section 6; these are the numbers the introduction quotes.
    np.testing.assert_allclose(softmax([2.0, 1.0, 0.5]), [0.6285, 0.2312, 0.1402], atol=5e-5)
    np.testing.assert_allclose(softmax([2.0, 1.0, 0.1]), [0.659, 0.242, 0.099], atol=5e-4)
    np.testing.assert_allclose(softmax([1.0, -2.0, 0.0]), [0.705, 0.035, 0.259], atol=5e-4)


def test_log1p_keeps_terms_below_rounding_level_of_one():
    with mp.workdps(DPS):
        expected = float(mp.log1p(mp.exp(-40)))  # 4.248...e-18
    assert logsumexp([0.0, -40.0]) == pytest.approx(expected, rel=1e-15)
    assert log_softmax([0.0, -40.0])[0] == pytest.approx(-expected, rel=1e-15)
    # The naive formula loses it entirely.
    assert np.log(np.sum(np.exp([0.0, -40.0]))) == 0.0


def test_finite_input_never_warns_or_gives_nan():
    x = np.array([1000.0, 0.0, -1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(x)
        lp = log_softmax(x)
        lse = logsumexp(x)
        s = sigmoid(x)
        ls = log_sigmoid(x)
    np.testing.assert_array_equal(p, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(lp, [0.0, -1000.0, -2000.0])
    assert lse == 1000.0
    np.testing.assert_array_equal(s, [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(ls, [0.0, -np.log(2.0), -1000.0])
    extreme = np.array([np.finfo(float).max, -np.finfo(float).max, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not np.isnan(softmax(extreme)).any()
        assert not np.isnan(softmax(extreme, temperature=1e-3)).any()
        assert np.isfinite(logsumexp(extreme))


def test_naive_softmax_fails_as_documented():
    with pytest.warns(RuntimeWarning):
        p = naive_softmax([1000.0, 0.0, 0.0])
    assert np.isnan(p[0])
    with np.errstate(all="ignore"):
        assert np.isnan(naive_softmax([-1000.0, -1000.0])).all()
        assert np.isnan(naive_softmax(np.array([12.0, 0.0], dtype=np.float16))).any()
    np.testing.assert_allclose(naive_softmax([2.0, 1.0, 0.5]), softmax([2.0, 1.0, 0.5]), rtol=1e-15)


@pytest.mark.parametrize(
    "z", [-800.0, -745.0, -700.0, -40.0, -1.0, -1e-10, 0.0, 1e-10, 0.5, 20.0, 40.0, 700.0]
)
def test_sigmoid_and_log_sigmoid_match_mpmath(z):
    assert_close_ulps(sigmoid(z), mp_sigmoid(z), 2)
    assert_close_ulps(log_sigmoid(z), mp_log_sigmoid(z), 2)


def test_sigmoid_and_two_class_softmax_agree_within_rounding():
    # Both are within 1-2 ulp of the correctly rounded value, by different formulas
    # (the monotone ones), so they agree to a few ulp but not to the last bit.
    z = np.linspace(-740.0, 740.0, 20_001)
    p = softmax(np.stack([z, np.zeros_like(z)], axis=-1))[:, 0]
    s = sigmoid(z)
    ulps = np.abs(p - s) / np.spacing(np.maximum(p, s))
    assert ulps.max() <= 4


def test_temperature_matches_scaled_logits():
    x = np.array([2.0, 1.0, 0.5, -3.0])
    for T in (0.1, 0.5, 2.0, 10.0):
        assert_close_ulps(softmax(x, temperature=T), mp_softmax(x, T), 8)
        assert_close_ulps(log_softmax(x, temperature=T), mp_log_softmax(x, T), 8)


def test_temperature_limits():
    x = np.array([2.0, 1.0, 0.5])
    np.testing.assert_array_equal(softmax(x, temperature=1e-6), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(softmax(x, temperature=1e9), np.full(3, 1 / 3), rtol=1e-8)


# ---------------------------------------------------------------------------
# Types, shapes and axes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(
    "func", [softmax, log_softmax, logsumexp, sigmoid, log_sigmoid, naive_softmax]
)
def test_float_dtypes_are_kept(func, dtype):
    x = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]], dtype=dtype)
    assert func(x).dtype == dtype


@pytest.mark.parametrize("func", ALL_FUNCS)
@pytest.mark.parametrize(
    "x", [[1, 2, 3], np.array([1, 2, 3], dtype=np.int8), np.array([True, False, True])]
)
def test_integers_and_bools_compute_in_float64(func, x):
    out = func(x)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, func(np.asarray(x, dtype=np.float64)))


def test_float16_computes_above_its_own_range():
    x = np.array([12.0, 0.0], dtype=np.float16)  # exp(12) overflows float16
    p = softmax(x)
    assert p.dtype == np.float16
    np.testing.assert_allclose(p.astype(float), mp_softmax([12.0, 0.0]), rtol=1e-3)


def test_lists_and_scalars():
    assert isinstance(softmax([1.0, 2.0]), np.ndarray)
    assert softmax(3.0) == 1.0 and np.ndim(softmax(3.0)) == 0
    assert log_softmax(-2.5) == 0.0
    assert logsumexp(7.0) == 7.0
    assert sigmoid(0.0) == 0.5 and isinstance(sigmoid(0.0), np.floating)
    assert isinstance(logsumexp([1.0, 2.0]), np.floating)


def test_axis_variants_match_manual_reduction():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 5)) * 10
    for axis in (0, 1, 2, -1, -3):
        p = softmax(x, axis=axis)
        np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-15, atol=4e-16)
        np.testing.assert_allclose(
            p, np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True), rtol=1e-13
        )
        np.testing.assert_allclose(
            logsumexp(x, axis=axis), np.log(np.exp(x).sum(axis=axis)), rtol=1e-14
        )
    for axis in [(0, 2), (2, 0), (1, 2), (0, 1, 2), None]:
        p = softmax(x, axis=axis)
        ref = np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True)
        np.testing.assert_allclose(p, ref, rtol=1e-13)
        np.testing.assert_allclose(log_softmax(x, axis=axis), np.log(ref), rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(
            logsumexp(x, axis=axis), np.log(np.exp(x).sum(axis=axis)), rtol=1e-14
        )
        assert (
            logsumexp(x, axis=axis, keepdims=True).shape
            == np.sum(x, axis=axis, keepdims=True).shape
        )
    # an empty tuple reduces nothing: every entry is its own distribution
    np.testing.assert_array_equal(softmax(x, axis=()), np.ones_like(x))
    np.testing.assert_array_equal(logsumexp(x, axis=()), x)


def test_non_contiguous_input():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 8))[::2, ::-1].T
    # Same values up to the order of summation (numpy sums strided data differently).
    np.testing.assert_allclose(
        softmax(x, axis=0), softmax(np.ascontiguousarray(x), axis=0), rtol=1e-15
    )
    for column in range(x.shape[1]):
        assert_close_ulps(softmax(x, axis=0)[:, column], mp_softmax(x[:, column]), 8)


# ---------------------------------------------------------------------------
# Special values
# ---------------------------------------------------------------------------


def test_minus_inf_gets_probability_exactly_zero():
    x = [1.0, -np.inf, 0.5]
    p = softmax(x)
    assert p[1] == 0.0
    np.testing.assert_allclose(p[[0, 2]], mp_softmax([1.0, 0.5]), rtol=1e-15)
    assert log_softmax(x)[1] == -np.inf
    assert logsumexp(x) == pytest.approx(mp_logsumexp([1.0, 0.5]), rel=1e-15)


def test_plus_inf_takes_the_mass():
    np.testing.assert_array_equal(softmax([np.inf, 5.0, -np.inf]), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(
        softmax([np.inf, 3.0, np.inf, np.inf]), [1 / 3, 0.0, 1 / 3, 1 / 3]
    )
    np.testing.assert_array_equal(log_softmax([np.inf, 1.0]), [0.0, -np.inf])
    np.testing.assert_allclose(log_softmax([np.inf, np.inf]), [-np.log(2)] * 2, rtol=1e-15)
    assert logsumexp([np.inf, 1.0]) == np.inf


def test_nan_poisons_only_its_own_slice():
    x = np.array([[1.0, np.nan, 2.0], [1.0, 2.0, 3.0]])
    for func in (softmax, log_softmax):
        out = func(x)
        assert np.isnan(out[0]).all()
        assert np.isfinite(out[1]).all()
    lse = logsumexp(x)
    assert np.isnan(lse[0]) and np.isfinite(lse[1])
    out = softmax(x, axis=0)
    assert np.isnan(out[:, 1]).all() and np.isfinite(out[:, [0, 2]]).all()


def test_all_minus_inf_slice_is_uniform_with_lse_minus_inf():
    x = np.array([[-np.inf, -np.inf, -np.inf, -np.inf], [0.0, 0.0, 1.0, -np.inf]])
    np.testing.assert_array_equal(softmax(x)[0], [0.25] * 4)
    np.testing.assert_allclose(log_softmax(x)[0], [-np.log(4)] * 4, rtol=1e-15)
    assert logsumexp(x)[0] == -np.inf
    assert np.isfinite(logsumexp(x)[1])


def test_empty_input():
    for func in (softmax, log_softmax, naive_softmax):
        assert func([]).shape == (0,)
        assert func(np.zeros((3, 0))).shape == (3, 0)
        assert func(np.zeros((0, 4))).shape == (0, 4)
    assert logsumexp([]) == -np.inf
    np.testing.assert_array_equal(logsumexp(np.zeros((3, 0))), [-np.inf] * 3)
    assert logsumexp(np.zeros((0, 4))).shape == (0,)
    assert logsumexp(np.zeros((3, 0)), keepdims=True).shape == (3, 1)
    assert sigmoid([]).shape == (0,)


def test_sigmoid_special_values():
    np.testing.assert_array_equal(sigmoid([-np.inf, np.inf]), [0.0, 1.0])
    np.testing.assert_array_equal(log_sigmoid([-np.inf, np.inf]), [-np.inf, 0.0])
    assert np.isnan(sigmoid(np.nan)) and np.isnan(log_sigmoid(np.nan))


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("func", ALL_FUNCS)
@pytest.mark.parametrize(
    "bad, error, pattern",
    [
        ("abc", TypeError, r"x must be"),
        (["a", "b"], TypeError, r"x must contain real numbers"),
        (np.array([1.0, None], dtype=object), TypeError, r"x must contain real numbers.*object"),
        ([1 + 2j, 3.0], TypeError, r"x must be real, got complex"),
        ([[1.0, 2.0], [3.0]], ValueError, r"x must be a rectangular array"),
    ],
)
def test_bad_x_is_rejected_with_a_clear_message(func, bad, error, pattern):
    with pytest.raises(error, match=f"^{func.__name__}: {pattern}"):
        func(bad)


@pytest.mark.parametrize("func", [softmax, log_softmax])
@pytest.mark.parametrize(
    "temperature, error",
    [
        (0.0, ValueError),
        (-1.0, ValueError),
        (np.inf, ValueError),
        (np.nan, ValueError),
        ("1", TypeError),
        (True, TypeError),
        ([1.0, 2.0], TypeError),
        (None, TypeError),
    ],
)
def test_bad_temperature(func, temperature, error):
    with pytest.raises(error, match=f"^{func.__name__}: temperature must be a positive finite"):
        func([1.0, 2.0], temperature=temperature)


def test_temperature_accepts_numpy_scalars():
    np.testing.assert_array_equal(
        softmax([1.0, 2.0], temperature=np.float32(2.0)), softmax([1.0, 2.0], temperature=2.0)
    )
    np.testing.assert_array_equal(
        softmax([1.0, 2.0], temperature=2), softmax([1.0, 2.0], temperature=2.0)
    )


@pytest.mark.parametrize("func", FUNCS_WITH_AXIS)
@pytest.mark.parametrize(
    "axis, error, pattern",
    [
        (2, ValueError, r"axis 2 is out of range for an input with 2 dimension"),
        (-3, ValueError, r"axis -3 is out of range"),
        ((0, 5), ValueError, r"axis 5 is out of range"),
        ((0, -2), ValueError, r"axis \(0, -2\) names the same axis more than once"),
        (1.0, TypeError, r"axis must be an int, a tuple of ints or None"),
        ([0, 1], TypeError, r"axis must be an int, a tuple of ints or None"),
        (True, TypeError, r"axis must be an int"),
    ],
)
def test_bad_axis(func, axis, error, pattern):
    with pytest.raises(error, match=f"^{func.__name__}: {pattern}"):
        func(np.ones((2, 3)), axis=axis)


def test_axis_error_is_numpys_axiserror():
    with pytest.raises(np.exceptions.AxisError):
        softmax([1.0, 2.0], axis=1)


def test_bad_keepdims():
    with pytest.raises(TypeError, match="^logsumexp: keepdims must be True or False"):
        logsumexp([1.0, 2.0], keepdims="yes")


# ---------------------------------------------------------------------------
# Inputs are never mutated, outputs never alias them
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("func", ALL_FUNCS)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_input_is_not_mutated_and_not_aliased(func, dtype):
    x = np.array(
        [[3.0, -np.inf, 1.0], [np.inf, 2.0, np.inf], [-np.inf, -np.inf, -np.inf]], dtype=dtype
    )
    before = x.copy()
    with np.errstate(all="ignore"):
        out = func(x) if func in (sigmoid, log_sigmoid) else func(x, axis=-1)
    np.testing.assert_array_equal(x, before)
    assert not np.shares_memory(out, x)


def test_public_api_is_documented():
    """Functions: Parameters (if they take any), Returns, Examples. Classes: Parameters,
    Examples. Result records (named tuples and dataclasses returned by functions): an
    Attributes section, or a ``#:`` comment on every field (which the API page shows)."""
    import dataclasses
    import inspect

    problems = []
    for name in softmax_lib.__all__:
        obj = getattr(softmax_lib, name)
        doc = obj.__doc__ or ""
        if isinstance(obj, type) and (issubclass(obj, tuple) or dataclasses.is_dataclass(obj)):
            fields = getattr(obj, "_fields", None) or [f.name for f in dataclasses.fields(obj)]
            source = inspect.getsource(obj)
            commented = all(re.search(rf"#:.*\n\s*{f}\s*:", source) for f in fields)
            sections = [] if commented else ["Attributes"]
        elif isinstance(obj, type):
            sections = ["Parameters", "Examples"]
        else:
            takes = bool(inspect.signature(obj).parameters)
            sections = (["Parameters"] if takes else []) + ["Returns", "Examples"]
        missing = [s for s in sections if s not in doc]
        if missing:
            problems.append(f"{name}: docstring lacks {missing}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------
# Regression tests for bugs found by trying the functions on unusual input
# ---------------------------------------------------------------------------

EXTREME_TEMPERATURES = [5e-324, 1e-300, 1e-10, 1.5e300, 1.7e308, float(np.finfo(float).max)]


@pytest.mark.parametrize("temperature", EXTREME_TEMPERATURES)
def test_extreme_temperatures_give_the_limits(temperature):
    # Bug 1: the splitting step overflowed for T >= 1e300 (NaN, log_softmax -1).
    x = np.array([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            p = softmax(x, temperature=temperature)
            logp = log_softmax(x, temperature=temperature)
    exact_p = mp_softmax(x, temperature)
    exact_logp = mp_log_softmax(x, temperature)
    np.testing.assert_array_equal(p, exact_p)
    assert_close_ulps(logp, exact_logp, 1)
    if temperature >= 1e300:
        np.testing.assert_array_equal(p, [0.5, 0.5])
        np.testing.assert_allclose(logp, [-np.log(2.0)] * 2, rtol=1e-15)
    if temperature <= 1e-300:
        np.testing.assert_array_equal(p, [0.0, 1.0])
        assert logp[1] == 0.0
        # -1 / T: finite for T = 1e-300, below the most negative float for T = 5e-324
        assert logp[0] == (-np.inf if temperature < 1e-308 else -1.0 / temperature)


@pytest.mark.parametrize("temperature", EXTREME_TEMPERATURES)
def test_extreme_temperatures_with_the_widest_logits(temperature):
    big = float(np.finfo(float).max)
    x = np.array([big, -big, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(x, temperature=temperature)
        logp = log_softmax(x, temperature=temperature)
    assert not np.isnan(p).any() and not np.isnan(logp).any()
    exact = mp_log_softmax(x, temperature)  # -inf where below the float range
    with mp.workdps(DPS):
        values = [mp.mpf(v) / mp.mpf(temperature) for v in x]
        true = [v - max(values) for v in values]  # log-probabilities up to log1p(rest) >= 0
    for got, ref, t in zip(logp, exact, true, strict=True):
        if t < -big:
            assert got == -np.inf
        else:
            assert got == pytest.approx(ref, rel=4e-16, abs=1e-300)
    np.testing.assert_allclose(p, mp_softmax(x, temperature), rtol=4e-16, atol=5e-324)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_every_temperature_on_a_log_grid_gives_no_nan(dtype):
    # Reported: NaN for temperatures around 3.5e307. Every finite positive temperature
    # on a log grid from the smallest subnormal to the largest float, plus a dense grid
    # around 3.5e307, on small and large-magnitude logits, gives finite probabilities
    # summing to 1 and no floating-point exception.
    top = float(np.finfo(dtype).max)
    rows = [
        np.array([1.0, 2.0], dtype=dtype),
        np.array([top, -top, 0.0, 1.0], dtype=dtype),
        np.array([-top, -top / 2, -1.0], dtype=dtype),
        np.array([top, top / 3, top / 2], dtype=dtype),
    ]
    exponents = np.linspace(-1074.0, 1023.99, 241)
    grid = [math.ldexp(1.0, int(e)) * 2.0 ** (e - int(e)) for e in exponents]
    grid += [float(t) for t in np.linspace(3.0e307, 4.0e307, 41)]
    grid += [5e-324, float(np.finfo(float).max)]
    eps = float(np.finfo(dtype).eps)
    for x in rows:
        for t in grid:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                with np.errstate(over="raise", invalid="raise", divide="raise"):
                    p = softmax(x, temperature=t)
                    logp = log_softmax(x, temperature=t)
            assert np.isfinite(p).all() and not np.isnan(logp).any(), (x, t)
            assert (logp <= 0).all(), (x, t)
            assert abs(math.fsum(p.astype(np.float64)) - 1.0) <= len(x) * eps, (x, t)


def test_small_input_memory_is_the_output_plus_a_few_kilobytes():
    # For 1000 entries the output (1x; for logsumexp the scratch of terms) plus the
    # small arrays and Python objects of one call (about 2.5-3 KB, counted by
    # tracemalloc) stay within the 1.5x of large inputs (measured 1.32-1.39x).
    x = np.random.default_rng(4).standard_normal(1000)
    for func in (softmax, log_softmax, logsumexp):
        for shift in (0.0, 1000.0):
            func(x + shift)  # warm up
            extra = _peak_extra_bytes(func, x + shift)
            assert extra <= 1.5 * x.nbytes, f"{func.__name__}: {extra / x.nbytes:.2f}x"


def _sorted_grid(lo, hi, n, dtype):
    z = np.unique(np.linspace(lo, hi, n).astype(dtype).astype(np.float64))
    return z.astype(dtype)


def _decreases(values) -> int:
    return int(np.sum(np.diff(np.asarray(values, dtype=np.float64)) < 0))


MONOTONE_RANGES = {
    np.float64: [
        (-745.2, -700.0),
        (-42.0, -36.0),
        (-1.0, 1.0),
        (36.6, 37.5),
        (679.0, 681.0),
        (705.0, 712.0),
    ],
    np.float32: [(-104.5, -85.0), (-20.0, -14.0), (-1.0, 1.0), (15.5, 17.5), (85.0, 90.0)],
    np.float16: [(-18.0, -10.0), (-3.5, -2.5), (-1.0, 1.0), (6.0, 9.0), (10.0, 12.0)],
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.0])
def test_sigmoid_and_softmax_are_monotone_in_their_own_logit(dtype, temperature):
    # Bug 2: e^z / (e^z + 1) decreased on tens of thousands of grid steps of [36.7, 37.4].
    # Temperatures that are powers of two (a temperature that is not one wobbles by an
    # ulp in float64; see the Notes of softmax).
    for lo, hi in MONOTONE_RANGES[dtype]:
        z = _sorted_grid(lo, hi, 60_001, dtype)
        zero = np.zeros_like(z)
        assert _decreases(sigmoid(z)) == 0, (lo, hi)
        two = softmax(np.stack([z, zero], axis=-1), temperature=temperature)
        assert _decreases(two[:, 0]) == 0 and _decreases(-two[:, 1]) == 0, (lo, hi)
        for others in ([-0.7, 0.3], [-2.4, -3.1], [float(lo), float(hi)]):
            rows = np.stack([z] + [np.full_like(z, v) for v in others], axis=-1)
            p = softmax(rows, temperature=temperature)
            assert _decreases(p[:, 0]) == 0, (lo, hi, others)
            assert _decreases(-p[:, 1]) == 0, (lo, hi, others)


# Rows [z, a] in which the exact p_z crosses the float32 rounding midpoint
# 1/2 - (2k + 1) 2**-26 at a tiny z: float64 results there lie within an ulp of the
# midpoint, where a one-ulp wobble of the float64 quotient turns into a float32
# decrease. The values of k include those where an earlier version decreased (2169
# and 102290 with a zero shift; the others multiplying by a float64 reciprocal).
MIDPOINT_KS = list(range(20)) + [2169, 94987, 102290, 127550, 242739, 312121, 400551]
MIDPOINT_KS += [582877, 591923, 912173]


def _consecutive_float32(center: float, count: int) -> np.ndarray:
    """The 2 * count + 1 consecutive float32 values around `center` (same sign)."""
    c = np.float32(center)
    bits = np.abs(c).view(np.int32) + np.arange(-count, count + 1, dtype=np.int32)
    return np.copysign(bits[bits >= 0].view(np.float32), c)


def test_softmax_is_monotone_around_float32_midpoints():
    decreases = 0
    for k in MIDPOINT_KS:
        with mp.workprec(200):
            midpoint = mp.mpf(0.5) - (2 * k + 1) * mp.mpf(2) ** -26
            gap = mp.log(1 / midpoint - 1)  # a - z where the exact p_z is the midpoint
            a = np.float32(float(gap))
            z_star = float(mp.mpf(float(a)) - gap)
        z = _consecutive_float32(z_star, 20_000)
        z = z[np.argsort(z, kind="stable")]
        p = softmax(np.stack([z, np.full_like(z, a)], axis=-1))
        decreases += _decreases(p[:, 0]) + _decreases(-p[:, 1])
    print(f"decreases on {len(MIDPOINT_KS)} grids of 40,001 float32 steps: {decreases}")
    assert decreases == 0


def test_sigmoid_rounds_to_zero_and_one_where_it_should():
    # Correctly rounded sigmoid is 1 only above 54 ln 2 = 37.43 (GUIDE section 7).
    assert sigmoid(37.5) == 1.0 and sigmoid(36.0) < 1.0
    assert sigmoid(-745.2) == 0.0 and sigmoid(-745.0) == 5e-324
    assert sigmoid(-720.0) == pytest.approx(mp_sigmoid(-720.0), rel=1e-12)


ml_dtypes = pytest.importorskip("ml_dtypes")
BF16 = ml_dtypes.bfloat16


@pytest.mark.parametrize("func", ALL_FUNCS)
def test_bfloat16_is_accepted_and_kept(func):
    # Bug 3: every public function raised TypeError on bfloat16.
    x = np.array([[1.0, 2.0, 3.0], [0.5, -100.0, 300.0]], dtype=BF16)
    with np.errstate(all="ignore"):
        out = func(x)
    assert out.dtype == BF16
    if func is not naive_softmax:
        ref = func(x.astype(np.float64))
        # computed in float64 and rounded once: within one bfloat16 ulp (2**-7 relative)
        np.testing.assert_allclose(out.astype(np.float64), ref, rtol=2.0**-7, atol=1e-40)


def test_bfloat16_scalars_and_float8():
    assert softmax(BF16(3.0)) == 1.0
    x = np.array([1.0, 2.0], dtype=ml_dtypes.float8_e4m3fn)
    assert softmax(x).dtype == x.dtype
    np.testing.assert_allclose(softmax(x).astype(float), softmax([1.0, 2.0]), rtol=2.0**-3)


STRICT_INPUTS = [
    np.array([1000.0, 0.0, -1000.0]),
    np.array([np.finfo(float).max, -np.finfo(float).max, 0.0, 5e-324]),
    np.array([[-1e300, -1e300, 3.0], [710.0, 0.0, -750.0]]),
    np.array([[700.0, 690.0], [-745.5, -745.0]]),
    np.array([12.0, -20.0, 0.0], dtype=np.float16),
    np.array([np.finfo(np.float16).max, -np.finfo(np.float16).max], dtype=np.float16),
    np.array([np.finfo(np.float32).max, -np.finfo(np.float32).max, 0.0], dtype=np.float32),
]


@pytest.mark.parametrize("index", range(len(STRICT_INPUTS)))
@pytest.mark.parametrize("temperature", [1.0, 5e-324, 0.37, 1.7e308])
def test_no_floating_point_error_in_strict_mode(index, temperature):
    # Bug 4: no public function raises or warns for finite input under strict modes.
    x = STRICT_INPUTS[index]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(
            over="raise",
            invalid="raise",
            divide="raise",
        ):
            outs = [
                softmax(x, temperature=temperature),
                log_softmax(x, temperature=temperature),
                sigmoid(x),
                log_sigmoid(x),
            ]
            if temperature == 1.0:
                outs.append(logsumexp(x))
    for out in outs:
        assert not np.isnan(out).any()


def _peak_extra_bytes(func, x, **kwargs) -> int:
    import tracemalloc

    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    func(x, **kwargs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - before


_MEMORY_CASES = [(0.0, 1.0), (700.0, 1.0), (1000.0, 1.0), (-1000.0, 1.0), (0.0, 0.37), (900.0, 3.0)]


@pytest.mark.parametrize(
    "func, offset, temperature",
    [(f, o, t) for f in (softmax, log_softmax) for o, t in _MEMORY_CASES]
    + [(logsumexp, o, t) for o, t in _MEMORY_CASES if t == 1.0],  # no temperature
)
def test_peak_memory_at_most_one_and_a_half_inputs(func, offset, temperature):
    # Bug 6: one long float64 row with maximum above 680 used 6-7x the input.
    x = offset + np.random.default_rng(3).standard_normal(300_000)
    kwargs = {} if func is logsumexp else {"temperature": temperature}
    extra = _peak_extra_bytes(func, x, **kwargs)
    assert extra <= 1.5 * x.nbytes, f"{extra / x.nbytes:.2f}x the input"
    rows = x.reshape(300, 1000)
    assert _peak_extra_bytes(func, rows, **kwargs) <= 1.5 * x.nbytes


# ---------------------------------------------------------------------------
# Boundaries of the cheap steps: the zero shift and the search for ties
# ---------------------------------------------------------------------------


def _worst_ulps(x, temperature, dtype):
    """Largest ulp error of softmax and log_softmax of each row of `x` (in `dtype`)."""
    from softmax_lib.testing import reference_softmax, ulp_error

    x = np.asarray(x, dtype=dtype)
    p, logp = softmax(x, temperature=temperature), log_softmax(x, temperature=temperature)
    worst = 0.0
    for r, row in enumerate(x):
        ref_p, ref_logp, _ = reference_softmax(row, temperature)
        worst = max(
            worst,
            max(ulp_error(c, y, dtype) for c, y in zip(p[r], ref_p, strict=True)),
            max(ulp_error(c, y, dtype) for c, y in zip(logp[r], ref_logp, strict=True)),
        )
    return worst


ZERO_SHIFT_EDGES = [-800.0, -1.0, float(np.nextafter(-1.0, 0.0)), 0.0, 680.0]
ZERO_SHIFT_EDGES += [float(np.nextafter(680.0, 700.0)), 720.0]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.0])
def test_zero_shift_at_its_boundaries(dtype, temperature):
    # A block is computed without any shift when every m / T lies in (-1, 680]; rows whose
    # scaled maximum sits exactly on or just beyond either end, alone and mixed in one block,
    # stay within the accuracy targets (3 ulp float64, 1 ulp float32; measured 1 and 0).
    rng = np.random.default_rng(21)
    rows = []
    for edge in ZERO_SHIFT_EDGES:
        m = float(dtype(edge * temperature))
        rows.append(np.concatenate([[m], m - rng.uniform(0.0, 40.0, 30)]))
    x = np.array(rows)
    target = 3.0 if dtype == np.float64 else 1.0
    assert _worst_ulps(x, temperature, dtype) <= target
    for r in range(len(rows)):  # each row alone is its own block
        assert _worst_ulps(x[r : r + 1], temperature, dtype) <= target


@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.0, 0.37])
def test_float64_rows_do_not_depend_on_the_other_rows_of_their_block(temperature):
    # The shift is chosen for a whole block when it can be, with the same result as
    # row by row: each float64 row gives the same bits alone and inside a block with rows
    # of other kinds (above and below 680, entries below half the maximum, negative).
    rng = np.random.default_rng(31)
    t = temperature
    rows = [
        1000.0 * t + 20.0 * t * rng.standard_normal(48),  # every entry above half the max
        np.concatenate([[1000.0 * t], np.zeros(47)]),  # entries below half the maximum
        600.0 * t + 5.0 * t * rng.standard_normal(48),  # maximum within the zero shift
        -1000.0 * t + 20.0 * t * rng.standard_normal(48),  # negative maximum
        np.concatenate([[3.0e5 * t], 3.0e5 * t - rng.uniform(0.0, 50.0 * t, 47)]),
    ]
    x = np.array(rows)
    for f in (softmax, log_softmax):
        together = f(x, temperature=t)
        for r in range(len(rows)):
            alone = f(x[r], temperature=t)
            assert np.array_equal(alone, together[r]), (f.__name__, r)
    together = logsumexp(x / t)
    for r in range(len(rows)):
        assert logsumexp(x[r] / t) == together[r], r


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("block", [16, 1 << 16])
@pytest.mark.parametrize("temperature", [1.0, 0.37])
def test_ties_found_by_the_largest_other_term(dtype, block, temperature, monkeypatch):
    # softmax looks for entries tied with the maximum only in blocks where another term
    # equals the largest one, and not at all where the shift is the maximum itself (the
    # largest term is then exactly 1; always so in softmax of a narrower format, whose
    # largest term stays in the sum). Rows with true ties, near ties whose terms or
    # probabilities round to the same value (only the maximum is tied), and no ties, mixed
    # in one block, in a long row cut into chunks and in a block of large positive
    # entries; T = 0.37 shifts float64 by m.
    import softmax_lib._core as core

    monkeypatch.setattr(core, "_BLOCK", block)
    tiny = float(np.finfo(dtype).eps)
    below = float(np.nextafter(dtype(0.5), dtype(0.0)))  # its probability rounds to the max's
    rows = np.array(
        [
            [3.0, 1.0, 3.0, -2.0, 3.0],
            [0.0, 4.0, 4.0, 3.0, -8.25],  # float64: t / (t + r) differs from 1 / (1 + r / t)
            [0.5, below, 0.25, 0.0, -1.0],
            [2.0, 1.0, 0.0, -1.0, -2.0],
            [1000.0, 999.0, 1000.0, 0.0, 998.5],
        ],
        dtype=dtype,
    )
    long_row = np.tile(np.array([0.0, 4.0, 4.0, 3.0, -8.25], dtype=dtype), 300)[None, :]
    # every entry at least half the largest maximum: float64 shifts the block by m (exact)
    offset_rows = np.array([[1000.0, 999.0, 1000.0, 998.5], [700.5, 700.5, 699.0, 690.0]])
    for x in (rows, long_row, offset_rows.astype(dtype)):
        p = softmax(x, temperature=temperature)
        for r, row in enumerate(x):
            at_max = p[r][row == row.max()]
            assert np.all(at_max == at_max[0]), (r, at_max)
            others = p[r][row != row.max()]
            assert np.all(others <= at_max[0])
        np.testing.assert_allclose(p.astype(float).sum(axis=-1), 1.0, rtol=4 * tiny)
        assert p.dtype == dtype
    p = softmax(rows)
    assert p[2, 0] >= p[2, 1]  # the near tie: the maximum alone gets the largest value
    assert_close_ulps(p[2], mp_softmax(rows[2].astype(float)).astype(dtype), 1)


def test_float64_softmax_order_of_near_ties_within_its_accuracy():
    # The largest entry gets 1 / (1 + r / t), the others e / (t + r): on near ties the
    # two round independently, and the softmax Notes document that the largest can come
    # out an ulp below the next one when their terms differ (entries whose term equals
    # the largest get its value).
    rng = np.random.default_rng(11)
    below, worst = 0, 0.0
    for _ in range(2000):
        x = rng.normal(0.0, 2.0, int(rng.integers(2, 12)))
        j = int(np.argmax(x))
        k = (j + 1) % x.size
        x[k] = np.nextafter(x[j], -np.inf)  # one float below the maximum
        p = softmax(x)
        if p[j] < p[k]:
            below += 1
            worst = max(worst, float((p[k] - p[j]) / np.spacing(p[k])))
    # measured: 2 rows here, 1 ulp; 25 of 20,000 rows, 31 without AVX-512
    # (benchmarks/float64_limits.py)
    assert worst <= 1
    assert below <= 6  # three times the measured count


def test_entries_whose_term_equals_the_largest_get_its_probability():
    # Entry 3 is one float above entry 0, and their terms round to the same value: both
    # get the largest entry's 1 / (1 + r / t) (with e / (t + r), entry 0 came out one ulp
    # above the largest).
    x = np.array([float.fromhex(h) for h in (
        "0x1.014deb6be63edp-1", "-0x1.846f3e8ef2d37p+1", "-0x1.daa0a7efd9298p+0",
        "0x1.014deb6be63eep-1",
    )])  # fmt: skip
    p = softmax(x)
    assert p[0] == p[3]


def test_an_entry_whose_term_rounds_to_the_largest_is_within_3_ulp():
    # The cost of the rule above: entry 1's exact probability is 1.25 ulp below entry 0's,
    # and it gets entry 0's value, 3 ulp above its own (0.63 ulp with its own e / (t + r)).
    x = np.array([float.fromhex(h) for h in (
        "0x1.9299bbe45f79dp-5", "0x1.9299bbe45f775p-5", "-0x1.7d257c33d2d99p+4",
    )])  # fmt: skip
    p = softmax(x, temperature=2.0)
    ref = mp_softmax(x, 2.0)
    assert p[0] == p[1]
    assert_close_ulps(p, ref, 3)


def test_float64_softmax_falls_less_often_as_an_entry_steps_up_to_a_tie():
    # An entry stepped float by float from 8 floats below the maximum up to it: where its
    # term first rounds to the largest term it switches from e / (t + r) to the largest
    # entry's 1 / (1 + r / t), and the two round independently (the softmax Notes list
    # this among the limits of monotonicity). Rows of small integers at T = 2 are where
    # it is most frequent.
    rng = np.random.default_rng(3)
    rows_that_fall, worst = 0, 0.0
    for _ in range(200):
        x = rng.integers(0, 3, int(rng.integers(3, 40))).astype(float)
        j = int(np.argmax(x))
        k = (j + 1) % x.size
        values = [x[j]]
        for _ in range(8):
            values.insert(0, np.nextafter(values[0], -np.inf))
        p = []
        for value in values:
            y = x.copy()
            y[k] = value
            p.append(softmax(y, temperature=2.0)[k])
        falls = [(a - b) / np.spacing(b) for a, b in zip(p[:-1], p[1:], strict=True)]
        rows_that_fall += max(falls) > 0
        worst = max(worst, float(max(falls)))
    # measured: 11 rows of 200, by at most 1 ulp (twice as many allowed; 2 ulp elsewhere,
    # see benchmarks/float64_limits.py); when only entries equal to the maximum got the
    # largest entry's value, 69 rows fell, by up to 2 ulp
    assert rows_that_fall <= 22 and worst <= 2
