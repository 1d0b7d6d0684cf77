"""What the servers under test use, read from /proc: CPU time and memory."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import List, Optional, Sequence

from harness.servers import children

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def meminfo_total_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def status_kib(pid: int, key: str) -> Optional[int]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def process_cpu_s(pid: int) -> float:
    """utime + stime of one process, seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy_s() -> float:
    """CPU seconds spent busy by the whole machine since boot (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


def descendants(pid: int) -> List[int]:
    """Every process below `pid` (supervisord's programs and their workers)."""
    found = children(pid)
    return found + [q for p in found for q in descendants(p)]


class CpuMeter:
    """CPU used by the servers under test, and by everything else on the machine (the load
    generator, i.e. this process, is counted separately), over one measurement."""

    def __init__(self, pids: Sequence[int]):
        self.pids = [q for p in pids for q in (p, *descendants(p))]  # Rasa's worker processes too

    def __enter__(self) -> "CpuMeter":
        self.t0 = time.monotonic()
        self.busy0 = machine_busy_s()
        self.servers0 = sum(process_cpu_s(p) for p in self.pids)
        self.self0 = process_cpu_s(os.getpid())
        return self

    def __exit__(self, *exc) -> None:
        elapsed = time.monotonic() - self.t0
        servers = sum(process_cpu_s(p) for p in self.pids) - self.servers0
        own = process_cpu_s(os.getpid()) - self.self0
        busy = machine_busy_s() - self.busy0
        self.server_cores = servers / elapsed
        self.loadgen_cores = own / elapsed
        self.other_cores = max(0.0, busy - servers - own) / elapsed
