"""Stage 6: the static site and the browser runtime it ships.

``render`` writes the pages (compute every context, then write); ``pyodide`` pins and verifies
the Pyodide runtime; ``wheel`` packs the scoring core as the wheel Pyodide installs, with the
site's own pyodide-lock.json.
"""
