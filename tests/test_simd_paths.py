"""The screens do not depend on the CPU's SIMD path (issue 20).

NumPy picks its loops at import time from the CPU's features (AVX-512 here, AVX2 on many
machines), and OpenBLAS picks its kernels the same way; the two paths can round the same
sum differently in the last bits.  No screen may show that difference: every snapshot test
must pass on both.  A machine has only one best path, so this test runs the snapshot tests
again, in a child pytest, on the path one step down — NumPy's dispatch limited with
``NPY_DISABLE_CPU_FEATURES`` and OpenBLAS's kernels chosen with ``OPENBLAS_CORETYPE`` — and
checks first that the child really ran there.  On an AVX-512 machine that is what an AVX2
machine runs (``X86_V3``, OpenBLAS ``Haswell``); on an AVX2 machine, the SSE4 baseline.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: the tests that pin what a screen shows (each compares the screen with a stored SVG)
SNAPSHOT_TESTS = [
    "tests/test_snapshots.py",
    "tests/test_digits_app.py::test_digits_screen",
    "tests/test_digits_app.py::test_digits_large_neuron_and_confusion",
    "tests/test_lesson_app.py::test_lesson_chapter_snapshot",
]

#: the child's NumPy features, as JSON
FEATURES = ("import json; from numpy._core._multiarray_umath import __cpu_features__ as f; "
            "print(json.dumps(f))")

#: NumPy's dispatch groups from the best down, each with what to disable to run below it and
#: the OpenBLAS kernels of the path below (the newest x86 level that path has)
LEVELS = [
    ("X86_V4", "X86_V4 AVX512_ICL AVX512_SPR", "Haswell"),
    ("X86_V3", "X86_V3 X86_V4 AVX512_ICL AVX512_SPR", "Nehalem"),
]


def _features(env: dict | None = None) -> dict[str, bool]:
    out = subprocess.run([sys.executable, "-c", FEATURES], env=env, capture_output=True,
                         text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def lower_path() -> tuple[str, dict[str, str]] | None:
    """(the level given up, the environment that runs one level below this machine's best),
    or None where there is nothing below to try (not x86-64, or already the baseline)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return None
    found = _features()
    for level, disable, coretype in LEVELS:
        if found.get(level):
            return level, {"NPY_DISABLE_CPU_FEATURES": disable, "OPENBLAS_CORETYPE": coretype}
    return None


@pytest.mark.slow
def test_snapshots_pass_one_simd_level_down():
    lower = lower_path()
    if lower is None:
        pytest.skip("no lower SIMD path to try on this machine")
    level, extra = lower
    env = dict(os.environ, **extra)
    assert not _features(env).get(level), f"NumPy still dispatched {level}: the test ran nothing new"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
         "-o", "addopts=", *SNAPSHOT_TESTS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        f"the snapshot tests fail without {level} ({extra}):\n{result.stdout[-4000:]}")
    assert " passed" in result.stdout and " failed" not in result.stdout
