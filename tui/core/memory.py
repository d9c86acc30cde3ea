"""How much memory this process may really use: the least of physical memory, the cgroup's
limit (what a container or ``systemd-run -p MemoryMax`` allows, less what the group already
uses) and the address-space limit (``ulimit -v`` / ``prlimit --as``, less what is already
mapped).  A budget checked against RAM alone passes under a limit and then dies in NumPy's
allocator (``_ArrayMemoryError``) instead of saying why in one line.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: assumed where the machine's memory cannot be read
FALLBACK_BYTES = 8 * 1024 ** 3


@dataclass(frozen=True)
class Available:
    bytes: int
    source: str  #: "physical memory", "the cgroup memory limit" or "the address-space limit"


def physical_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return FALLBACK_BYTES


def _read_int(path: Path) -> int | None:
    """A number in a small kernel file; None when absent, ``max`` or unreadable."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def cgroup_free_bytes(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """What the cgroup still allows (v2 ``memory.max`` − ``memory.current``, or v1
    ``memory.limit_in_bytes`` − ``memory.usage_in_bytes``); None without a limit."""
    for limit_name, used_name in (("memory.max", "memory.current"),
                                  ("memory/memory.limit_in_bytes",
                                   "memory/memory.usage_in_bytes")):
        limit = _read_int(root / limit_name)
        if limit is not None and limit < 2**60:  # v1 writes "no limit" as a huge number
            return max(0, limit - (_read_int(root / used_name) or 0))
    return None


def address_space_free_bytes() -> int | None:
    """What ``RLIMIT_AS`` still allows this process to map; None without a limit."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError):
        return None
    if soft == resource.RLIM_INFINITY:
        return None
    mapped = 0
    try:  # /proc/self/statm: size in pages first
        mapped = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    return max(0, soft - mapped)


def available(cgroup_root: Path = Path("/sys/fs/cgroup")) -> Available:
    """The tightest of the three limits, and which it is."""
    found = [Available(physical_bytes(), "physical memory")]
    cg = cgroup_free_bytes(cgroup_root)
    if cg is not None:
        found.append(Available(cg, "the cgroup memory limit"))
    vm = address_space_free_bytes()
    if vm is not None:
        found.append(Available(vm, "the address-space limit"))
    return min(found, key=lambda a: a.bytes)
