"""``python -m minigrad``: the ``minigrad`` command."""

from .cli import main

raise SystemExit(main())
