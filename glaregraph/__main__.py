"""`python -m glaregraph` runs the CLI."""

from glaregraph.server.cli import main

raise SystemExit(main())
