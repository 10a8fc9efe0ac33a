"""The two trainers side by side, in one run: Surprise's SVD (one core) and Spark's baseline + ALS
(``local[2]`` by default), each with the build's default parameters, on the same ratings.

    python benchmarks/bench_spark.py [--scales small,1m,10m] [--master local[2]]
        [--driver-memory 1g] [--work DIR]

"small" is the real ml-latest-small; the others are the MovieLens-shaped datasets of
bench_scale (generated from seed 0, kept under --work). Each trainer runs in a fresh process
that reads the ratings and trains on all of them, as the build's final training does. Reported:
wall seconds of the whole process (Spark's includes starting its JVM), the seconds of reading
and of training, and the peak resident memory of the process tree (for Spark, Python and its
JVM together), sampled every 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from _common import REPO, table
from bench_scale import dataset

SCALE = (0.5, 5.0)


def surprise_worker(data: Path) -> dict:
    import pandas as pd

    from staticrec.pipeline import collab

    start = time.perf_counter()
    ratings = pd.read_csv(data / "ratings.csv", usecols=["userId", "movieId", "rating"])
    read = time.perf_counter() - start
    factors = collab.export_factors(collab.train_svd(ratings, SCALE, collab.SVDParams()))
    return {
        "read": read,
        "train": time.perf_counter() - start - read,
        "users": len(factors.user_ids),
    }


def spark_worker(data: Path, master: str, driver_memory: str) -> dict:
    from staticrec.pipeline import collab_spark

    start = time.perf_counter()
    with collab_spark.session(master, conf={"spark.driver.memory": driver_memory}) as spark:
        booted = time.perf_counter()
        ratings = collab_spark.read_ratings(
            spark, str(data / "ratings.csv"), collab_spark.Columns(), SCALE
        )  # checked in one pass, which fills the cache training reads
        read = time.perf_counter() - booted
        model = collab_spark.train(ratings, collab_spark.ALSParams())
        factors = collab_spark.export_factors(model)
        trained = time.perf_counter() - booted - read
    return {
        "start": booted - start,
        "read": read,
        "train": trained,
        "users": len(factors.user_ids),
    }


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and every process below it, in MB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(x for x in status.splitlines() if x.startswith("VmRSS")).split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue  # gone between two reads, or a zombie without memory
    return total / 1024


def measure(command: list[str]) -> tuple[float, float, dict]:
    """(wall seconds, peak tree MB, the worker's JSON) of one worker process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.2)
    wall = time.perf_counter() - start
    out = process.stdout.read().decode()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode})")
    return wall, peak, json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="small,1m,10m")
    parser.add_argument("--master", default="local[2]", help="Spark master (default: %(default)s)")
    parser.add_argument(
        "--driver-memory", default="1g", help="Spark's heap (local mode) (default: %(default)s)"
    )
    parser.add_argument("--work", type=Path, default=REPO / "build" / "bench-scale")
    parser.add_argument("--worker", choices=("surprise", "spark"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:  # one trainer in this process: print its figures as JSON
        if args.worker == "surprise":
            print(json.dumps(surprise_worker(args.data)))
        else:
            print(json.dumps(spark_worker(args.data, args.master, args.driver_memory)))
        return

    rows = []
    for scale in args.scales.split(","):
        data = dataset(scale, args.work)
        base = [sys.executable, __file__, "--data", str(data), "--master", args.master]
        base += ["--driver-memory", args.driver_memory]
        measured = {name: measure([*base, "--worker", name]) for name in ("surprise", "spark")}
        (s_wall, s_peak, s), (k_wall, k_peak, k) = measured["surprise"], measured["spark"]
        assert s["users"] == k["users"]  # the same ratings, every user trained
        rows.append(
            (
                scale,
                f"{s_wall:.0f} s (train {s['train']:.0f})",
                f"{s_peak / 1024:.2f} GB",
                f"{k_wall:.0f} s (JVM {k['start']:.0f}, read {k['read']:.0f}, "
                f"train {k['train']:.0f})",
                f"{k_peak / 1024:.2f} GB",
                f"{s_wall / k_wall:.2f}x",
            )
        )
        print(f"{scale}: surprise {s_wall:.0f} s, spark {k_wall:.0f} s", flush=True)
    print()
    table(
        rows,
        (
            "ratings",
            "Surprise SVD (1 core)",
            "peak",
            f"Spark ALS ({args.master}, heap {args.driver_memory})",
            "peak (Python + JVM)",
            "Spark's speed-up",
        ),
    )


if __name__ == "__main__":
    main()
