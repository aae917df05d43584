"""Tests of the online softmax and streaming log-sum-exp helpers."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmax_lib import (
    logsumexp,
    merge_partials,
    online_softmax,
    partial_logsumexp,
    softmax,
    streaming_logsumexp,
)

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


def mp_lse(x) -> float:
    with mpmath.workprec(160):
        return float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in np.ravel(x))))


def test_partial_of_one_block_matches_mpmath():
    x = np.array([1.0, 3.0, 2.0, -50.0])
    m, s = partial_logsumexp(x)
    assert m == 3.0
    assert float(m + np.log(s)) == pytest.approx(mp_lse(x), rel=1e-15)


def test_streaming_matches_mpmath_on_large_and_long_input():
    rng = np.random.default_rng(5)
    x = 700.0 + 30.0 * rng.standard_normal(5000)  # the naive sum overflows
    chunks = [x[i : i + 333] for i in range(0, x.size, 333)]
    assert float(streaming_logsumexp(chunks)) == pytest.approx(mp_lse(x), rel=4e-16)


@given(hnp.arrays(np.float64, st.integers(1, 60), elements=finite), st.integers(1, 17))
def test_online_softmax_equals_two_pass_softmax(x, block):
    np.testing.assert_allclose(
        online_softmax(x, block_size=block), softmax(x), rtol=1e-12, atol=1e-300
    )


@given(hnp.arrays(np.float64, st.integers(2, 40), elements=finite), st.data())
def test_merge_is_order_independent(x, data):
    cuts = sorted(
        data.draw(st.lists(st.integers(1, len(x) - 1), min_size=1, max_size=4, unique=True))
    )
    blocks = np.split(x, cuts)
    parts = [partial_logsumexp(b) for b in blocks]
    forward = parts[0]
    for p in parts[1:]:
        forward = merge_partials(forward, p)
    backward = parts[-1]
    for p in reversed(parts[:-1]):
        backward = merge_partials(p, backward)
    assert forward[0] == backward[0] == x.max()  # the maxima are exact
    np.testing.assert_allclose(forward[1], backward[1], rtol=1e-13)
    np.testing.assert_allclose(
        forward[0] + np.log(forward[1]), logsumexp(x), rtol=1e-13, atol=1e-13
    )


def test_rows_and_axis():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 50)) * 20
    np.testing.assert_allclose(online_softmax(x, block_size=7), softmax(x), rtol=1e-13)
    np.testing.assert_allclose(
        online_softmax(x.T, axis=0, block_size=7), softmax(x.T, axis=0), rtol=1e-13
    )
    chunks = [x[:, i : i + 16] for i in range(0, 50, 16)]
    np.testing.assert_allclose(streaming_logsumexp(chunks), logsumexp(x), rtol=1e-14)


def test_special_values():
    # -inf entries get 0; an all -inf block is the identity of the merge.
    x = np.array([-np.inf, 1.0, -np.inf, 2.0])
    p = online_softmax(x, block_size=1)
    assert p[0] == 0.0 and p[2] == 0.0
    np.testing.assert_allclose(p, softmax(x), rtol=1e-15)
    ident = partial_logsumexp([-np.inf, -np.inf])
    assert ident[0] == -np.inf and ident[1] == 0.0
    m, s = merge_partials(ident, partial_logsumexp([0.5]))
    assert m == 0.5 and s == 1.0
    assert streaming_logsumexp([[-np.inf], [-np.inf]]) == -np.inf
    assert streaming_logsumexp([[1.0], [np.inf]]) == np.inf
    np.testing.assert_array_equal(
        online_softmax([np.inf, 1.0, np.inf], block_size=2), [0.5, 0.0, 0.5]
    )
    np.testing.assert_array_equal(online_softmax([-np.inf, -np.inf]), [0.5, 0.5])
    assert np.isnan(online_softmax([1.0, np.nan])).all()


def test_dtypes_and_no_mutation():
    x = np.array([3.0, -1.0, 0.5], dtype=np.float32)
    before = x.copy()
    p = online_softmax(x, block_size=2)
    assert p.dtype == np.float32
    np.testing.assert_array_equal(x, before)
    assert online_softmax([1, 2, 3]).dtype == np.float64
    # partial results are kept in the working precision, float64
    assert partial_logsumexp(np.array([1.0], dtype=np.float16))[1].dtype == np.float64
    # the online softmax returns the input's format (it returned float32 for float16)
    assert online_softmax(np.array([1.0, 2.0], dtype=np.float16)).dtype == np.float16
    assert streaming_logsumexp([np.array([1.0, 2.0], dtype=np.float16)]).dtype == np.float16


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: online_softmax("abc"), TypeError, "online_softmax: x"),
        (lambda: online_softmax([1.0], block_size=0), ValueError, "block_size"),
        (lambda: online_softmax([1.0], block_size=1.5), TypeError, "block_size"),
        (lambda: online_softmax([1.0], axis=(0,)), TypeError, "axis"),
        (lambda: online_softmax([1.0], axis=3), ValueError, "axis"),
        (lambda: partial_logsumexp([]), ValueError, "partial_logsumexp: x must not be empty"),
        (lambda: merge_partials((1.0, 1.0), 3.0), TypeError, "merge_partials: b"),
        (lambda: merge_partials((1.0, "s"), (1.0, 1.0)), TypeError, r"a\[1\]"),
        (lambda: streaming_logsumexp([]), ValueError, "streaming_logsumexp: chunks"),
    ],
)
def test_bad_input(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


ml_dtypes = pytest.importorskip("ml_dtypes")


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, ml_dtypes.bfloat16])
def test_online_and_streaming_agree_with_the_two_pass_functions(dtype):
    """Same working precision and devices: a few ulp on any row (they were 66-500 ulp off)."""
    from softmax_lib.testing import adversarial_rows, reference_softmax, ulp_error

    out = np.dtype(dtype)
    for family, (rows, temperature) in adversarial_rows(np.random.default_rng(5), dtype).items():
        if temperature != 1.0:
            continue
        p_online = online_softmax(rows, block_size=7)
        lse_stream = streaming_logsumexp([rows[:, i : i + 5] for i in range(0, rows.shape[1], 5)])
        assert p_online.dtype == out and lse_stream.dtype == out
        for r, row in enumerate(rows):
            ref_p, _, ref_lse = reference_softmax(row)
            worst_p = max(ulp_error(c, y, out) for c, y in zip(p_online[r], ref_p, strict=False))
            # float64: 286 sequential merges on the long row; measured at most 3 ulp on seeds 4-6
            assert worst_p <= (4 if out == np.float64 else 1), (family, worst_p)  # measured 3
            assert ulp_error(lse_stream[r], ref_lse, out) <= (2 if out == np.float64 else 1), family


def test_partial_keeps_the_tiny_rest():
    x = np.array([0.0, -40.0])
    state = merge_partials(partial_logsumexp(x[:1]), partial_logsumexp(x[1:]))
    assert float(state.rest) == pytest.approx(np.exp(-40.0), rel=1e-15)
    assert float(streaming_logsumexp([x[:1], x[1:]])) == pytest.approx(
        np.log1p(np.exp(-40.0)), rel=1e-15
    )
