"""Spark against one machine, in two measurements.

    python benchmarks/bench_spark.py [--scales small,1m,10m] [--modes single,trainer,engine]
        [--site] [--workers 2] [--executor-memory 768m] [--driver-memory 1g] [--work DIR]
    python benchmarks/bench_spark.py --trainers [--scales ...] [--master local[2]]

The whole build (the default): ``staticrec build --no-site`` (``--site``: with the site) in a
fresh process per dataset and mode: ``single`` (the single-machine build), ``trainer``
(``--trainer spark``: ALS on Spark, the rest on the driver) and ``engine`` (``--engine spark``:
every stage the size of the ratings on Spark). Spark's work runs on a standalone cluster this
script starts on 127.0.0.1 (a master and ``--workers`` one-core workers,
``tests/spark_cluster.py``), so the driver's memory is the driver's alone: the peak resident
memory of its process tree (Python and the driver's JVM) and of its Python alone, sampled every
0.2 s; the cluster's peak (master, workers, executors) is reported beside it.
Each engine build's user shards are compared with the single-machine build's, byte for byte.

``--trainers``: the two trainers alone, on the same ratings, each in a fresh process: Surprise's
SVD (one core) and Spark's baseline + ALS (``--master``, ``local[2]`` by default).

"small" is the real ml-latest-small; the others are the MovieLens-shaped datasets of
bench_scale (generated from seed 0, kept under --work).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from _common import REPO, table
from bench_scale import dataset

SCALE = (0.5, 5.0)
MODES = {
    "single": [],
    "trainer": ["--trainer", "spark"],
    "engine": ["--trainer", "spark", "--engine", "spark"],
}


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


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` alone, in MB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        return int(next(x for x in status.splitlines() if x.startswith("VmRSS")).split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return 0.0


def measure(
    command: list[str], env: dict | None = None, beside: list[int] = ()
) -> tuple[float, float, float, float, str]:
    """(wall seconds, peak MB of the command's tree, of the command's own process (the driver's
    Python, without its JVM), of the ``beside`` trees, its stdout) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = own = other = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        own = max(own, rss_mb(process.pid))
        other = max(other, sum(tree_rss_mb(pid) for pid in beside))
        time.sleep(0.2)
    wall = time.perf_counter() - start
    out, err = process.communicate()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-3000:]}")
    return wall, peak, own, other, out


def user_shards(artifacts: Path) -> dict[str, str]:
    files = json.loads((artifacts / "manifest.json").read_text())["files"]
    return {name: e["sha256"] for name, e in files.items() if name.startswith("user_ratings/")}


def whole_builds(args: argparse.Namespace) -> None:
    from spark_cluster import StandaloneCluster

    modes = args.modes.split(",")
    cluster = None
    if set(modes) - {"single"}:
        folder = args.work / "cluster"
        cluster = StandaloneCluster(folder, args.workers, 1, args.worker_memory).start()
    try:
        rows = []
        for scale in args.scales.split(","):
            data = dataset(scale, args.work)
            for mode in modes:
                out = args.work / f"out-{scale}-{mode}"
                command = [sys.executable, "-m", "staticrec", "build", "--quiet"]
                command += ["--data-dir", str(data), "--artifacts-dir", str(out / "artifacts")]
                command += ["--site-dir", str(out / "site")] if args.site else ["--no-site"]
                command += MODES[mode]
                env, beside = None, []
                if mode != "single":
                    conf = {
                        **cluster.session_conf(),
                        "spark.executor.memory": args.executor_memory,
                        "spark.driver.memory": args.driver_memory,
                    }
                    command += ["--spark-master", cluster.url]
                    command += [f"--spark-conf={k}={v}" for k, v in conf.items()]
                    env, beside = cluster.driver_env(), [p.pid for p in cluster.processes]
                wall, peak, own, other, printed = measure(command, env, beside)
                seconds = re.search(r"seconds\s+(.*)\(total", printed)
                same = ""
                if mode == "engine" and (args.work / f"out-{scale}-single").is_dir():
                    single = user_shards(args.work / f"out-{scale}-single" / "artifacts")
                    same = "yes" if single == user_shards(out / "artifacts") else "NO"
                rows.append(
                    (
                        scale,
                        mode,
                        f"{wall:.0f} s",
                        f"{peak / 1024:.2f} GB",
                        f"{own / 1024:.2f} GB",
                        f"{other / 1024:.2f} GB" if beside else "",
                        same,
                        seconds.group(1).strip() if seconds else "",
                    )
                )
                print(f"{scale} {mode}: {wall:.0f} s, driver {peak / 1024:.2f} GB", flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    print()
    header = ("ratings", "mode", "wall", "driver peak", "its Python", "cluster peak")
    header += ("shards same", "stages")
    table(rows, header)


def trainers(args: argparse.Namespace) -> None:
    rows = []
    for scale in args.scales.split(","):
        data = dataset(scale, args.work)
        base = [sys.executable, __file__, "--data", str(data), "--master", args.master]
        base += ["--driver-memory", args.driver_memory]
        measured = {}
        for name in ("surprise", "spark"):
            wall, peak, _, _, out = measure([*base, "--worker", name])
            measured[name] = wall, peak, json.loads(out.strip().splitlines()[-1])
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="small,1m,10m")
    parser.add_argument("--modes", default="single,trainer,engine")
    parser.add_argument("--trainers", action="store_true", help="the two trainers alone")
    parser.add_argument("--site", action="store_true", help="build the site too")
    parser.add_argument("--master", default="local[2]", help="--trainers' Spark master")
    parser.add_argument("--workers", type=int, default=2, help="the cluster's one-core workers")
    parser.add_argument("--worker-memory", default="2g", help="what each worker may hand out")
    parser.add_argument("--executor-memory", default="768m")
    parser.add_argument("--driver-memory", default="1g", help="the driver JVM's heap")
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
    os.environ.setdefault("PYTHONPATH", str(REPO / "src"))  # the builds run this checkout
    trainers(args) if args.trainers else whole_builds(args)


if __name__ == "__main__":
    main()
