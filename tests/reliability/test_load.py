"""Load: threads sharing one client against the simulator lose nothing, mix nothing up and strand no lock.

The suite runs 8 threads x 150 calls (1,200 calls, about two seconds) to stay fast; the issue's
8 x 500 and longer runs are ``python benchmarks/soak.py --calls 500`` (or more), same workload.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SOAK_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"


def load_soak() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pyfmg_soak", SOAK_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_eight_threads_share_one_client_without_loss_mismatch_or_stranded_lock() -> None:
    result = load_soak().soak(threads=8, calls_per_thread=150)
    assert result.calls == 1200
    assert (result.errors, result.mismatches, result.lost, result.stranded_locks) == (0, 0, 0, []), result.samples


def test_transient_read_faults_under_load_are_absorbed_by_the_retry_policy() -> None:
    result = load_soak().soak(threads=8, calls_per_thread=60, faults=True)
    assert result.calls == 480 and result.faults >= 1
    assert (result.errors, result.mismatches, result.lost, result.stranded_locks) == (0, 0, 0, []), result.samples
