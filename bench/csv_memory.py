"""Peak memory of loading a CSV, per MB of file: ``python bench/csv_memory.py 20 100 270``.

Each size (MB) gets a generated file of 10 numeric features (six decimals) and a text
label; a fresh Python process imports the engine, notes its resident set, reads the file
with ``engine.data.read_csv`` and reports its peak resident set above that baseline, and the
seconds the read took.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

FEATURES = 10
ROWS_PER_CHUNK = 20_000
CHILD = """
import os, resource, sys, time
from engine.data import read_csv
base = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024
began = time.perf_counter()
data = read_csv(sys.argv[1], "label")
seconds = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(data.m, (peak - base) / 1024, seconds)
"""


def write_csv(path: Path, megabytes: float, seed: int = 0) -> None:
    """About ``megabytes`` MB of rows: x1..x10 in [-100, 100) and a label of three classes."""
    rng = np.random.default_rng(seed)
    header = ",".join(f"x{i}" for i in range(1, FEATURES + 1)) + ",label\n"
    row_format = ",".join(["%.6f"] * FEATURES) + ",%s"
    with path.open("w") as f:
        f.write(header)
        while f.tell() < megabytes * 1e6:
            X = rng.uniform(-100, 100, (ROWS_PER_CHUNK, FEATURES))
            labels = rng.choice(np.array(["setosa", "versicolor", "virginica"]), ROWS_PER_CHUNK)
            table = np.column_stack([X.astype(object), labels])
            np.savetxt(f, table, fmt=row_format)


def measure(megabytes: float, folder: Path) -> tuple[float, int, float, float]:
    """(file MB, rows, peak MB above the process's baseline, seconds) for one generated file."""
    path = folder / f"{megabytes:g}MB.csv"
    write_csv(path, megabytes)
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                         text=True, check=True).stdout.split()  # fmt: skip
    path_mb = path.stat().st_size / 1e6
    path.unlink()
    return path_mb, int(out[0]), float(out[1]) * 1.048576, float(out[2])


def main(sizes: list[float]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for megabytes in sizes:
            file_mb, rows, peak, seconds = measure(megabytes, Path(folder))
            print(f"{file_mb:7.1f} MB, {rows:>9,} rows: peak {peak:7.1f} MB, "
                  f"{peak / file_mb:.2f} MB per MB of CSV, read in {seconds:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [20, 100, 270])
