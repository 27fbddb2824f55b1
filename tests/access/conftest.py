"""The access tables' back-ends: every test taking ``access_db`` runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from access_db import fresh_base


@pytest.fixture(params=["sqlite", "postgresql"])
def access_db(request, tmp_path):
    """Where a test keeps accounts, sessions, codes and its trail: a file, or an empty base.

    The base is the throw-away server of ``pg_url`` (tests/conftest.py), its access schema
    dropped before each test.
    """
    if request.param == "sqlite":
        return tmp_path / "comptes.sqlite"
    return fresh_base(request.getfixturevalue("pg_url"))
