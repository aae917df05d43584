"""Time blockwise (FlashAttention-style) attention in numpy against the plain formula.

Prints, for N queries and keys with head dimension d, the best time per call of each
function divided by that of the plain max-shifted formula (below 1 = faster than plain).
The functions are timed alternately (interleaved), and the whole comparison is repeated,
so that the spread of the ratios shows how much the machine's load moves them. Timings
are never stored in the book; Chapter 8 only describes their direction.

    python benchmarks/bench_attention.py                  # N = 1024, d = 32
    python benchmarks/bench_attention.py --n 2048 --d 64 --repeats 5

Pin BLAS to one thread for stable numbers, e.g. ``OPENBLAS_NUM_THREADS=1``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from softmax_lib import attention, flash_attention_forward


def plain(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The textbook formula with a max shift, in float64."""
    s = q @ k.T / np.sqrt(q.shape[1])
    p = np.exp(s - s.max(axis=1, keepdims=True))
    return (p / p.sum(axis=1, keepdims=True)) @ v


def best_times(funcs: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Best time per call of each function over `rounds` interleaved rounds."""
    best = {name: float("inf") for name in funcs}
    for _ in range(rounds):
        for name, f in funcs.items():
            t0 = time.perf_counter()
            f()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1024, help="queries = keys (default 1024)")
    parser.add_argument("--d", type=int, default=32, help="head dimension (default 32)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the comparison")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(args.n, args.d)) for _ in range(3))
    funcs: dict[str, Callable[[], object]] = {"plain": lambda: plain(q, k, v)}
    funcs["attention"] = lambda: attention(q, k, v)
    for b in (16, 64, 256):
        funcs[f"flash, blocks {b}"] = (
            lambda b=b: flash_attention_forward(q, k, v, block_q=b, block_k=b))
    ref = plain(q, k, v)
    out = flash_attention_forward(q, k, v, block_q=64, block_k=64)[0]
    print(f"N = {args.n}, d = {args.d}; flash vs plain max |diff| = "
          f"{np.max(np.abs(out - ref)):.1e}")
    ratios: dict[str, list[float]] = {name: [] for name in funcs if name != "plain"}
    for r in range(args.repeats):
        best = best_times(funcs, args.rounds)
        print(f"repeat {r + 1}: plain {best['plain'] * 1e3:.2f} ms per call")
        for name in ratios:
            ratios[name].append(best[name] / best["plain"])
    print(f"{'function':18s} | time / plain (min - max over {args.repeats} repeats)")
    for name, rs in ratios.items():
        print(f"{name:18s} | {min(rs):5.2f} - {max(rs):5.2f}")


if __name__ == "__main__":
    main()
