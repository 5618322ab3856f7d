"""Run a command and write its peak RSS (KiB) to a file: `python -m bench.peak_rss OUT CMD...`.

Why a launcher: a child started straight from the benchmark process is made with vfork (or
fork), and Linux counts the parent's resident memory at that moment in the child's peak
RSS, so a benchmark holding a large log in memory would see its own size reported as the
command's. Started from this small, fresh process, the command's peak is its own (plus at
most this launcher's few MiB). Its output and exit status pass through unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys


def main(argv: list[str]) -> int:
    out, command = argv[0], argv[1:]
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    with open(out, "w") as f:
        f.write(str(usage.ru_maxrss))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
