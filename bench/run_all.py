"""Run every benchmark script in bench/ (`*_bench.py`), one after another (`make bench`).

Each script prints its own table and exits non-zero when it misses a target; this runner
reports which did and exits non-zero if any did. Scripts run one at a time: on a small
machine two benchmarks at once would measure each other.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("*_bench.py"))
    if argv:
        scripts = [s for s in scripts if any(name in s.name for name in argv)]
    failed = []
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"=== {script.name}: exit {code} after {time.perf_counter() - t0:.0f} s\n", flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print("missed targets or failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
