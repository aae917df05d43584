"""Tests for softmax_lib.attention and the blockwise (FlashAttention) forward and backward passes.

References: an mpmath evaluation of the attention formula (correctly rounded weights and
outputs), a plain float64 formula written out here, and central differences from
softmax_lib.testing for the gradients. Tolerances are the measured worst case times a
stated margin.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from softmax_lib import attention, flash_attention_backward, flash_attention_forward
from softmax_lib.testing import max_ulp_error, numerical_gradient

# Measured on seeded sweeps (300 shapes like the strategies below, and 60 larger cases):
# blockwise vs direct at most 6 units of eps * max|output|, key permutation 2.1, row sums
# of the weights within 2 eps of 1. Margin: about 5x.
ULPS_BLOCK = 32.0


def direct(q, k, v, keep=None, scale=None):
    """The textbook formula with a max shift, float64, written out independently."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    s = (q @ np.swapaxes(k, -1, -2)) * (1.0 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if keep is not None:
        s = np.where(keep, s, -np.inf)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)) @ v


def mp_attention(q, k, v, scale):
    """Exact attention output (rounded at the end) for one head, by mpmath at 120 bits."""
    out = []
    with mpmath.workprec(120):
        for qi in q:
            s = [mpmath.fsum(mpmath.mpf(float(a)) * mpmath.mpf(float(b))
                             for a, b in zip(qi, kj, strict=True)) * mpmath.mpf(scale)
                 for kj in k]
            w = [mpmath.exp(x) for x in s]
            total = mpmath.fsum(w)
            out.append([mpmath.fsum(wj * mpmath.mpf(float(v[j, c])) for j, wj in enumerate(w))
                        / total for c in range(v.shape[1])])
    return out


def rel_ulps(a, b):
    """max |a - b| in units of eps * max|b| (a relative error measure for whole arrays)."""
    return float(np.max(np.abs(a - b)) / (np.finfo(np.float64).eps * np.max(np.abs(b))))


def rand(seed, *shape):
    return np.random.default_rng(seed).normal(size=shape)


# --- the direct computation -------------------------------------------------------------

def test_against_mpmath_reference_in_ulps():
    # Positive values: the output is a well-conditioned average, so ulps are meaningful.
    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(20):
        q, k = rng.normal(size=(3, 8)) * 2, rng.normal(size=(11, 8)) * 2
        v = rng.uniform(0.5, 2.0, size=(11, 2))
        exact = mp_attention(q, k, v, 1.0 / np.sqrt(8.0))
        got = attention(q, k, v)
        worst = max(worst, max_ulp_error(got, [y for row in exact for y in row], np.float64))
    assert worst <= 8.0, worst  # measured 3 ulp; the final matrix product sums 11 terms


def test_against_direct_formula_batched_and_masked():
    q, k, v = rand(0, 2, 3, 5, 4), rand(1, 2, 3, 7, 4), rand(2, 2, 3, 7, 6)
    keep = np.random.default_rng(4).random((2, 1, 5, 7)) < 0.7
    keep[..., 0] = True
    np.testing.assert_allclose(attention(q, k, v, mask=keep), direct(q, k, v, keep),
                               rtol=1e-13, atol=1e-14)


def test_multi_head_leading_axes_broadcast():
    q, k, v = rand(0, 4, 5, 3), rand(1, 1, 6, 3), rand(2, 6, 2)  # 4 heads share k and v
    out = attention(q, k, v)
    assert out.shape == (4, 5, 2)
    for h in range(4):
        np.testing.assert_allclose(out[h], attention(q[h], k[0], v), rtol=1e-15, atol=1e-15)


def test_causal_equals_explicit_lower_triangular_mask_exactly():
    q, k, v = rand(5, 6, 3), rand(6, 8, 3), rand(7, 8, 2)
    tril = np.tril(np.ones((6, 8), dtype=bool))
    assert np.array_equal(attention(q, k, v, causal=True), attention(q, k, v, mask=tril))


def test_fully_masked_row_is_uniform_and_finite():
    q, k, v = rand(1, 3, 2), rand(2, 4, 2), rand(3, 4, 5)
    keep = np.ones((3, 4), dtype=bool)
    keep[1] = False
    out = attention(q, k, v, mask=keep)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out[1], v.mean(axis=0), rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(out[[0, 2]], attention(q[[0, 2]], k, v), rtol=0, atol=0)


def test_scale_default_and_explicit():
    q, k, v = rand(0, 3, 16), rand(1, 5, 16), rand(2, 5, 2)
    np.testing.assert_array_equal(attention(q, k, v), attention(q, k, v, scale=0.25))
    assert not np.allclose(attention(q, k, v), attention(q, k, v, scale=1.0))


def test_large_finite_inputs_do_not_overflow():
    q, k, v = rand(0, 2, 4) * 1e3, rand(1, 6, 4) * 1e3, rand(2, 6, 2)
    out = attention(q, k, v)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, v[np.argmax(q @ k.T, axis=1)], rtol=0, atol=1e-12)


# --- hypothesis properties ---------------------------------------------------------------

shapes = st.tuples(st.integers(1, 7), st.integers(1, 9), st.integers(1, 5), st.integers(1, 4))


@given(shapes, st.integers(0, 2**32 - 1), st.floats(0.1, 4.0))
def test_weights_rows_sum_to_one(shape, seed, spread):
    nq, nk, d, _ = shape
    q, k = rand(seed, nq, d) * spread, rand(seed + 1, nk, d) * spread
    p = attention(q, k, np.eye(nk))  # identity values: the output is the weight matrix
    assert np.all(p >= 0)
    assert np.max(np.abs(p.sum(axis=-1) - 1.0)) <= 4 * np.finfo(np.float64).eps


@given(shapes, st.integers(0, 2**32 - 1), st.booleans())
def test_permutation_equivariance_over_keys(shape, seed, causal_rows):
    nq, nk, d, dv = shape
    q, k, v = rand(seed, nq, d), rand(seed + 1, nk, d), rand(seed + 2, nk, dv)
    perm = np.random.default_rng(seed).permutation(nk)
    keep = np.random.default_rng(seed + 3).random((nq, nk)) < 0.6 if causal_rows else None
    a = attention(q, k, v, mask=keep)
    b = attention(q, k[perm], v[perm], mask=None if keep is None else keep[:, perm])
    assert rel_ulps(b, a) <= ULPS_BLOCK


@given(shapes, st.integers(0, 2**32 - 1), st.integers(1, 10), st.integers(1, 10),
       st.booleans())
def test_blockwise_matches_direct_for_every_block_size(shape, seed, bq, bk, causal):
    nq, nk, d, dv = shape
    q, k, v = rand(seed, 2, nq, d) * 2, rand(seed + 1, 2, nk, d) * 2, rand(seed + 2, 2, nk, dv)
    out, lse = flash_attention_forward(q, k, v, block_q=bq, block_k=bk, causal=causal)
    ref = attention(q, k, v, causal=causal)
    assert rel_ulps(out, ref) <= ULPS_BLOCK
    s = (q @ np.swapaxes(k, -1, -2)) / np.sqrt(d)
    if causal:
        s = np.where(np.tril(np.ones((nq, nk), dtype=bool)), s, -np.inf)
    m = s.max(axis=-1)
    np.testing.assert_allclose(lse, m + np.log(np.exp(s - m[..., None]).sum(-1)), rtol=1e-14,
                               atol=1e-14)


@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 6), st.booleans())
def test_block_size_independence(seed, b1, b2, causal):
    q, k, v = rand(seed, 9, 3), rand(seed + 1, 11, 3), rand(seed + 2, 11, 2)
    o1, l1 = flash_attention_forward(q, k, v, block_q=b1, block_k=b2, causal=causal)
    o2, l2 = flash_attention_forward(q, k, v, block_q=b2, block_k=b1 + 3, causal=causal)
    assert rel_ulps(o1, o2) <= ULPS_BLOCK
    np.testing.assert_allclose(l1, l2, rtol=8 * np.finfo(np.float64).eps, atol=1e-15)


# --- the backward pass --------------------------------------------------------------------

@pytest.mark.parametrize("causal", [False, True, "top_left", "bottom_right"])
def test_backward_against_central_differences(causal):
    # 6 queries, 9 keys: the two causal alignments differ
    rng = np.random.default_rng(11)
    q, k, v = rng.normal(size=(6, 4)), rng.normal(size=(9, 4)), rng.normal(size=(9, 3))
    w = rng.normal(size=(6, 3))
    out, lse = flash_attention_forward(q, k, v, block_q=4, block_k=4, causal=causal)
    grads = flash_attention_backward(q, k, v, out, lse, w, block_q=2, block_k=3, causal=causal)
    for i, x in enumerate((q, k, v)):
        def loss(y, i=i):
            args = [q, k, v]
            args[i] = y
            return float(np.sum(w * attention(*args, causal=causal)))
        num = numerical_gradient(loss, x)
        # measured at most 4e-10 relative to max|grad|; central differences leave ~1e-10
        assert np.max(np.abs(grads[i] - num)) <= 5e-9 * np.max(np.abs(num))


def test_backward_against_closed_form_and_block_independence():
    rng = np.random.default_rng(12)
    q, k, v = rng.normal(size=(2, 7, 3)), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 4))
    g = rng.normal(size=(2, 7, 4))
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(3)
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    dp = g @ np.swapaxes(v, -1, -2)
    ds = p * (dp - (p * dp).sum(-1, keepdims=True))  # the textbook softmax backward
    want = (ds @ k / np.sqrt(3), np.swapaxes(ds, -1, -2) @ q / np.sqrt(3),
            np.swapaxes(p, -1, -2) @ g)
    out, lse = flash_attention_forward(q, k, v, block_q=3, block_k=2)
    for bq, bk in ((1, 1), (2, 3), (7, 5), (100, 100)):
        got = flash_attention_backward(q, k, v, out, lse, g, block_q=bq, block_k=bk)
        for a, b in zip(got, want, strict=True):
            # measured 1.3 for these N(0,1) inputs; accuracy is absolute, so saturated rows
            # (one weight near 1) have larger relative errors (Chapter 8)
            assert rel_ulps(a, b) <= 8, rel_ulps(a, b)


def test_backward_sums_over_broadcast_axes():
    rng = np.random.default_rng(13)
    q, k, v = rng.normal(size=(3, 4, 2)), rng.normal(size=(5, 2)), rng.normal(size=(1, 5, 2))
    g = rng.normal(size=(3, 4, 2))
    out, lse = flash_attention_forward(q, k, v, block_q=2, block_k=2)
    dq, dk, dv = flash_attention_backward(q, k, v, out, lse, g, block_q=2, block_k=2)
    assert dq.shape == q.shape and dk.shape == k.shape and dv.shape == v.shape
    kb = np.broadcast_to(k, (3, 5, 2))
    vb = np.broadcast_to(v, (3, 5, 2))
    _, dkb, dvb = flash_attention_backward(q, kb, vb, out, lse, g, block_q=2, block_k=2)
    np.testing.assert_allclose(dk, dkb.sum(0), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(dv, dvb.sum(0, keepdims=True), rtol=1e-14, atol=1e-15)


# --- dtypes, no mutation, bad input ------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtypes_are_kept_and_rounded_once(dtype):
    q, k, v = (rand(s, 4, 8).astype(dtype) for s in (0, 1, 2))
    out = attention(q, k, v)
    assert out.dtype == dtype
    exact = direct(q.astype(np.float64), k.astype(np.float64), v.astype(np.float64))
    # float16/float32: computed in float64 and rounded once, so within one eps of the format;
    # float64: two float64 computations, measured 2 eps apart (margin 2)
    factor = 4 if dtype == np.float64 else 1
    assert np.max(np.abs(out - exact)) <= factor * np.finfo(dtype).eps * np.max(np.abs(exact))
    fo, lse = flash_attention_forward(q, k, v, block_q=3, block_k=3)
    assert fo.dtype == dtype and lse.dtype == np.float64
    grads = flash_attention_backward(q, k, v, fo, lse, np.ones_like(fo), block_q=2, block_k=2)
    assert [g.dtype for g in grads] == [dtype] * 3


def test_integer_and_mixed_inputs():
    q = np.array([[1, 0], [0, 1]])
    k = np.array([[1, 0], [0, 1], [1, 1]])
    v = np.array([[1.0], [2.0], [4.0]], dtype=np.float32)
    # integers count as float64, so they promote float32 values (numpy's rule)
    assert attention(q, k, v).dtype == np.float64
    assert attention(q.astype(np.float32), k.astype(np.float32), v).dtype == np.float32
    assert attention(q, k, v.astype(int)).dtype == np.float64


def test_inputs_are_not_modified():
    q, k, v = rand(0, 2, 5, 3), rand(1, 2, 6, 3), rand(2, 2, 6, 2)
    keep = np.ones((5, 6), dtype=bool)
    copies = [a.copy() for a in (q, k, v, keep)]
    attention(q, k, v, mask=keep, causal=True)
    out, lse = flash_attention_forward(q, k, v, block_q=2, block_k=4, causal=True)
    o_copy, l_copy, g = out.copy(), lse.copy(), np.ones_like(out)
    flash_attention_backward(q, k, v, out, lse, g, block_q=3, block_k=2, causal=True)
    for a, b in zip((q, k, v, keep), copies, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(out, o_copy)
    np.testing.assert_array_equal(lse, l_copy)
    np.testing.assert_array_equal(g, np.ones_like(out))


GOOD = (rand(0, 3, 2), rand(1, 4, 2), rand(2, 4, 1))


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"q": "abc"}, TypeError, "q must be"),
        ({"k": np.ones((4, 2), dtype=complex)}, TypeError, "k must be real"),
        ({"v": np.ones(4)}, ValueError, "v must have at least 2 dimensions"),
        ({"k": np.ones((4, 3))}, ValueError, "same feature size"),
        ({"v": np.ones((5, 1))}, ValueError, "same number of keys"),
        ({"k": np.ones((0, 2)), "v": np.ones((0, 1))}, ValueError, "at least one key"),
        ({"q": np.ones((3, 0)), "k": np.ones((4, 0))}, ValueError, "at least one feature"),
        ({"q": np.ones((2, 3, 2)), "k": np.ones((3, 4, 2))}, ValueError, "must broadcast"),
        ({"q": np.array([[np.nan, 0.0]])}, ValueError, "q must be finite"),
        ({"scale": -1.0}, ValueError, "scale"),
        ({"scale": 0.0}, ValueError, "scale"),
        ({"scale": np.inf}, ValueError, "scale"),
        ({"scale": "1"}, TypeError, "scale"),
        ({"scale": True}, TypeError, "scale"),
        ({"causal": 1}, TypeError, "causal must be True or False"),
        ({"mask": np.ones((2, 3, 5), dtype=bool)}, ValueError, "does not broadcast"),
        ({"mask": np.ones((3, 4))}, TypeError, "mask must be a boolean"),
        ({"mask": np.ones((2, 4), dtype=bool)}, ValueError, "does not broadcast"),
        ({"q": np.full((1, 2), 1e200), "k": np.full((4, 2), 1e200)}, ValueError, "overflow"),
    ],
)
def test_bad_input_attention(kwargs, exc, words):
    args = dict(zip("qkv", GOOD, strict=True))
    args.update(kwargs)
    with pytest.raises(exc, match=words) as info:
        attention(**args)
    assert "attention:" in str(info.value)


@pytest.mark.parametrize("block", [0, -2, 2.0, True, None])
def test_bad_block_sizes(block):
    exc = ValueError if isinstance(block, int) and not isinstance(block, bool) else TypeError
    with pytest.raises(exc, match="flash_attention_forward: block_q"):
        flash_attention_forward(*GOOD, block_q=block, block_k=2)
    out, lse = flash_attention_forward(*GOOD, block_q=2, block_k=2)
    with pytest.raises(exc, match="flash_attention_backward: block_k"):
        flash_attention_backward(*GOOD, out, lse, out, block_q=2, block_k=block)


def test_bad_backward_shapes():
    out, lse = flash_attention_forward(*GOOD, block_q=2, block_k=2)
    with pytest.raises(ValueError, match="lse must have shape"):
        flash_attention_backward(*GOOD, out, lse[:2], out, block_q=2, block_k=2)
    with pytest.raises(ValueError, match="dout must be finite"):
        flash_attention_backward(*GOOD, out, lse, out * np.nan, block_q=2, block_k=2)


# --- underflow, bfloat16, causal alignment, strict shapes, mask batch axes ------------------

def test_no_floating_point_error_on_finite_input_under_errstate_raise():
    # scores of size ~30^2 / 2 = 450: e^(s - max) underflows for the far keys, as intended
    rng = np.random.default_rng(20)
    q, k, v = rng.normal(size=(4, 4)) * 30, rng.normal(size=(6, 4)) * 30, rng.normal(size=(6, 2))
    with np.errstate(all="raise"):
        out, lse = flash_attention_forward(q, k, v, block_q=2, block_k=2)
        grads = flash_attention_backward(q, k, v, out, lse, np.ones_like(out),
                                         block_q=2, block_k=3)
    assert rel_ulps(out, attention(q, k, v)) <= ULPS_BLOCK
    assert all(np.all(np.isfinite(g)) for g in grads)


def test_bfloat16_is_accepted_and_kept():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    bf16 = np.dtype(ml_dtypes.bfloat16)
    q, k, v = (rand(s, 4, 8).astype(bf16) for s in (0, 1, 2))
    exact = direct(*(a.astype(np.float64) for a in (q, k, v)))
    out = attention(q, k, v)
    assert out.dtype == bf16
    eps = float(ml_dtypes.finfo(bf16).eps)
    # computed in float64, rounded once: within one eps of the largest output
    err = np.max(np.abs(out.astype(np.float64) - exact))
    assert err <= eps * np.max(np.abs(exact)), err
    fo, lse = flash_attention_forward(q, k, v, block_q=3, block_k=3)
    assert fo.dtype == bf16 and lse.dtype == np.float64
    np.testing.assert_array_equal(fo.astype(np.float64), out.astype(np.float64))
    grads = flash_attention_backward(q, k, v, fo, lse, np.ones((4, 8)), block_q=2, block_k=2)
    assert [g.dtype for g in grads] == [bf16] * 3
    # mixed with float32: bfloat16 promotes like float32
    assert attention(q, k, v.astype(np.float64).astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("nq, nk", [(2, 6), (5, 5), (3, 8), (1, 4)])
def test_causal_alignments_match_explicit_masks(nq, nk):
    q, k, v = rand(30, 2, nq, 3), rand(31, 2, nk, 3), rand(32, 2, nk, 2)
    i, j = np.arange(nq)[:, None], np.arange(nk)[None, :]
    for causal, keep in ((True, j <= i), ("top_left", j <= i),
                         ("bottom_right", j <= i + nk - nq)):
        ref = direct(q, k, v, keep)
        assert np.array_equal(attention(q, k, v, causal=causal), attention(q, k, v, mask=keep))
        assert rel_ulps(attention(q, k, v, causal=causal), ref) <= ULPS_BLOCK
        for bq, bk in ((1, 1), (2, 3), (4, 2)):
            out, lse = flash_attention_forward(q, k, v, block_q=bq, block_k=bk, causal=causal)
            assert rel_ulps(out, ref) <= ULPS_BLOCK
    # the decoding case of the docs: 2 queries, 6 keys
    if (nq, nk) == (2, 6):
        assert (j <= i)[0].sum() == 1 and (j <= i + nk - nq)[0].sum() == 5


def test_bottom_right_with_more_queries_than_keys():
    q, k, v = rand(0, 5, 2), rand(1, 3, 2), rand(2, 3, 1)
    out = attention(q, k, v, causal="bottom_right")  # queries 0, 1 see no key: uniform
    np.testing.assert_allclose(out[:2], np.broadcast_to(v.mean(0), (2, 1)), rtol=1e-15)
    with pytest.raises(ValueError, match="flash_attention_forward: causal='bottom_right'"):
        flash_attention_forward(q, k, v, block_q=2, block_k=2, causal="bottom_right")


@pytest.mark.parametrize("causal, exc", [("diagonal", ValueError), (1, TypeError),
                                         (None, TypeError)])
def test_bad_causal(causal, exc):
    with pytest.raises(exc, match="attention: causal must be"):
        attention(*GOOD, causal=causal)


def test_backward_rejects_broadcast_of_its_own_arguments():
    out, lse = flash_attention_forward(*GOOD, block_q=2, block_k=2)
    for bad in ({"lse": 0.0}, {"out": out[0]}, {"dout": np.ones((1, 1))}):
        args = {"out": out, "lse": lse, "dout": out}
        args.update(bad)
        with pytest.raises(ValueError, match="must have shape"):
            flash_attention_backward(*GOOD, args["out"], args["lse"], args["dout"],
                                     block_q=2, block_k=2)
    # leading (batch) axes may broadcast
    q = np.broadcast_to(GOOD[0], (2, 3, 2))
    o2, l2 = flash_attention_forward(q, *GOOD[1:], block_q=2, block_k=2)
    g1 = flash_attention_backward(q, *GOOD[1:], o2, l2, out, block_q=2, block_k=2)
    g2 = flash_attention_backward(q, *GOOD[1:], o2, l2, np.broadcast_to(out, (2, 3, 1)),
                                  block_q=2, block_k=2)
    for a, b in zip(g1, g2, strict=True):
        np.testing.assert_array_equal(a, b)


def test_mask_with_its_own_batch_axes_broadcasts_into_the_output():
    q, k, v = rand(0, 5, 4), rand(1, 3, 4), rand(2, 3, 2)
    keep = np.random.default_rng(5).random((2, 5, 3)) < 0.7
    out = attention(q, k, v, mask=keep)
    assert out.shape == (2, 5, 2)
    for b in range(2):
        np.testing.assert_array_equal(out[b], attention(q, k, v, mask=keep[b]))


def test_longdouble_is_computed_in_longdouble_by_both_paths():
    q, k, v = (rand(s, 4, 3).astype(np.longdouble) for s in (0, 1, 2))
    out, lse = flash_attention_forward(q, k, v, block_q=2, block_k=2)
    assert out.dtype == np.longdouble and lse.dtype == np.longdouble
    ref = attention(q, k, v)
    assert ref.dtype == np.longdouble
    err = float(np.max(np.abs(out - ref)) / np.max(np.abs(ref)))
    assert err <= 32 * float(np.finfo(np.longdouble).eps), err
