"""What every benchmark prints first: the machine, the load on it, and the code measured."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from pathlib import Path


def machine(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    return [
        ("cores", f"{os.cpu_count()} (usable: {len(os.sched_getaffinity(0))})"),
        ("cpu", cpu),
        ("python", platform.python_version()),
        ("sqlite", sqlite3.sqlite_version),
        *extra,
        ("load average at start", " ".join(f"{x:.2f}" for x in os.getloadavg())),
        ("code", code_version()),
    ]


def code_version() -> str:
    """The commit measured, flagged when src/ differs from it (figures belong to a version)."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "--short", "HEAD").strip()
        dirty = git("status", "--porcelain", "--", "src").strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} + uncommitted changes in src/" if dirty else commit
