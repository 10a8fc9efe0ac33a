"""staticrec: a serverless movie recommender.

The build (``staticrec.pipeline``) trains a content model and a collaborative model in Python and
exports them as Parquet; the site runs ``staticrec.scoring`` in the visitor's browser on Pyodide.
This module must stay import-light: the scoring wheel shipped to Pyodide contains it.
"""

__version__ = "0.1.0"
