"""``--engine spark``'s driver: a small JVM that fails fast, with a message naming its memory."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from staticrec.errors import ConfigError
from staticrec.pipeline.run import BuildConfig, run
from staticrec.pipeline.spark_config import ENGINE_DRIVER_CONF, SparkEngine, SparkTraining

pytest.importorskip("pyspark")

SRC = Path(__file__).resolve().parents[2] / "src"


def test_the_engine_starts_a_fail_fast_driver_that_spark_conf_overrides(tmp_path, monkeypatch):
    from staticrec.pipeline import collab_spark

    given: dict = {}

    @contextmanager
    def session(master, progress=False, conf=None):
        given.update(conf)
        raise RuntimeError("no Spark here")
        yield

    monkeypatch.setattr(collab_spark, "session", session)
    conf = {"spark.driver.memory": "512m", "spark.ui.enabled": "true"}
    config = BuildConfig(
        data_dir=tmp_path, site=None, spark=SparkTraining(conf=conf), engine=SparkEngine()
    )
    with pytest.raises(RuntimeError, match="no Spark here"):
        run(config)
    assert "-XX:+ExitOnOutOfMemoryError" in given["spark.driver.extraJavaOptions"]
    assert given["spark.driver.memory"] == "512m"
    assert given["spark.ui.enabled"] == "true"  # --spark-conf wins
    assert (
        given["spark.sql.ui.retainedExecutions"]
        == ENGINE_DRIVER_CONF["spark.sql.ui.retainedExecutions"]
    )


def test_a_scratch_that_is_no_folder_is_refused_before_spark_starts(tmp_path):
    missing = tmp_path / "shared"
    config = BuildConfig(
        data_dir=tmp_path,
        site=None,
        spark=SparkTraining(),
        engine=SparkEngine(scratch=str(missing)),
    )
    with pytest.raises(ConfigError, match="is not a folder") as caught:
        run(config)
    assert caught.value.field == "scratch" and str(missing) in str(caught.value)


OUT_OF_MEMORY = """
from staticrec.pipeline import collab_spark
from staticrec.pipeline.spark_config import ENGINE_DRIVER_CONF

conf = {**ENGINE_DRIVER_CONF, "spark.driver.memory": "512m"}
with collab_spark.session("local[1]", conf=conf) as spark:
    spark._jvm.java.nio.ByteBuffer.allocate(900 << 20)  # more than the driver's whole heap
"""


@pytest.mark.slow
def test_a_driver_out_of_memory_fails_the_build_naming_its_memory():
    """Without -XX:+ExitOnOutOfMemoryError the JVM lives on (and a build whose result thread
    died hangs); with it, the JVM exits and the build says why."""
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", OUT_OF_MEMORY], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode != 0
    assert "ConfigError" in done.stderr
    assert "driver JVM ran out of memory (spark.driver.memory 512m)" in done.stderr
    assert "--spark-conf spark.driver.memory=" in done.stderr
