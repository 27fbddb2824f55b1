"""Entry point of ``python -m clspd_geo`` (see :mod:`clspd_geo.cli`)."""

from __future__ import annotations

from clspd_geo.cli.main import main

raise SystemExit(main())
