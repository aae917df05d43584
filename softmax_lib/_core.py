"""Softmax, log-softmax, log-sum-exp and the logistic sigmoid.

The public functions live in :mod:`softmax_lib`; this module holds their
implementation. Every reduction works on one axis at a time: several axes (or
``axis=None``) are first moved to the end and merged into one.

Special values follow one rule. Within a slice, let ``m`` be the largest entry.
If ``m`` is finite, entries are shifted by ``m`` and an entry of ``-inf`` gets
probability exactly 0. If ``m`` is infinite (``+inf`` somewhere, or every entry
``-inf``), the entries equal to ``m`` are treated as tied and share the mass
equally, which is the limit of ``softmax(x)`` as those entries move together
towards ``m``. A NaN anywhere in a slice makes that whole slice NaN.

Accuracy. Every format narrower than float64 (float16, float32, bfloat16
and the other ``ml_dtypes`` formats) is computed in float64 and rounded once.
The shift ``c`` is chosen so that no rounding error is amplified by the
exponential: an integer (times the temperature, when that is a power of two),
or ``m`` itself where Sterbenz's lemma applies, for which every ``x - c`` that
matters is exact, or else ``m`` with the
rounding error of ``x - m`` recovered by TwoSum (and that of the division by
the temperature by TwoProduct) and applied as ``exp(d + e) ~ exp(d) * (1 + e)``.
A narrower format carries no recovered error: its shift is 0 or ``m`` (always
``m`` in softmax, whose largest term is then exactly 1 and is summed with the
others), and the float64 roundings of ``x - m`` and of the division by the
temperature stay far below the format's resolution.
Log-sum-exp and log-softmax use ``log1p`` of the sum without the largest term.
In float64 every function also adds the largest of the other terms apart
from the sum of the rest: numpy's pairwise sum rounds every addition onto a
partial sum that holds a dominant term, and softmax's division and
log-softmax's ``log1p`` pass that rounding on (see ``_largest_and_sum``).

Measured worst errors against correctly rounded references (mpmath at 160
bits, :mod:`softmax_lib.testing`) on the families of
:func:`softmax_lib.testing.adversarial_rows` (dominant entry, near ties, wide
range, mixed magnitudes, large positive and negative offsets, a wide range at
an offset, long rows, two entries, small, large and extreme temperatures, few
large terms, integers; seeds 0-9, block sizes 16 to 65536) plus one row of
10**6 logits and 3-D arrays reduced over every axis and pair of axes:

===========  =========================  ==================================
function     float64 and integer input  float32, float16, bfloat16
===========  =========================  ==================================
softmax      2 ulp                      0 ulp (correctly rounded)
log_softmax  3 ulp                      1 ulp
logsumexp    1 ulp                      0 ulp (correctly rounded)
===========  =========================  ==================================

and float64 rows sum to 1 within 1 eps. The tests hold the targets 3, 3, 2
ulp (float64) and 1 ulp (narrower formats). Excluded: log-sum-exp with a
negative maximum whose result has a smaller ulp than ``LSE - m`` (see
:func:`logsumexp`). "Correctly
rounded" is what these families measure, not a guarantee: a result within
about 2**-44 of a rounding midpoint (relative) can be 1 ulp off, as a search
for such inputs finds (``tests/test_accuracy.py``), and ``ml_dtypes``
converts float64 to bfloat16 and the float8 formats through float32,
rounding twice.

The float64 bounds are measured on those families, not proved, and other
rows exceed them. A held-out search found none beyond the targets on its
families: float64 seeds 10-599 of every family but the long row, and 72,000
rows of 6 to 130 entries made of a maximum (exactly 0, or near 1000), one to
three terms within 3 of it and the others 4 to 12 below; there softmax and
log-softmax were at most 3 ulp off and log-sum-exp at most 2
(``tests/test_accuracy.py`` keeps six rows on which an earlier version
missed them). Most rows found beyond the targets owe their excess to one
rounding: that of the sum of the terms other than the two largest (numpy's
pairwise sum, or a running sum for rows of at most 16 entries), which
softmax's division passes on and ``log1p`` damps:

* ordinary rows of a few dozen to a couple of hundred comparable terms, in
  softmax: of 1000 rows of 100 standard-normal logits (seed 0), 15 (14 on
  CPUs without AVX-512) have an entry more than 3 ulp off, at most 5
  (``scipy.special.softmax``: 532 rows, 534 without AVX-512, at most 7), and
  the probabilities of 15 rows sum to 1 within 2 eps but not 1; of 1000 rows
  of 30, 2 are beyond (at most 4); none of 200 rows of 1000 or of 2000 rows
  of 10. A row of 33 logits at ``T = 3`` is 4 ulp off with and without
  AVX-512. log-softmax and log-sum-exp stay within their targets on these
  rows;
* rows of many equal logits, whose sum adds dozens of copies of one rounded
  term: ``softmax([1.0] * 69)`` is 4 ulp off and 86 copies of
  ``-0x1.04c28337026fcp+0`` 5 ulp (the max-shifted formula is exact on
  constant rows, whose terms it makes exactly 1), and ``softmax([1.5] +
  [1.0] * 62)`` 5 ulp; of 500 random rows each of constant logits, of
  logits with several tied at the maximum, and of equal logits below a
  larger one (temperatures 1, 1/2 and 2, offsets up to 1000), 11, 20 and 29
  are beyond 3 ulp, at most 5, 6 and 5 (19 and at most 5 for the second
  kind without AVX-512); their probabilities sum to 1 within up to 4 eps
  (119 copies of ``-0x1.9178868c95974p+0``);
* rows of small integers, rarely: 3 of 500 rows of 20 to 129 entries in
  {0, 1, 2} are 4 ulp off, as is a row of 95 such entries in the tests;
* rows built so that several comparable terms put the sum just above a
  power of two, where the result's ulp halves: log-sum-exp 3 ulp,
  log-softmax 4 ulp (two such rows are in the tests).

The other rows beyond the targets have an entry whose term rounds to the
largest term without being tied with the maximum: softmax gives it the
largest entry's value (see :func:`softmax`), up to about 2 ulp above its own
exact value. Of 1000 rows of 3 to 119 integers in {0, 1, 2} with an entry
one float below the maximum (temperatures 1, 1/2 and 2), 5 are beyond 3
ulp, at most 5.

``benchmarks/float64_limits.py`` counts the ordinary rows and the rows of
equal logits and of small integers, and ``tests/test_accuracy.py`` and
``tests/test_core.py`` hold some of each kind within their measured errors.
A sum accurate to about one rounding (a compensated pairwise sum, or Rump,
Ogita and Oishi's extraction) removes the excess of the sum, but in numpy it
needs several more passes over the terms (about one more exponential's worth
of work per term) and a second buffer as large as a block: beyond this
library's speed target (a geometric-mean time ratio to scipy of at most 0.8)
and, for inputs of a few thousand entries, where a block is the whole input,
its memory target (at most 1.5 times the input).

Floating-point exceptions: no public function raises or warns for finite
input, whatever :func:`numpy.errstate` says; every operation that can
overflow, underflow or divide by zero inside the algorithm runs with numpy's
error handling switched off, including the final underflow of a result below
the format's range (which is rounded to 0 silently).

Memory. Work is done in blocks of rows, a long row being a block of one row;
a block holds at most ``_BLOCK`` elements and at most a 16th of the input.
A float64 row longer than that is visited in column chunks. A row of a
narrower format is never cut, so that its float64 terms are computed once:
its scratch holds the float64 terms of a block, which for a long row is
the whole row (2x a float32 input, 4x a float16 one, in bytes). The peak
extra memory of a float64 call is its output plus at most half of the
input, plus a copy of the input when the reduced axes are not the last
ones. Inputs of a few thousand entries need more: their scratch is at
least 1024 elements (or the input) per buffer, and a call allocates a few
kilobytes of numpy temporaries and Python objects. Measured with
:mod:`tracemalloc` on 1000 float64 entries: 1.32-1.39x the input for
``T = 1`` and ``T = 0.5`` (softmax and log-softmax: the output plus about
2.6 KB; log-sum-exp: a scratch of terms as large as the input plus about
3 KB), and about 11.5x for a temperature that is not a power of two (the
temporaries of TwoProduct, each the size of the input).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_float_array, check_temperature, is_ml_float, normalize_axes

__all__ = ["softmax", "log_softmax", "logsumexp", "sigmoid", "log_sigmoid", "naive_softmax"]

# ---------------------------------------------------------------------------
# Arranging the input as rows
# ---------------------------------------------------------------------------


def _prepare(
    x: Any, axis: Any, func: str
) -> tuple[np.ndarray, np.dtype, tuple[int, ...], tuple[int, ...]]:
    """Validate; return (array of the input's shape, >= 1-d), output dtype, input shape, axes."""
    arr = x if x.__class__ is np.ndarray and x.dtype.kind == "f" else as_float_array(x, func)
    shape = arr.shape
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if axis.__class__ is int and -arr.ndim <= axis < arr.ndim:  # the usual case, checked
        return arr, arr.dtype, shape, (axis % arr.ndim,)
    axes = normalize_axes(axis, arr.ndim, func)
    return arr, arr.dtype, shape, axes


def _as_rows(
    arr: np.ndarray, axes: tuple[int, ...]
) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """View (or copy) `arr` as a 2-D array with one reduced slice per row.

    Returns the 2-D array and a function that puts a 2-D result of the same
    shape back into the layout of `arr`.
    """
    n_kept = arr.ndim - len(axes)
    shape = arr.shape
    if axes == (n_kept,):  # the last axis: a reshape suffices
        rows = shape[0] if n_kept == 1 else math.prod(shape[:n_kept])
        return arr.reshape(rows, shape[n_kept]), lambda y: y.reshape(shape)
    if sorted(axes) == list(range(n_kept, arr.ndim)):  # trailing axes: a reshape suffices
        rows = arr.reshape(math.prod(shape[:n_kept]), math.prod(shape[n_kept:]))
        return rows, lambda y: y.reshape(shape)
    kept = [i for i in range(arr.ndim) if i not in axes]
    perm = kept + list(axes)
    moved = arr.transpose(perm)
    n_rows = math.prod(moved.shape[: len(kept)])
    rows = moved.reshape(n_rows, arr.size // max(n_rows, 1))
    inverse = sorted(range(arr.ndim), key=perm.__getitem__)

    def back(y: np.ndarray) -> np.ndarray:
        return y.reshape(moved.shape).transpose(inverse)

    return rows, back


def _finish(y: np.ndarray, dtype: np.dtype, shape: tuple[int, ...]) -> NDArray[np.floating[Any]]:
    """Cast back to the caller's precision; 0-d results become numpy scalars."""
    if y.dtype != dtype:
        y = y.astype(dtype)
    if shape == ():
        return cast("NDArray[np.floating[Any]]", y.reshape(())[()])
    return cast("NDArray[np.floating[Any]]", y)


# ---------------------------------------------------------------------------
# The engine: one blocked kernel
# ---------------------------------------------------------------------------
#
# A reduction works on a 2-D array ``X`` of shape (rows, n), one slice per
# row, a block of rows at a time; a block holds at most ``_BLOCK`` elements,
# so a row longer than that is a block of one row, visited in column chunks.
# Every function makes one pass over a block to find the log-normaliser
# (:func:`_block_normaliser`) and, except log-sum-exp, a second pass to write
# its output. The accuracy devices, each written once:
#
# 1. working precision: float64 for every format narrower than float64
#    (:func:`_work_dtype`);
# 2. an exact shift (:func:`_shift`, :func:`_exponent`): the exponent
#    ``(x - c) / T`` is either exact (``c`` chosen so that ``x - c`` is exact)
#    or carried as ``hi + lo`` with the rounding errors of the subtraction
#    (TwoSum) and of the division (TwoProduct), and ``exp(hi + lo)`` is
#    computed as ``exp(hi) * (1 + lo)`` (:func:`_terms`);
# 3. the largest term left out of the sum, so that the log-normaliser is
#    ``log1p(rest / top)`` (:func:`_block_normaliser`; softmax of a narrower
#    format keeps it in the sum, where it is exactly 1);
# 4. in float64, the largest of the other terms added apart from the sum of
#    the rest (:func:`_largest_and_sum`), and a long row's chunk sums added
#    with Neumaier's compensation (:func:`_sum_of_parts`).
#
# Two steps cost nothing where they are not needed: a block whose scaled maxima
# all lie in (-1, 680] is not shifted at all (the exponential reads the input;
# not in softmax of a narrower format, which is always shifted by its maxima),
# and softmax looks for entries tied with the largest (which must get exactly its
# probability) only in float64 blocks where some other term equals the largest
# term (a narrower format is shifted by its maxima, and every entry, the largest
# included, is its term over the sum of all terms).

#: Elements per block of work (a parameter: the tests make it small).
_BLOCK = 1 << 16
#: Rows of at most this many entries are summed column by column (see _largest_and_sum).
_SHORT_ROW = 16
#: Largest maximum for which the shift 0 is used (exp(680) * 2**40 < float64 max).
_ZERO_SHIFT_MAX = 680.0
#: From this shift on, x - c is exact or x - c < -746 (exp(x - c) == 0) for every x <= c.
_ALL_EXACT_SHIFT = 1492.0
#: The shift of a block that is not shifted (compared by identity).
_NO_SHIFT = 0.0
_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitting constant for float64
#: Below this, sigmoid(z) is computed as exp(z) (there 1 + e^-z rounds to e^-z).
_SIGMOID_EXP = -40.0


def _work_dtype(dtype: np.dtype) -> np.dtype:
    """float64 for float16/float32/ml_dtypes formats and float64; longdouble stays."""
    work = _WORK_DTYPES.get(dtype)
    if work is None:
        work = np.dtype(np.float64) if dtype.kind != "f" else np.result_type(dtype, np.float64)
        _WORK_DTYPES[dtype] = work
    return work


_WORK_DTYPES: dict[np.dtype, np.dtype] = {}


class _Scratch:
    """Block-sized buffers in the working precision, allocated when first needed.

    Rows are visited in blocks of at most ``per_buffer`` elements, a longer
    row being a block of one row. ``per_buffer`` is at most ``_BLOCK`` and at
    most a 16th of the input (a 32nd when a temperature that is not a power
    of two needs TwoProduct's temporaries), but at least 1024 elements (or
    the whole input, if smaller). A float64 row longer than ``per_buffer`` is
    visited in column chunks of ``per_buffer`` entries; in a narrower format
    a row is never cut, so that its float64 terms are computed once and a
    buffer holds a whole row when the row is long.
    """

    __slots__ = ("work", "shape", "_arrays")

    def __init__(self, X: np.ndarray, temperature: float = 1.0) -> None:
        rows, n = X.shape
        size = rows * n
        self.work = work = _work_dtype(X.dtype)
        share = 16 if temperature == 1.0 or math.frexp(temperature)[0] == 0.5 else 32
        # min(_BLOCK, max(min(1024, size), size // share)), without the slow builtins
        per_buffer = size if size <= 1024 else max(1024, size // share)
        if per_buffer > _BLOCK:
            per_buffer = _BLOCK
        width = n if X.dtype != work or n <= per_buffer else per_buffer
        per_block = per_buffer // n
        self.shape = (rows if per_block >= rows else per_block or 1, width)
        self._arrays: dict[str, np.ndarray] = {}

    def __call__(self, name: str, rb: int, width: int) -> np.ndarray:
        """The buffer `name`, cut to `rb` rows and `width` columns."""
        if name not in self._arrays:
            self._arrays[name] = np.empty(self.shape, dtype=self.work)
        return self._arrays[name][:rb, :width]

    def blocks(self, rows: int, n: int) -> list[tuple[slice, list[slice]]]:
        """Blocks of rows, each with its column chunks."""
        per_block, width = self.shape
        if width >= n:
            chunks = [slice(0, n)]
            if per_block >= rows:
                return [(slice(0, rows), chunks)]
        else:
            chunks = [slice(c0, min(n, c0 + width)) for c0 in range(0, n, width)]
        return [(slice(r0, r0 + per_block), chunks) for r0 in range(0, rows, per_block)]


#: A value per row of a block: a 1-D array, or a numpy scalar for a block of one row
#: (whose arithmetic costs far less than that of one-element arrays).
_PerRow = Any


def _col(v: _PerRow) -> _PerRow:
    """A value per row, shaped to broadcast along the rows of its block."""
    return v[:, None] if v.ndim else v


def _row_sums(y: np.ndarray) -> _PerRow:
    """The sum of each row of the 2-D `y` (numpy's pairwise sum)."""
    sums = y.sum(axis=1)
    return sums if y.shape[0] > 1 else sums[0]


class _Argmax:
    """The first largest entry of each row of a block (NaN wins), and access to that entry.

    In a block of one row, the entry is read and written as a numpy scalar.
    Otherwise, contiguous arrays are read and written through flat indices
    (:func:`numpy.take`, :func:`numpy.put`), which allocate nothing beyond
    their result, and other layouts through fancy indexing.
    """

    __slots__ = ("one", "col", "flat")

    def __init__(self, xb: np.ndarray) -> None:
        rb, n = xb.shape
        self.one = rb == 1
        self.col: Any = int(xb.argmax()) if self.one else xb.argmax(axis=1)
        self.flat: Any = None if self.one else self.col + np.arange(0, rb * n, n)

    def get(self, a: np.ndarray) -> _PerRow:
        """``a[r, col[r]]`` for every row ``r`` of the 2-D array `a` (of the block's shape)."""
        if self.one:
            return a[0, self.col]
        if a.flags.c_contiguous:
            return a.take(self.flat)
        return a[np.arange(a.shape[0]), self.col]

    def put(self, a: np.ndarray, values: _PerRow | float) -> None:
        """Set ``a[r, col[r]] = values[r]`` for every row ``r``."""
        if self.one:
            a[0, self.col] = values
        elif a.flags.c_contiguous:
            a.put(self.flat, values)
        else:
            a[np.arange(a.shape[0]), self.col] = values


def _shift(
    xb: np.ndarray,
    m: np.ndarray,
    temperature: float,
    exact: bool,
    lowest_m: float,
    highest_m: float,
) -> tuple[np.ndarray | float, bool]:
    """The shift ``c`` of each row of `xb`, and whether ``(x - c) / T`` needs its rounding error.

    `lowest_m` and `highest_m` are the smallest and largest of the maxima.
    The shift is the float 0.0 for the whole block (nothing to subtract) when
    every ``m / T`` lies in ``(-1, 680]``: ``exp(x / T)`` then neither
    overflows nor sums to less than ``exp(-1)``, and it is what every rule
    below gives for such rows when ``x / T`` is exact (``ceil(m / T) = 0``);
    for a narrower input, ``x / T`` in float64 carries far less error than
    the input format resolves, as ``(x - m) / T`` does. Otherwise,
    without `exact` (float64 working precision for a narrower input) the
    shift is the maximum ``m``: ``x - m`` and its division by ``T`` then carry
    errors far below the input format's. With `exact` and a temperature that
    is a power of two (``T = 1`` included), dividing by ``T`` is exact, and
    ``c = k * T`` with an integer ``k`` chosen on the scaled maximum
    ``m / T`` so that every ``x - c`` that matters is exact: ``k = 0`` when
    ``0 <= m / T <= 680``; ``ceil(m / T)`` when ``m < 0`` (Sterbenz's lemma
    within ``T`` of the maximum; further away ``c`` and ``x`` are multiples of
    ``ulp(x)``). When ``m / T > 680``, the shift is ``m`` itself, with no
    error to keep, if every entry of the row is at least ``m / 2`` (Sterbenz:
    every ``x - m`` is exact, and the largest term is exactly 1), and else
    ``k = ceil(m / T)`` if ``k >= 1492`` (then ``x - c`` is exact for
    ``x >= c / 2`` and ``(x - c) / T < -746``, whose exponential is 0 however
    it is rounded, below). When every ``m / T`` is finite, the whole block is
    first tried at once, with the same results as row by row: ``k = 0`` or
    ``ceil`` as above when every ``m / T <= 680``, and ``m`` when every
    ``m / T`` is above 680 and every entry is at least half of the largest
    maximum. Every other row, and every other temperature, gets the shift
    ``m`` with the rounding error kept. With `exact`, a row's shift does not
    depend on the other rows of its block (a row shifted exactly, in a block
    that keeps errors, gets an error of exactly 0). Rows with an infinite or
    NaN maximum get some shift (they are repaired afterwards).
    """
    exact_scaling = math.frexp(temperature)[0] == 0.5  # T is a power of two
    if exact and not exact_scaling:
        return m, True
    lo, hi = lowest_m / temperature, highest_m / temperature  # the range of m / T
    if -1.0 < lo and hi <= _ZERO_SHIFT_MAX:
        return _NO_SHIFT, False
    if not exact:
        return m, False
    mz = m if temperature == 1.0 else m / temperature
    if math.isfinite(lo) and math.isfinite(hi):
        # no infinite or NaN maximum: try the whole block at once
        if hi <= _ZERO_SHIFT_MAX:
            k = np.ceil(np.minimum(mz, 0.0))
            return (k if temperature == 1.0 else k * temperature), False
        # every row above 680 and every entry at least half of the largest maximum: the
        # rule below gives every row c = m (compared in the working precision)
        m_max = highest_m if m.dtype == np.float64 else m.max()  # exact, as a float64
        if lo > _ZERO_SHIFT_MAX and (
            xb.take(xb.argmin()) / temperature >= 0.5 * (m_max / temperature)
        ):  # (an argmin and a take cost less than a min reduction)
            return m, False
    k = np.ceil(np.minimum(mz, 0.0))
    large = ~((mz <= _ZERO_SHIFT_MAX) & (mz > -np.inf))  # NaN and overflow included
    # every entry at least half of the row's maximum: x - m is exact (Sterbenz)
    exact_m = large & (mz < np.inf) & (xb.min(axis=1) / temperature >= 0.5 * mz)
    up = np.ceil(mz)
    use_up = large & ~exact_m & (up >= _ALL_EXACT_SHIFT)  # up infinite or NaN: below
    c = np.where(exact_m, m, np.where(use_up, up, k) * temperature)
    need_error = large & ~exact_m & ~(use_up & np.isfinite(up))
    if need_error.any():
        finite = np.isfinite(m)
        c = np.where(need_error, np.where(finite, m, 0.0), c)
        return c, bool(np.any(need_error & finite))
    return c, False


def _split(a: Any) -> tuple[Any, Any]:
    """Veltkamp split: ``a = hi + lo`` exactly, each half with at most 26 significant bits."""
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def _two_diff(
    a: np.ndarray, b: np.ndarray, hi: np.ndarray, lo: np.ndarray, tmp: np.ndarray
) -> None:
    """TwoSum (Knuth): ``hi = fl(a - b)`` and ``lo`` with ``hi + lo == a - b`` exactly.

    `b` has one entry per row; `hi`, `lo` and `tmp` may not alias `a`. Where
    ``a - b`` overflows, `lo` is NaN.
    """
    np.subtract(a, b, out=hi)
    np.subtract(hi, a, out=lo)  # the part of -b that made it into hi
    np.subtract(hi, lo, out=tmp)
    np.subtract(a, tmp, out=tmp)
    np.add(lo, b, out=lo)
    np.subtract(tmp, lo, out=lo)


def _exponent(
    xc: np.ndarray,
    c: np.ndarray | float,
    temperature: float,
    keep_error: bool,
    hi: np.ndarray,
    lo: np.ndarray,
    tmp: np.ndarray,
) -> np.ndarray | None:
    """``(xc - c) / temperature`` as `hi` (rounded) plus `lo` (its error), or `hi` alone.

    Without `keep_error`, the shift may be the float 0.0 (nothing to subtract).

    With `keep_error`, ``hi + lo`` equals the exact value up to a relative
    ``2**-100`` wherever ``hi >= -4096`` (below, the exponential is 0 and
    `lo` is only kept finite). The temperature ``T = f * 2**e``,
    ``0.5 <= f < 1``, is applied by exact scaling with ``2**-e`` (before the
    subtraction when ``T > 1``, so that nothing overflows; after it when
    ``T < 1``) and a division by ``f`` whose remainder TwoProduct (Dekker)
    recovers. Returns `lo`, or None without `keep_error`.
    """
    if not keep_error:
        src = xc  # the exponent so far (x itself for the zero shift)
        if xc.dtype != hi.dtype:
            np.copyto(hi, xc, casting="unsafe")  # exact: the working precision is wider
            src = hi
        if c is not _NO_SHIFT:
            np.subtract(src, _col(c), out=hi)
            src = hi
        inverse = 1.0 / temperature
        if temperature == 1.0:
            if src is not hi:
                np.copyto(hi, src)
        elif math.frexp(temperature)[0] == 0.5 and math.isfinite(inverse):
            np.multiply(src, inverse, out=hi)  # exact scaling, as the division
        else:
            np.divide(src, temperature, out=hi)
        return None
    cc = _col(c)
    frac, e = math.frexp(temperature)
    if temperature == 1.0:
        frac, e = 1.0, 0
    if e > 0:  # T > 1: scale first, so that x - c cannot overflow
        scaled = np.ldexp(xc, -e)
        _two_diff(scaled, np.ldexp(cc, -e), hi, lo, tmp)
    else:
        _two_diff(xc, cc, hi, lo, tmp)
        if e < 0:
            np.ldexp(hi, -e, out=hi)
            np.ldexp(lo, -e, out=lo)
    if frac == 0.5:
        np.multiply(hi, 2.0, out=hi)
        np.multiply(lo, 2.0, out=lo)
    elif frac != 1.0:
        q = np.divide(hi, frac)
        qc = np.clip(q, -4096.0, 4096.0)
        p = qc * frac
        qh, ql = _split(qc)
        fh, fl = _split(frac)
        err = ((qh * fh - p) + qh * fl + ql * fh) + ql * fl  # qc * frac == p + err
        np.subtract(hi, p, out=hi)  # exact (Sterbenz) where q was not clipped
        np.subtract(hi, err, out=hi)
        np.add(lo, hi, out=lo)
        np.divide(lo, frac, out=lo)
        np.copyto(lo, 0.0, where=q != qc)  # |q| > 4096: the error is below ulp(q) / 2**40
        np.copyto(hi, q)
    np.fmax(lo, -1.0, out=lo)  # NaN or infinite only where exp(hi) is 0
    np.fmin(lo, 1.0, out=lo)
    return lo


def _terms(
    xc: np.ndarray,
    c: np.ndarray | float,
    temperature: float,
    keep_error: bool,
    y: np.ndarray,
    scratch: _Scratch,
) -> np.ndarray:
    """``exp((xc - c) / T)`` into `y`, as ``exp(hi) * (1 + lo)`` when the error is kept."""
    if temperature == 1.0 and c is _NO_SHIFT:  # exp(x)
        if xc.dtype != y.dtype:
            np.copyto(y, xc, casting="unsafe")  # exact: the working precision is wider
            xc = y
        return cast(np.ndarray, np.exp(xc, out=y))
    lo = tmp = y
    if keep_error:
        lo, tmp = (scratch(name, *y.shape) for name in ("lo", "tmp"))
    err = _exponent(xc, c, temperature, keep_error, y, lo, tmp)
    np.exp(y, out=y)
    if err is not None:
        np.multiply(y, err, out=err)
        np.add(y, err, out=y)
    return y


def _sum_of_parts(parts: list[Any]) -> Any:
    """Sum of a long row's partial sums (numpy scalars), with Neumaier's compensation."""
    total, carry = parts[0], parts[0] * 0
    for v in parts[1:]:
        s = total + v
        carry += (total - s) + v if abs(total) >= abs(v) else (v - s) + total
        total = s
    return total + carry


def _largest_and_sum(y: np.ndarray) -> tuple[_PerRow, _PerRow]:
    """Per row of the non-negative `y`: its largest entry, and the sum of the others.

    numpy's pairwise sum rounds each addition to a partial sum, so a row
    dominated by one term accumulates up to one rounding of that term's size
    per addition onto it (several ulps over a few dozen terms); with that
    term summed apart, the rounding is relative to the smaller terms instead.
    Rows of at most ``_SHORT_ROW`` entries are visited column by column
    (keeping the largest so far apart and adding the smaller of it and the
    next entry to the sum), which needs no reduction along the rows, slow
    for short rows; longer rows set their largest entry to 0 in `y`, sum, and
    put it back.
    """
    rb, n = y.shape
    if n <= _SHORT_ROW:
        big, small, smaller = y[:, 0].copy(), np.zeros(rb, dtype=y.dtype), np.empty(rb, y.dtype)
        for j in range(1, n):
            np.minimum(big, y[:, j], out=smaller)
            np.add(small, smaller, out=small)
            np.maximum(big, y[:, j], out=big)
        return (big, small) if rb > 1 else (big[0], small[0])
    arg = _Argmax(y)
    big = arg.get(y)
    arg.put(y, 0.0)
    small = _row_sums(y)
    arg.put(y, big)  # softmax divides every term afterwards
    return big, small


class _Normaliser(NamedTuple):
    """What the first pass over a block finds, per row."""

    arg: _Argmax  # where the largest entry is
    m: _PerRow  # the largest entry
    finite: bool  # whether every largest entry is finite (False does not say it is not)
    c: _PerRow | float  # the shift of the exponents (_NO_SHIFT: none)
    keep_error: bool  # whether (x - c) / T is carried with its rounding error
    top: _PerRow | None  # exp((m - c) / T), the largest term; None: 1, counted in rest
    rest: _PerRow  # the sum of the other terms (of every term when top is None)
    second: _PerRow | None  # the largest of the other terms (float64 only, else None)
    total: _PerRow  # the sum of every term, top included


def _block_normaliser(
    xb: np.ndarray,
    chunks: list[slice],
    temperature: float,
    scratch: _Scratch,
    terms: np.ndarray | None = None,
    whole_sum: bool = False,
) -> _Normaliser:
    """First pass over a block: per row, the largest term and the sum of the others.

    The log-normaliser relative to the maximum is ``log1p(rest / top)``. The
    terms go to `terms` (an array of the block's shape in the working
    precision) if given, else to a scratch buffer; when the block is one
    chunk they are still there afterwards, except the largest of each row,
    which is set to 0. With `whole_sum`, a block of a narrower format is
    shifted by its maxima (as :func:`_shift` does outside ``(-1, 680]``) and
    its largest terms, then exactly 1, stay in the terms and in the sum:
    nothing is set to 0, `top` is None and `rest` is the sum of every term.
    This costs a subtraction and saves softmax its search for ties; summing
    the 1 with the small terms costs a few float64 ulps, far below the
    narrower format's. In float64 the largest term is always summed apart,
    and the largest of the others is added apart from the sum of the rest
    (:func:`_largest_and_sum`).
    """
    rb = xb.shape[0]
    arg = _Argmax(xb)
    m = arg.get(xb).astype(scratch.work, copy=False)
    lowest, highest = (float(m),) * 2 if rb == 1 else (float(m.min()), float(m.max()))
    finite = -math.inf < lowest and highest < math.inf  # NaN compares False
    exact = xb.dtype == scratch.work  # else a narrower format, computed in float64
    apart = exact or not whole_sum  # whether the largest term is summed apart
    if apart:
        c, keep_error = _shift(xb, m, temperature, exact, lowest, highest)
    else:  # the shift m: the largest term is exactly 1, left in the sum
        c, keep_error = m, False
    if len(chunks) == 1:
        y = terms if terms is not None else scratch("terms", rb, xb.shape[1])
        _terms(xb, c, temperature, keep_error, y, scratch)
        top = None
        if apart:
            top = arg.get(y)
            arg.put(y, 0.0)
        if not exact:  # a float64 sum carries far less error than the narrower format
            rest = _row_sums(y)
            total = rest if top is None else top + rest
            return _Normaliser(arg, m, finite, c, keep_error, top, rest, None, total)
        big, small = _largest_and_sum(y)
        # top + big with its rounding error (Fast2Sum: top >= big), then the rest: two
        # terms of the same size (ties) would otherwise add a rounding at their scale
        pair = top + big
        total = pair + (small + (big - (pair - top)))
        return _Normaliser(arg, m, finite, c, keep_error, top, big + small, big, total)
    # a long row: one row, several chunks
    top = None
    j = arg.col  # an int: the block is one row
    parts: list[Any] = []
    second = None
    for cols in chunks:
        y = terms[:, cols] if terms is not None else scratch("terms", 1, cols.stop - cols.start)
        _terms(xb[:, cols], c, temperature, keep_error, y, scratch)
        if apart and cols.start <= j < cols.stop:
            top = y[0, j - cols.start]
            y[0, j - cols.start] = 0.0
        if not exact:
            parts.append(_row_sums(y))
            continue
        big, small = _largest_and_sum(y)
        parts += [big, small]
        second = big if second is None else np.maximum(second, big)
    rest = _sum_of_parts(parts)
    total = rest if top is None else _sum_of_parts([top, *parts])
    return _Normaliser(arg, m, finite, c, keep_error, top, rest, second, total)


def _infinite_rows(nz: _Normaliser, xb: np.ndarray) -> Iterator[tuple[int, np.ndarray, int]]:
    """Rows whose maximum is infinite: (row, entries tied at the maximum, their number)."""
    m = np.atleast_1d(nz.m)
    for r in np.flatnonzero(np.isinf(m)):
        tied = xb[r] == m[r]
        yield int(r), tied, int(tied.sum())


def _softmax_rows(X: np.ndarray, temperature: float, out: np.ndarray) -> None:
    """Softmax of each row of `X` into `out`.

    In float64, the largest entry, and every entry whose term equals the
    largest term ``top`` (ties, and entries whose terms round to it), gets
    ``1 / (1 + rest / top)``; every other entry ``t / (top + rest)``, with ``t``
    its own term. Such entries are looked for only in blocks where the largest
    other term equals ``top``; a block without one (almost every block of real
    data) needs no mask over its entries. A narrower format is shifted by the maximum, so that the
    largest term is exactly 1: every entry, the largest and those tied with it
    included, gets ``t / total`` in float64, ``total`` being the sum of every
    term, and is rounded to the format. The largest entry's ``1 / total`` is
    monotone in its own logit, since every other term falls as it rises.
    """
    R, n = X.shape
    scratch = _Scratch(X, temperature)
    in_place = out.dtype == scratch.work  # else a narrower format: one chunk per block
    for rows, chunks in scratch.blocks(R, n):
        xb, block = X[rows], out[rows]
        terms = block if in_place else scratch("terms", *xb.shape)
        nz = _block_normaliser(xb, chunks, temperature, scratch, terms, whole_sum=True)
        total = nz.total
        # entries tied with the largest term get its 1 / (1 + rest / top), not t / total
        has_ties = (
            nz.top is not None
            and nz.second is not None
            and np.count_nonzero(nz.second == nz.top)
        )
        # the largest entry, apart: 1 / (1 + rest / top); one entry per row: no out=
        top = None if nz.top is None else 1.0 / (1.0 + nz.rest / nz.top)
        if in_place:  # the terms are in the output already
            for cols in chunks:
                y = block[:, cols]
                # entries whose term equals the largest (ties, and entries so close to
                # the maximum that their terms round to the same) get its probability;
                # the comparison runs chunk by chunk to keep memory bounded
                tied = y == _col(nz.top) if has_ties else None
                np.divide(y, _col(total), out=y)
                if tied is not None:
                    np.copyto(y, _col(top), where=tied)
        else:
            np.divide(terms, _col(total), out=block, casting="unsafe")
        if top is not None:
            nz.arg.put(block, top)  # rounded to the output's format
        if not nz.finite:
            for r, tied, k in _infinite_rows(nz, xb):
                block[r] = tied / k


def _log_softmax_rows(X: np.ndarray, temperature: float, out: np.ndarray) -> None:
    """Log-softmax of each row: ``(x - m) / T - log1p(rest / top)``.

    The first part is carried with its rounding error when the temperature needs it.
    """
    R, n = X.shape
    scratch = _Scratch(X, temperature)
    # (x - m) / T needs its rounding error only in float64 and when T is not a power of
    # two or is above 1 (then x - m may overflow while (x - m) / T does not); otherwise
    # the rounding of x - m is at most half an ulp of the result, as the log does not
    # amplify it.
    keep_error = X.dtype == scratch.work and (math.frexp(temperature)[0] != 0.5 or temperature > 1)
    in_place = out.dtype == scratch.work
    for rows, chunks in scratch.blocks(R, n):
        xb, block = X[rows], out[rows]
        rb = xb.shape[0]
        nz = _block_normaliser(xb, chunks, temperature, scratch, block if in_place else None)
        log_norm = _col(np.log1p(nz.rest / nz.top))
        for cols in chunks:
            w = cols.stop - cols.start
            hi = block[:, cols] if in_place else scratch("terms", rb, w)
            if keep_error:
                lo = _exponent(
                    xb[:, cols],
                    nz.m,
                    temperature,
                    True,
                    hi,
                    scratch("lo", rb, w),
                    scratch("tmp", rb, w),
                )
                assert lo is not None
                np.subtract(log_norm, lo, out=lo)
                np.subtract(hi, lo, out=hi)
            else:
                _exponent(xb[:, cols], nz.m, temperature, False, hi, hi, hi)
                np.subtract(hi, log_norm, out=hi)
            if not in_place:
                block[:, cols] = hi
        if not nz.finite:
            for r, tied, k in _infinite_rows(nz, xb):
                block[r] = np.where(tied, -math.log(k), -np.inf)


def _max_and_rest(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, in the working precision: the maximum ``m`` and ``sum(exp(x - m))`` over
    every entry but one largest (0 for a single entry).

    Log-sum-exp is ``m + log1p(rest)``. Rows of ``-inf`` give ``(-inf, 0)``, rows
    with ``+inf`` give ``(inf, inf)``, rows with NaN give NaN.
    """
    R, n = X.shape
    scratch = _Scratch(X)
    m = np.empty(R, dtype=scratch.work)
    rest = np.empty(R, dtype=scratch.work)
    for rows, chunks in scratch.blocks(R, n):
        nz = _block_normaliser(X[rows], chunks, 1.0, scratch)
        m[rows] = nz.m
        rest[rows] = nz.rest / nz.top
    rest[m == -np.inf] = 0.0
    rest[m == np.inf] = np.inf
    return m, rest


def _logsumexp_rows(X: np.ndarray, out: np.ndarray) -> None:
    """Log-sum-exp of each row: ``m + log1p(rest)``."""
    m, rest = _max_and_rest(X)
    lse = m + np.log1p(rest)
    lse[np.isinf(m)] = m[np.isinf(m)]
    out[...] = lse


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def softmax(
    x: ArrayLike, axis: int | tuple[int, ...] | None = -1, *, temperature: float = 1.0
) -> NDArray[np.floating[Any]]:
    r"""Softmax: turn real scores (logits) into probabilities.

    .. math::

        \operatorname{softmax}(x)_i = \frac{e^{x_i / T}}{\sum_j e^{x_j / T}}

    computed without overflow by shifting each slice by its maximum.

    Parameters
    ----------
    x : array_like
        Real scores. Lists, scalars, booleans and integers are accepted
        (integers and booleans compute in float64); float16, float32,
        float64 and the ``ml_dtypes`` formats (bfloat16, float8) keep their
        dtype.
    axis : int, tuple of ints or None, optional
        Axis or axes along which the probabilities sum to one. ``None`` means
        all axes. Default ``-1``, the last axis.
    temperature : float, optional
        Positive, finite temperature :math:`T` (keyword only). Lower values
        sharpen the distribution towards the argmax, higher values flatten it
        towards uniform. Default 1.

    Returns
    -------
    ndarray
        Probabilities with the shape and floating dtype of `x`: non-negative,
        summing to one along `axis`. A 0-d input gives a numpy scalar.

    Raises
    ------
    TypeError
        If `x` is not real (strings, objects, complex numbers), `axis` is not
        an int, tuple of ints or None, or `temperature` is not a real number.
    ValueError
        If `axis` is out of range or repeated (:class:`numpy.exceptions.AxisError`
        is a :class:`ValueError`), or `temperature` is not positive and finite.

    See Also
    --------
    log_softmax : The logarithm of softmax, computed without forming it.
    logsumexp : The normaliser, :math:`\log\sum_j e^{x_j}`.
    naive_softmax : The textbook formula without the shift, which overflows.

    Notes
    -----
    Softmax is invariant to adding a constant to every entry of a slice, so
    it is computed as :math:`e^{(x_i - c)/T} / \sum_j e^{(x_j - c)/T}` with a
    shift :math:`c` close to :math:`m = \max_j x_j` for which :math:`x_i - c`
    is computed exactly: for :math:`T = 1` (and any power of two, on
    :math:`m/T`), :math:`c = 0` when :math:`0 \le m \le 680`,
    :math:`c = \lceil m \rceil` when :math:`m < 0`, and for :math:`m > 680`,
    :math:`c = m` when every entry is at least :math:`m/2` (Sterbenz's lemma;
    the largest term is then exactly 1), else :math:`c = \lceil m \rceil`
    when :math:`\lceil m \rceil \ge 1492`; otherwise :math:`c = m` and the rounding error of the
    subtraction (and of the division by :math:`T`) is recovered by
    error-free transformations [3]_ and applied as
    :math:`e^{d + e} \approx e^{d}(1 + e)`. (This is the float64 and
    integer rule.) A rounded shift would be
    amplified by :math:`|x_i - c|` in the exponential, which costs the plain
    max-shift hundreds of ulps on inputs spread over :math:`[-700, 0]`.
    float16, float32 and bfloat16 inputs are computed in float64 with
    :math:`c = m`, whose roundings (half a float64 ulp of :math:`x_i - m`,
    and of the division by :math:`T`) are far below the format's
    resolution, and rounded to the format at the end.

    In float64, with :math:`t` the largest term and :math:`r` the sum of the
    others, the largest entry gets :math:`1/(1 + r/t)` and every other entry
    :math:`e_i/(t + r)`, the total :math:`t + r` being formed from :math:`t`,
    the largest other term and the sum of the rest, with the rounding error of
    the first addition kept. Every entry whose term equals :math:`t` gets the
    largest entry's value: entries tied with the maximum, and entries so close
    to it that their terms round to :math:`t`. Equal terms then give equal
    probabilities, and an entry rising towards the maximum switches formula
    where its term first rounds to :math:`t`, not on the step onto the maximum;
    such an entry can be up to about 2 ulp above its own exact value (relative
    ``ulp(t)/t``; ``softmax([0x1.9299bbe45f79dp-5, 0x1.9299bbe45f775p-5,
    -0x1.7d257c33d2d99p+4], temperature=2)[1]`` is 3 ulp off). In a narrower
    format :math:`t = 1` exactly, and every entry gets :math:`e_i/s`, with
    :math:`s` the float64 sum of all terms.
    For the largest entry, :math:`1/(1 + r/t)` and :math:`1/s` are monotone
    non-decreasing in its own logit by construction wherever the terms carry
    no recovered error and the shift is 0 or :math:`m` (the other terms then
    stay or fall as it rises). The other entries, and the largest where an
    integer shift steps, are checked on grids: fine grids in float16, float32
    and float64 at :math:`T = 1, 1/2, 2`, including where the result rounds
    to 0 or 1, and float32 grids of two-entry rows placed around rounding
    midpoints (``tests/test_core.py``). Three limits, of one or two ulps,
    remain, which only a correctly rounded softmax would remove. In float64 with a
    temperature that is not a power of two, the recovered error
    :math:`e^{\text{hi}}(1 + \text{lo})` wobbles as hi steps:
    ``softmax([z, 0, -0.5], temperature=0.37)[0]`` decreases from
    ``z = 0x1.0624dd2f296ffp-10`` to the next float64. In a narrower format,
    an entry that is not the largest can decrease where its float64 value lies
    within a float64 ulp of a rounding midpoint of the format: ``softmax`` of
    the float32 row ``[z, 0.7173955, 0.26935619]`` decreases from
    ``z = 0x1.2c3c2cp-30`` to the next float32. The form :math:`t/(t + r)`
    for the largest entry in float64 is far from monotone (it decreased on
    hundreds of thousands of grid steps of :math:`[36.5, 37.5]` for
    ``softmax([z, 0])``). In float64, an entry rising towards the maximum
    switches from :math:`e_i/(t + r)` to the largest entry's
    :math:`1/(1 + r/t)` where its term first rounds to :math:`t`; the two
    round independently, and the entry can fall there by up to 2 ulp (in
    ``benchmarks/float64_limits.py``, stepping an entry next to the maximum
    from 8 floats below it up to it, in rows of normal logits, of small
    integers, and of a constant with one larger entry, at :math:`T = 1, 1/2,
    2`: 6 to 160 of 2000 rows fell somewhere, by at most 2 ulp; none on the
    step from a tie to one float above). For the same reason
    the largest entry can come out an ulp below an entry one float smaller
    whose term is below :math:`t` (25 of 20,000 rows of 2 to 11 logits of
    standard deviation 2 whose second largest is one float below the
    largest, seed 11; 31 without AVX-512); taking the larger of the two
    values for the largest entry would keep the order, but the largest entry
    could then fall as its own logit rises.
    Entries other than the largest are divided by the same total, so their
    order is that of their terms.

    Accuracy, measured against correctly rounded references (see
    :mod:`softmax_lib.testing` and the module notes): at most 2 ulp in
    float64 and integer input (tested bound 3), within 1 ulp in float32,
    float16 and bfloat16, and correctly rounded on the book's adversarial
    families (dominant entry, near ties, wide range, large offsets, long
    rows of up to :math:`10^6` entries, any axis, temperatures from 5e-324
    to 1.7e308), though neither bound is proved; float64 rows sum to 1
    within 1 eps there (tested bound 2). Other rows exceed the tested bound of
    3 ulp, through the rounding of the sum of the terms: ordinary rows of a few
    dozen to a couple of hundred comparable logits now and then (up to 5 ulp;
    15 of 1000 rows of 100 standard-normal logits), rows of many equal logits more often
    (up to 6 ulp, and sums up to 4 eps from 1), and rows with an entry whose
    term rounds to the largest (up to 5 ulp); the module notes list every
    kind of row found beyond the bounds. Every finite
    positive temperature gives the correct limit: uniform for huge
    :math:`T`, one-hot for tiny :math:`T`. Finite input never produces NaN,
    infinity or a floating-point exception or warning, whatever
    :func:`numpy.errstate` says (underflow to 0 is silent).

    Special values, per slice: an entry of ``-inf`` gets probability exactly
    0; if some entries are ``+inf`` they share the mass equally (the limit)
    and all others get 0; if every entry is ``-inf`` the result is uniform
    (all entries are tied at the maximum; PyTorch returns NaN here); a NaN
    makes its own slice NaN and leaves the other slices alone. An empty input
    gives an empty output.

    The name and the probabilistic reading are due to Bridle [1]_; the
    accuracy of the shifted formula is analysed in [2]_.

    References
    ----------
    .. [1] J. S. Bridle, "Probabilistic interpretation of feedforward
       classification network outputs, with relationships to statistical
       pattern recognition", in *Neurocomputing*, Springer, 1990,
       pp. 227--236.
    .. [2] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
       the log-sum-exp and softmax functions", *IMA Journal of Numerical
       Analysis* 41(4), 2021, pp. 2311--2330.
    .. [3] N. J. Higham, *Accuracy and Stability of Numerical Algorithms*,
       2nd ed., SIAM, 2002 (section 4.3, error-free transformations).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import softmax, naive_softmax
    >>> softmax([2.0, 1.0, 0.5])
    array([0.62853172, 0.2312239 , 0.14024438])

    The shift makes large scores harmless; the textbook formula overflows:

    >>> softmax([1000.0, 0.0, -1000.0])
    array([1., 0., 0.])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     naive_softmax([1000.0, 0.0, -1000.0])
    array([nan,  0.,  0.])

    Temperature sharpens or flattens:

    >>> softmax([2.0, 1.0, 0.5], temperature=0.5)
    array([0.84379473, 0.1141952 , 0.04201007])

    Rows of a matrix, and the special values:

    >>> softmax([[1.0, 1.0], [0.0, -np.inf]])
    array([[0.5, 0.5],
           [1. , 0. ]])
    >>> softmax([np.inf, 3.0, np.inf])
    array([0.5, 0. , 0.5])
    """
    func = "softmax"
    arr, dtype, shape, axes = _prepare(x, axis, func)
    if temperature.__class__ is not float or not 0.0 < temperature < math.inf:
        temperature = check_temperature(temperature, func)
    if arr.size == 0:
        return _finish(np.array(arr, copy=True), dtype, shape)
    rows, back = _as_rows(arr, axes)
    p = np.empty(rows.shape, dtype=dtype)
    with np.errstate(all="ignore"):
        _softmax_rows(rows, temperature, p)
    return _finish(back(p), dtype, shape)


def log_softmax(
    x: ArrayLike, axis: int | tuple[int, ...] | None = -1, *, temperature: float = 1.0
) -> NDArray[np.floating[Any]]:
    r"""Logarithm of softmax, computed directly rather than as ``log(softmax(x))``.

    .. math::

        \log\operatorname{softmax}(x)_i = \frac{x_i}{T} - \log\sum_j e^{x_j/T}

    Parameters
    ----------
    x : array_like
        Real scores; see :func:`softmax` for accepted types and dtypes.
    axis : int, tuple of ints or None, optional
        Axis or axes of each distribution; ``None`` means all. Default ``-1``.
    temperature : float, optional
        Positive, finite temperature (keyword only). Default 1.

    Returns
    -------
    ndarray
        Log-probabilities, all :math:`\le 0`, with the shape and floating dtype
        of `x`. A 0-d input gives a numpy scalar.

    Raises
    ------
    TypeError
        If `x`, `axis` or `temperature` has the wrong type (see :func:`softmax`).
    ValueError
        If `axis` is out of range or repeated, or `temperature` is not positive
        and finite.

    See Also
    --------
    softmax, logsumexp

    Notes
    -----
    With :math:`m = \max_j x_j`, the result is :math:`(x_i - m)/T -
    \operatorname{log1p}(r)`, where :math:`r = \sum_{j \ne j^*} e^{(x_j - m)/T}`
    leaves out the largest term (which is exactly 1). The terms of :math:`r`
    are computed with an exact shift, as in :func:`softmax`; in the log
    domain the rounding of :math:`x_i - m` itself is not amplified. Writing the normaliser
    as ``log1p(r)`` rather than ``log(1 + r)`` keeps terms much smaller than
    one: ``log_softmax([0, -40])[0]`` is :math:`-\log(1 + e^{-40}) \approx
    -4.25 \times 10^{-18}`, whereas ``log(softmax(x))`` and
    ``scipy.special.log_softmax`` (1.17) both return 0 there. Very negative
    log-probabilities are exact even when the probability itself underflows
    to 0, which is why losses are computed from log-softmax. Special values
    follow :func:`softmax`: an entry of ``-inf`` gives ``-inf``; entries tied
    at an infinite maximum give ``-log(k)`` for ``k`` tied entries.

    For :math:`T \ne 1` in float64, :math:`(x_i - m)/T` is carried with its
    rounding error (TwoSum and TwoProduct), and the result is
    :math:`\text{hi} - (\operatorname{log1p}(r) - \text{lo})`. A result is
    ``-inf`` only where the exact value is below the most negative float
    (for example ``log_softmax([1, 2], temperature=5e-324)[0]``). Accuracy,
    measured as for :func:`softmax`: at most 3 ulp in float64 and integer
    input on the families and on a held-out search (the tested bound; 4 ulp
    on rows built against the sum, see the module notes), within 1 ulp in
    float32, float16 and bfloat16.
    Finite input never raises or warns.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
       the log-sum-exp and softmax functions", *IMA Journal of Numerical
       Analysis* 41(4), 2021, pp. 2311--2330.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import log_softmax
    >>> log_softmax([2.0, 1.0, 0.5])
    array([-0.46436878, -1.46436878, -1.96436878])
    >>> float(log_softmax([0.0, -40.0])[0])
    -4.248354255291589e-18
    >>> log_softmax([0.0, -1000.0])
    array([    0., -1000.])
    """
    func = "log_softmax"
    arr, dtype, shape, axes = _prepare(x, axis, func)
    if temperature.__class__ is not float or not 0.0 < temperature < math.inf:
        temperature = check_temperature(temperature, func)
    if arr.size == 0:
        return _finish(np.array(arr, copy=True), dtype, shape)
    rows, back = _as_rows(arr, axes)
    logp = np.empty(rows.shape, dtype=dtype)
    with np.errstate(all="ignore"):
        _log_softmax_rows(rows, temperature, logp)
    return _finish(back(logp), dtype, shape)


def logsumexp(
    x: ArrayLike, axis: int | tuple[int, ...] | None = -1, *, keepdims: bool = False
) -> NDArray[np.floating[Any]] | np.floating[Any]:
    r"""Log-sum-exp, :math:`\log\sum_i e^{x_i}`, without overflow or underflow.

    Parameters
    ----------
    x : array_like
        Real numbers; see :func:`softmax` for accepted types and dtypes.
    axis : int, tuple of ints or None, optional
        Axis or axes to reduce; ``None`` reduces all. Default ``-1``. (Note
        that ``scipy.special.logsumexp`` defaults to ``None``.)
    keepdims : bool, optional
        Keep the reduced axes as size-one dimensions so that the result
        broadcasts against `x` (keyword only). Default False.

    Returns
    -------
    ndarray or numpy scalar
        The reduction, in the floating dtype of `x`. A 0-d result is returned
        as a numpy scalar, like :func:`numpy.sum`.

    Raises
    ------
    TypeError
        If `x` or `axis` has the wrong type (see :func:`softmax`).
    ValueError
        If `axis` is out of range or repeated.

    See Also
    --------
    softmax : The gradient of log-sum-exp.
    log_softmax : ``x - logsumexp(x, keepdims=True)``, computed accurately.

    Notes
    -----
    With :math:`m = \max_i x_i` attained at :math:`i^*`,

    .. math::

        \operatorname{LSE}(x) = m + \operatorname{log1p}\Big(\sum_{i \ne i^*} e^{x_i - m}\Big),

    which cannot overflow and, thanks to ``log1p`` of the sum *without* the
    largest term, keeps contributions far below the rounding level of 1 [1]_.
    The terms :math:`e^{x_i - m}` are computed as :math:`e^{x_i - c} / e^{m - c}`
    with an exactly representable shift :math:`c` (see :func:`softmax`), and
    in float64 the largest of the terms other than :math:`e^{m - c}` is added
    apart from the sum of the rest.
    Measured on the book's adversarial families (see
    :func:`softmax_lib.testing.adversarial_rows` and the module notes), the
    result is within 1 ulp of the correctly rounded value in float64 and
    integer input (2 ulp on a held-out search, 3 on rows built against the
    sum; tested bound 2 on the families) and correctly rounded in float32, float16 and
    bfloat16; neither bound is proved (see the module notes).
    Excluded from these bounds: rows with :math:`m < 0` whose result has a
    smaller ulp than :math:`\operatorname{log1p}(r) = \operatorname{LSE}(x) - m`,
    which includes every row with :math:`0 \le \operatorname{LSE}(x) < |m|`. The
    final addition :math:`m + \operatorname{log1p}(r)` then passes on half an
    ulp of :math:`\operatorname{log1p}(r)`, which is one ulp or more of the
    result: 3 ulp for ``logsumexp([-1.5] * 11)`` (LSE about 0.898) and for 62
    copies of ``-0x1.1f21014629bdbp-2`` (LSE about 3.85, log1p(r) about 4.13),
    many ulps where the result is close to 0. (Of 1,908 random rows of
    negative logits outside this exclusion, none was more than 2 ulp off.)
    Finite input never raises or warns. It satisfies
    :math:`\max(x) \le \operatorname{LSE}(x) \le \max(x) + \log n`.

    Special values: ``-inf`` entries contribute nothing; an empty slice gives
    ``-inf`` (the logarithm of an empty sum), as does a slice of all ``-inf``;
    any ``+inf`` gives ``+inf``; a NaN gives NaN for its slice only.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing
       the log-sum-exp and softmax functions", *IMA Journal of Numerical
       Analysis* 41(4), 2021, pp. 2311--2330.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import logsumexp
    >>> float(logsumexp([1000.0, 1000.0]))      # 1000 + log 2
    1000.6931471805599
    >>> with np.errstate(over="ignore"):
    ...     float(np.log(np.sum(np.exp([1000.0, 1000.0]))))   # the naive way
    inf
    >>> float(logsumexp([0.0, -40.0]))          # log(1 + e**-40), not 0
    4.248354255291589e-18
    >>> logsumexp([[0.0, 0.0], [1.0, -np.inf]], keepdims=True)
    array([[0.69314718],
           [1.        ]])
    >>> float(logsumexp([]))
    -inf
    """
    func = "logsumexp"
    arr, dtype, shape, axes = _prepare(x, axis, func)
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"{func}: keepdims must be True or False, got {keepdims!r}")
    out_shape = tuple(1 if i in axes else n for i, n in enumerate(arr.shape))
    if arr.size == 0 or any(arr.shape[i] == 0 for i in axes):
        result = np.full(out_shape, -np.inf, dtype=dtype)
    else:
        rows, _ = _as_rows(arr, axes)
        result = np.empty(rows.shape[0], dtype=dtype)
        with np.errstate(all="ignore"):
            _logsumexp_rows(rows, result)
        result = result.reshape(out_shape)
    if not keepdims:
        result = result.reshape(tuple(n for i, n in enumerate(arr.shape) if i not in axes))
    if shape == ():
        result = result.reshape(())
    return _finish(result, dtype, result.shape)


def sigmoid(x: ArrayLike) -> NDArray[np.floating[Any]]:
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, elementwise.

    Parameters
    ----------
    x : array_like
        Real numbers; see :func:`softmax` for accepted types and dtypes.

    Returns
    -------
    ndarray
        Values in :math:`[0, 1]` with the shape and floating dtype of `x`.

    Raises
    ------
    TypeError
        If `x` is not real.

    See Also
    --------
    log_sigmoid : :math:`\log\sigma(x)` without forming :math:`\sigma(x)`.
    softmax : ``softmax([z, 0])[0]`` equals ``sigmoid(z)`` to a few ulp.

    Notes
    -----
    Computed as :math:`1/(1 + e^{-z})` for :math:`z \ge -40`, and as
    :math:`e^{z}` below (there :math:`1 + e^{-z}` rounds to :math:`e^{-z}`,
    and :math:`e^{-z}` would overflow before :math:`\sigma(z)` reaches the
    subnormal range). Every step of :math:`1/(1 + e^{-z})` is monotone, so the
    result is monotone non-decreasing in :math:`z` wherever ``numpy.exp`` is;
    the switch at -40 keeps it so (checked in the tests on the machine at
    hand, and on fine grids in float16, float32 and float64, including where
    the result rounds to 0 or 1). float16, float32 and bfloat16 inputs are
    computed in float64 and rounded once. Measured on 5,000 points of
    :math:`[-745, 40]`: within 2 ulp of the correctly rounded value in float64,
    correctly rounded in float32 and float16.

    The sigmoid is two-class softmax, :math:`\sigma(z) =
    \operatorname{softmax}([z, 0])_0`, but the two are computed by different
    monotone formulas (in float64 :func:`softmax` gives the larger entry
    :math:`1/(1 + r/t)` and the other :math:`e_i/(t + r)`), so they agree to
    within a few ulp, not to the last bit: the earlier bit-for-bit agreement
    used :math:`e^{z}/(e^{z} + 1)`, which is not monotone.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import sigmoid
    >>> sigmoid([-1000.0, -2.0, 0.0, 2.0, 1000.0])
    array([0.        , 0.11920292, 0.5       , 0.88079708, 1.        ])
    >>> float(sigmoid(-700.0))
    9.85967654375977e-305
    """
    arr = as_float_array(x, "sigmoid")
    z = arr.astype(_work_dtype(arr.dtype)).reshape(-1)
    with np.errstate(all="ignore"):
        # 1 / (1 + e^-z) is monotone in z (every step is); below _SIGMOID_EXP the
        # sum 1 + e^-z equals e^-z and e^z is the more accurate value (no overflow).
        out = np.exp(np.negative(z))
        np.add(out, 1.0, out=out)
        np.divide(1.0, out, out=out)
        low = z < _SIGMOID_EXP
        if low.any():
            out[low] = np.exp(z[low])
    return _finish(out.reshape(arr.shape), arr.dtype, arr.shape)


def log_sigmoid(x: ArrayLike) -> NDArray[np.floating[Any]]:
    r"""Logarithm of the sigmoid, :math:`\log\sigma(x) = -\operatorname{softplus}(-x)`.

    Parameters
    ----------
    x : array_like
        Real numbers; see :func:`softmax` for accepted types and dtypes.

    Returns
    -------
    ndarray
        Values :math:`\le 0` with the shape and floating dtype of `x`.

    Raises
    ------
    TypeError
        If `x` is not real.

    See Also
    --------
    sigmoid, log_softmax

    Notes
    -----
    Computed as :math:`\min(x, 0) - \operatorname{log1p}(e^{-|x|})`, which is
    exact in the tails: for large negative :math:`x` it returns about
    :math:`x` instead of ``log(0) = -inf``, and for large positive :math:`x`
    it returns :math:`-e^{-x}` instead of 0.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import log_sigmoid
    >>> log_sigmoid([-1000.0, 0.0, 40.0])
    array([-1.00000000e+03, -6.93147181e-01, -4.24835426e-18])
    >>> with np.errstate(over="ignore", divide="ignore"):
    ...     float(np.log(1 / (1 + np.exp(1000.0))))   # the naive way
    -inf
    """
    arr = as_float_array(x, "log_sigmoid")
    dtype = arr.dtype
    work = arr.astype(_work_dtype(dtype), copy=False)
    with np.errstate(all="ignore"):
        out = np.minimum(work, 0.0) - np.log1p(np.exp(-np.abs(work)))
    return _finish(out, dtype, arr.shape)


def naive_softmax(
    x: ArrayLike, axis: int | tuple[int, ...] | None = -1
) -> NDArray[np.floating[Any]]:
    r"""The textbook formula :math:`e^{x_i} / \sum_j e^{x_j}`, without the shift.

    **Kept on purpose so that the book can show it failing. Do not use it.**
    It overflows to ``inf`` (and then ``inf / inf = nan``) once an entry
    exceeds the log of the largest float (about 709.78 in float64, 88.72 in
    float32 and 11.09 in float16), and divides by zero when every entry is
    very negative. It computes in the input's own precision, so float16
    fails at scores as small as 12. numpy's floating-point warnings are left
    on so that the failure is visible.

    Parameters
    ----------
    x : array_like
        Real scores; see :func:`softmax` for accepted types and dtypes.
    axis : int, tuple of ints or None, optional
        Axis or axes to normalise over; ``None`` means all. Default ``-1``.

    Returns
    -------
    ndarray
        What the formula gives in floating point, NaN included.

    Raises
    ------
    TypeError
        If `x` or `axis` has the wrong type.
    ValueError
        If `axis` is out of range or repeated.

    See Also
    --------
    softmax : The correct computation.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib import naive_softmax, softmax
    >>> naive_softmax([2.0, 1.0, 0.5])        # fine for small scores
    array([0.62853172, 0.2312239 , 0.14024438])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     naive_softmax([1000.0, 0.0, 0.0])
    array([nan,  0.,  0.])
    >>> with np.errstate(under="ignore", invalid="ignore"):
    ...     naive_softmax([-1000.0, -1000.0])
    array([nan, nan])
    >>> softmax([-1000.0, -1000.0])
    array([0.5, 0.5])
    """
    func = "naive_softmax"
    arr, dtype, shape, axes = _prepare(x, axis, func)
    if is_ml_float(dtype):  # bfloat16 has the exponent range of float32
        arr = arr.astype(np.float32)
    e = np.exp(arr)
    out = e / np.sum(e, axis=axes, keepdims=True)
    return _finish(out, dtype, shape)
