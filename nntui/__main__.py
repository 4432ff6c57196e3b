"""``python -m nntui`` runs the same command line as ``nntui``."""

from nntui.cli import main

raise SystemExit(main())
