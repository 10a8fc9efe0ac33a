"""staticrec: a serverless movie recommender.

The build (``staticrec.pipeline``) trains a content model and a collaborative model in Python
and exports them as Parquet; ``staticrec.site`` renders the static site, whose pages run
``staticrec.scoring`` in the visitor's browser on Pyodide. ``staticrec.evaluation`` measures the
lists beside the build, and ``staticrec.cli`` is the command line over all of them.
This module must stay import-light: the scoring wheel shipped to Pyodide contains it.
"""

__version__ = "0.1.0"
