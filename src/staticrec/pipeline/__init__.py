"""The build: from a ratings dataset to the artifacts the site reads, stage by stage.

The stages, in the order the data flows (``run`` runs them; each module says its number):

1. data: ``download`` fetches a MovieLens release once; ``data`` reads and validates it,
   ``data_files`` reads your own ratings (and items) files into the same tables;
   ``synthetic`` writes MovieLens-shaped files from a seed, for scale tests.
2. content index: ``content``, TF-IDF over genres (and tags, or the tag genome), kept as each
   movie's top-k cosine neighbours (``neighbors``: the sparse rows both indexes share).
3. item index: ``collab_index``, EASE on who rated what, its strongest weights kept.
4. factors: ``collab``, scikit-surprise SVD (``tuning`` chooses its parameters by
   cross-validation), or ``collab_spark``, Spark MLlib's ALS after a bias baseline
   (``spark_config`` holds its settings without needing pyspark).
5. artifacts: ``export`` writes Parquet tables and a manifest (``sharding`` cuts the sharded
   ones); ``artifacts`` reads them back into the scoring core. ``spark_engine`` makes the
   stages the size of the ratings on Spark under ``--engine spark``.
6. site: ``staticrec.site`` renders the static site from the artifacts.

``output`` stages every output folder and swaps them in as one set (``journal`` records what it
made and is switching, for the next build to finish); ``train`` runs stages 2–5 in memory for
the evaluation; ``run`` is the orchestrator, and the only module here that reaches the site
(``build_config`` holds its settings, ``run_spark`` its Spark half); ``summary`` is what a build
reports when it ends.
"""
