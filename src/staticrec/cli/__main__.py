"""``python -m staticrec.cli``: the same command line as the ``staticrec`` script."""

from staticrec.cli import main

raise SystemExit(main())
