"""Run a command with numpy's AVX-512 kernels switched off.

Usage::

    python tools/no_avx512.py COMMAND [ARG ...]

numpy picks SIMD kernels at run time, and its AVX-512 kernels for ``exp`` and
friends round differently in the last bit from the AVX2 ones. Stored notebook
outputs must not depend on that, so the test command runs the notebooks a second
time with the AVX-512 targets disabled through ``NPY_DISABLE_CPU_FEATURES``.
Only targets that this numpy dispatches to and this CPU supports are listed
(numpy refuses to disable anything else). On a CPU without AVX-512 the command
simply runs as usual: it then already exercises the non-AVX-512 kernels.
"""

from __future__ import annotations

import os
import sys


def avx512_targets() -> list[str]:
    """Dispatch targets of this numpy build that use AVX-512 and that this CPU has."""
    from numpy._core import _multiarray_umath as umath

    features = umath.__cpu_features__
    return [
        name
        for name in umath.__cpu_dispatch__
        if (name.startswith("AVX512") or name == "X86_V4") and features.get(name, False)
    ]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    targets = avx512_targets()
    env = dict(os.environ)
    if targets:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(targets)
        print(
            f"no_avx512: NPY_DISABLE_CPU_FEATURES={env['NPY_DISABLE_CPU_FEATURES']!r}", flush=True
        )
    else:
        print("no_avx512: this CPU/numpy has no AVX-512 kernels; running as usual", flush=True)
    os.execvpe(argv[0], argv, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
