"""The float64 rows beyond softmax_lib's accuracy targets, counted.

Reproduces the counts that the notes of ``softmax_lib/_core.py``, the library README
and the CHANGELOG give for ordinary rows, rows of equal logits and of small integers,
entries stepped through a tie with the maximum, and near ties (mpmath references from
``softmax_lib.testing``); the rows built against the sum are in
``tests/test_accuracy.py``::

    python benchmarks/float64_limits.py            # about three minutes on one core

Targets: softmax and log_softmax within 3 ulp, logsumexp within 2, in float64. Some
counts depend on the last bit of numpy's exponential, which differs between CPUs with
and without AVX-512 (``python tools/no_avx512.py python benchmarks/float64_limits.py``
runs it with the AVX-512 kernels switched off).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.special as sps

from softmax_lib import log_softmax, logsumexp, softmax
from softmax_lib.testing import reference_softmax, ulp_error

EPS = float(np.finfo(np.float64).eps)


def worst_ulps(values: np.ndarray, refs: object) -> float:
    return max(ulp_error(float(v), r, np.float64) for v, r in zip(values, refs, strict=True))


def softmax_error(x: np.ndarray, temperature: float = 1.0) -> float:
    """The largest error of softmax on the row `x`, in ulps of float64."""
    ref_p, _, _ = reference_softmax(x, temperature)
    return worst_ulps(softmax(x, temperature=temperature), ref_p)


def normal_rows(n: int, rows: int) -> None:
    """Rows of standard-normal logits (seed 0): softmax_lib and scipy."""
    x = np.random.default_rng(0).standard_normal((rows, n))
    refs = [reference_softmax(row) for row in x]
    p, logp, lse = softmax(x), log_softmax(x), logsumexp(x)
    p_sp = sps.softmax(x, axis=-1)
    e = np.array([worst_ulps(p[r], refs[r][0]) for r in range(rows)])
    e_sp = np.array([worst_ulps(p_sp[r], refs[r][0]) for r in range(rows)])
    e_log = max(worst_ulps(logp[r], refs[r][1]) for r in range(rows))
    e_lse = max(ulp_error(float(lse[r]), refs[r][2], np.float64) for r in range(rows))
    sums = np.array([abs(math.fsum(row) - 1.0) / EPS for row in p])
    print(
        f"{rows} rows of {n}: softmax beyond 3 ulp on {(e > 3).sum()} rows (worst {e.max():.0f});"
        f" scipy on {(e_sp > 3).sum()} (worst {e_sp.max():.0f}); log_softmax worst"
        f" {e_log:.0f}, logsumexp worst {e_lse:.0f}; sums beyond 1 eps: {(sums > 1).sum()}"
        f" (worst {sums.max():.2f} eps)"
    )


def equal_rows() -> None:
    """Rows of many equal logits."""
    rows = {
        "[1.0] * 69": [1.0] * 69,
        "86 copies of -0x1.04c28337026fcp+0": [float.fromhex("-0x1.04c28337026fcp+0")] * 86,
        "119 copies of -0x1.9178868c95974p+0": [float.fromhex("-0x1.9178868c95974p+0")] * 119,
        "[1.5] + [1.0] * 62": [1.5] + [1.0] * 62,
    }
    for name, row in rows.items():
        x = np.array(row)
        ref_p, _, _ = reference_softmax(x)
        p, p_sp = softmax(x), sps.softmax(x)
        print(
            f"softmax({name}): {worst_ulps(p, ref_p):.0f} ulp (scipy"
            f" {worst_ulps(p_sp, ref_p):.0f}), sum {abs(math.fsum(p) - 1) / EPS:.1f} eps from 1"
        )


def equal_row_families(count: int = 1500) -> None:
    """Random rows of equal logits: constant, tied at the maximum, below a larger one;
    temperatures 1, 1/2 and 2, offsets up to 1000."""
    rng = np.random.default_rng(7)
    beyond = {"constant": [0, 0.0], "tied at the maximum": [0, 0.0], "below a larger": [0, 0.0]}
    for i in range(count):
        n = int(rng.integers(2, 130))
        kind = list(beyond)[i % 3]
        temperature = float(rng.choice([1.0, 0.5, 2.0]))
        if kind == "constant":
            x = np.full(n, rng.normal(0.0, 3.0))
        elif kind == "tied at the maximum":
            x = rng.normal(0.0, 2.0, n)
            x[rng.choice(n, int(rng.integers(2, n + 1)), replace=False)] = x.max() + 0.5
        else:
            x = np.full(n, rng.normal(0.0, 3.0))
            x[int(rng.integers(n))] += rng.uniform(0.1, 2.0)
        x = x + float(rng.choice([0.0, 0.0, 1000.0, -1000.0, 500.0]))
        err = softmax_error(x, temperature)
        beyond[kind][0] += err > 3
        beyond[kind][1] = max(beyond[kind][1], err)
    for kind, (over, worst) in beyond.items():
        print(f"equal logits, {kind}: {over} of {count // 3} rows beyond 3 ulp (worst {worst:.0f})")


def small_integer_rows(count: int = 500) -> None:
    """Rows of 20 to 129 integers in {0, 1, 2}."""
    rng = np.random.default_rng(5)
    over, worst = 0, 0.0
    for _ in range(count):
        err = softmax_error(rng.integers(0, 3, int(rng.integers(20, 130))).astype(float))
        over += err > 3
        worst = max(worst, err)
    print(f"small integers: {over} of {count} rows beyond 3 ulp (worst {worst:.0f})")


def small_integers_near_tie(count: int = 1000) -> None:
    """Rows of small integers with one entry one float below the maximum, T = 1, 1/2, 2."""
    rng = np.random.default_rng(1)
    over, worst = 0, 0.0
    for _ in range(count):
        x = rng.integers(0, 3, int(rng.integers(3, 120))).astype(float)
        j = int(np.argmax(x))
        x[(j + 1) % x.size] = np.nextafter(x[j], -np.inf)
        err = softmax_error(x, float(rng.choice([1.0, 0.5, 2.0])))
        over += err > 3
        worst = max(worst, err)
    print(f"small integers with a near tie: {over} of {count} rows beyond 3 ulp"
          f" (worst {worst:.0f})")


def tie_steps(count: int = 2000) -> None:
    """An entry next to the maximum stepped float by float from 8 floats below it to the
    maximum, then one float above: how often, and by how much, does its probability fall?
    """
    rng = np.random.default_rng(3)
    for family in ("normal", "small integers", "constant and one larger"):
        for temperature in (1.0, 0.5, 2.0):
            rows_up, rows_above, worst = 0, 0, 0.0
            for _ in range(count):
                n = int(rng.integers(3, 40))
                if family == "normal":
                    x = rng.normal(0.0, 2.0, n)
                elif family == "small integers":
                    x = rng.integers(0, 3, n).astype(float)
                else:
                    x = np.full(n, rng.normal(0.0, 2.0))
                    x[0] += 1.0
                j = int(np.argmax(x))
                k = (j + 1) % n if rng.random() < 0.5 else (j - 1) % n
                values = [x[j]]
                for _ in range(8):
                    values.insert(0, np.nextafter(values[0], -np.inf))
                values.append(np.nextafter(x[j], np.inf))
                steps = []
                for value in values:
                    y = x.copy()
                    y[k] = value
                    steps.append(softmax(y, temperature=temperature)[k])
                pairs = zip(steps[:8], steps[1:9], strict=True)
                falls = [(a - b) / np.spacing(b) for a, b in pairs]
                rows_up += max(falls) > 0
                rows_above += steps[9] < steps[8]
                worst = max(worst, float(max(falls)))
            print(f"tie steps, {family}, T = {temperature}: rows that fall on the 8 steps up"
                  f" to the tie {rows_up} of {count} (by at most {worst:.0f} ulp); on the step"
                  f" from the tie {rows_above}")


def near_tie_order(count: int = 20_000) -> None:
    """Rows whose second largest logit is one float below the largest: order of softmax."""
    rng = np.random.default_rng(11)
    below, worst = 0, 0.0
    for _ in range(count):
        x = rng.normal(0.0, 2.0, int(rng.integers(2, 12)))
        j = int(np.argmax(x))
        k = (j + 1) % x.size
        x[k] = np.nextafter(x[j], -np.inf)
        p = softmax(x)
        if p[j] < p[k]:
            below += 1
            worst = max(worst, float((p[k] - p[j]) / np.spacing(p[k])))
    print(f"near ties: the largest entry below the next on {below} of {count} rows, by at most"
          f" {worst:.0f} ulp")


if __name__ == "__main__":
    normal_rows(100, 1000)
    normal_rows(30, 1000)
    normal_rows(1000, 200)
    normal_rows(10, 2000)
    equal_rows()
    equal_row_families()
    small_integer_rows()
    small_integers_near_tie()
    tie_steps()
    near_tie_order()
