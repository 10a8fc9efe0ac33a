"""A Spark standalone cluster on this machine, from pyspark's own jars: one master and workers of
one core each, every process on 127.0.0.1, for the tests and the benchmarks.

Spark's launcher (which a worker runs to start each executor) expects a Spark distribution, so a
throwaway ``SPARK_HOME`` holds a link to pyspark's ``jars/`` and an empty ``RELEASE`` file;
``SPARK_SCALA_VERSION`` spares it looking for build folders it would not find.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StandaloneCluster:
    """A master and ``workers`` workers (``cores`` cores, ``memory`` for executors, each),
    started by ``start`` and stopped, with their folders removed, by ``stop``."""

    def __init__(self, folder: Path, workers: int = 2, cores: int = 1, memory: str = "1g"):
        self.folder, self.workers, self.cores, self.memory = folder, workers, cores, memory
        self.port, self.ui_port = free_port(), free_port()
        self.processes: list[subprocess.Popen] = []

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def driver_env(self) -> dict[str, str]:
        """The environment of a driver process that joins the cluster (pyspark finds its own
        spark-submit: no SPARK_HOME)."""
        env = {key: value for key, value in os.environ.items() if key != "SPARK_HOME"}
        return {
            **env,
            "SPARK_LOCAL_IP": "127.0.0.1",
            "PYSPARK_PYTHON": sys.executable,
            # executors' Python workers import this checkout's staticrec, not an installed one
            "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
        }

    def env(self) -> dict[str, str]:
        """The environment of the cluster's own processes (and so of their executors)."""
        import pyspark

        home = self.folder / "spark-home"
        if not home.exists():
            home.mkdir(parents=True)
            (home / "jars").symlink_to(Path(pyspark.__file__).parent / "jars")
            (home / "RELEASE").write_text("")
        return {**self.driver_env(), "SPARK_HOME": str(home), "SPARK_SCALA_VERSION": "2.13"}

    def _java(self, main: str, *args: str, log: str) -> None:
        env = self.env()
        command = ["java", "-Xmx256m", "-cp", f"{env['SPARK_HOME']}/jars/*", main, *args]
        with open(self.folder / log, "wb") as out:
            self.processes.append(
                subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
            )

    def start(self, timeout: float = 60.0) -> StandaloneCluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._java(
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(self.port), "--webui-port", str(self.ui_port)),
            log="master.log",
        )
        for number in range(self.workers):
            work = self.folder / f"worker-{number}"
            self._java(
                "org.apache.spark.deploy.worker.Worker",
                *("--host", "127.0.0.1", "--cores", str(self.cores), "--memory", self.memory),
                *("--webui-port", "0", "--work-dir", str(work), self.url),
                log=f"worker-{number}.log",
            )
        deadline = time.monotonic() + timeout
        while self.alive_workers() < self.workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                self.stop()
                raise RuntimeError(f"the Spark cluster did not start: see {self.folder}/*.log")
            time.sleep(0.5)
        return self

    def alive_workers(self) -> int:
        """Workers registered with the master, from its web UI's JSON (0 while it starts)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=2) as r:
                state = json.load(r)
        except OSError:
            return 0
        return sum(1 for worker in state.get("workers", []) if worker.get("state") == "ALIVE")

    def session_conf(self) -> dict[str, str]:
        """Spark properties for a driver on this cluster: one executor per worker, modest heaps."""
        return {
            "spark.executor.memory": "768m",
            "spark.executor.cores": str(self.cores),
            "spark.cores.max": str(self.cores * self.workers),
            "spark.driver.memory": "768m",
            "spark.driver.host": "127.0.0.1",
        }

    def stop(self) -> None:
        """Stop the workers, then the master, and remove the cluster's folder."""
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def cluster_build(cluster, data_dir: Path, out: Path, *options: str) -> Path:
    """``staticrec build --engine spark`` of ``data_dir`` into ``out`` (artifacts/, site/) in its
    own process (one Spark driver per process), every stage the size of the ratings done on
    ``cluster``."""
    from builds import PYODIDE_CACHE

    conf = [f"--spark-conf={key}={value}" for key, value in cluster.session_conf().items()]
    command = [sys.executable, "-m", "staticrec", "build", "--quiet", "--data-dir", str(data_dir)]
    command += ["--artifacts-dir", str(out / "artifacts"), "--site-dir", str(out / "site")]
    command += ["--pyodide-cache", str(PYODIDE_CACHE), "--engine", "spark"]
    command += ["--spark-master", cluster.url, *conf, *options]
    done = subprocess.run(command, env=cluster.driver_env(), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"the build on {cluster.url} failed:\n{done.stderr[-4000:]}")
    return out
