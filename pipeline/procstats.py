"""Memory figures of this process, for the run summary and the benchmark."""
from __future__ import annotations

import os
import resource
from pathlib import Path


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0      # kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def peak_rss_mb() -> float:
    """Peak resident memory of this process. Linux's VmHWM, not getrusage's ru_maxrss: a
    spawned worker inherits ru_maxrss from its parent (fork, then exec), so a worker of a
    big parent would report the parent's size."""
    hwm = _status_mb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def resident_mb() -> float:
    """Resident memory of this process now."""
    rss = _status_mb("VmRSS")
    if rss is not None:
        return rss
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def private_mb() -> float | None:
    """Memory of this process that no other process shares (Private_Clean + Private_Dirty):
    what a forked worker adds to the machine, the models it shares with its parent aside."""
    try:
        total = 0
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
        return total / 1024.0
    except (OSError, ValueError, IndexError):
        return None
