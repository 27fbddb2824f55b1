"""Audit trail and retention purge (clspd_geo.access.audit)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import psycopg
import pytest

from access_db import query
from clspd_geo import demo
from clspd_geo.access import _db, audit
from clspd_geo.store import GeoPackageStore, open_store


def test_events_are_recorded_newest_first(access_db):
    path = access_db
    audit.record("alice", "elu", "vue", "pages/overview.py", path=path,
                 now=dt.datetime(2026, 1, 1, 10))
    audit.record("alice", "elu", "export", "faits.csv", detail="120 lignes", path=path,
                 now=dt.datetime(2026, 1, 1, 11))
    ev = audit.events(path=path)
    assert list(ev["Action"]) == ["Export", "Consultation d'une page"]
    assert ev["Quand"].iloc[0] == "2026-01-01T11:00:00"


def test_trail_is_append_only(access_db):
    path = access_db
    audit.record("alice", "elu", "vue", "p", path=path)
    refused = (sqlite3.DatabaseError, psycopg.Error, _db.IntegrityError)
    for sql in ("DELETE FROM events", "UPDATE events SET username = 'x'"):
        with pytest.raises(refused, match="ajout seul"):
            query(path, sql)
    if _db.is_url(path):  # nor emptied at once
        with pytest.raises(refused, match="ajout seul"):
            query(path, "TRUNCATE events")
    assert len(audit.events(path=path)) == 1


def test_unknown_action_is_a_bug(access_db):
    with pytest.raises(ValueError):
        audit.record("a", "elu", "lecture", "p", path=access_db)


def test_retention_setting(monkeypatch):
    monkeypatch.delenv("CLSPD_RETENTION_DAYS", raising=False)
    assert audit.retention_days() == audit.RETENTION_DAYS
    monkeypatch.setenv("CLSPD_RETENTION_DAYS", "365")
    assert audit.retention_days() == 365
    monkeypatch.setenv("CLSPD_RETENTION_DAYS", "zéro")
    with pytest.raises(Exception, match="CLSPD_RETENTION_DAYS"):
        audit.retention_days()


def test_purge_deletes_only_old_incidents_and_logs_it(tmp_path, access_db):
    store_path = tmp_path / "s.gpkg"
    demo.install(open_store(store_path, create=True), seed=1, n_incidents=500)
    before = GeoPackageStore(store_path).read("incidents")
    ts = pd.to_datetime(before["occurred_at"])
    today = dt.date(2026, 11, 1)
    cutoff = pd.Timestamp(today) - pd.Timedelta(days=365)
    expected_gone = int((ts < cutoff).sum())
    assert 0 < expected_gone < len(before)
    j = access_db
    n = audit.purge_incidents(store_path, retention_days_=365, today=today, audit=j)
    assert n == expected_gone
    after = GeoPackageStore(store_path).read("incidents")
    assert len(after) == len(before) - n
    assert (pd.to_datetime(after["occurred_at"]) >= cutoff).all()
    assert audit.events(path=j)["Action"].iloc[0] == "Purge des faits anciens"
    version = GeoPackageStore(store_path).version()
    assert audit.purge_incidents(store_path, retention_days_=365, today=today, audit=j) == 0
    assert GeoPackageStore(store_path).version() == version  # nothing rewritten


def test_concurrent_records_never_miss_an_entry(access_db):
    from concurrent.futures import ThreadPoolExecutor

    path = access_db

    def burst(i):
        for k in range(25):
            audit.record(f"u{i}", "admin", "vue", f"page {k}", path=path)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(burst, range(8)))
    ev = audit.events(path=path, limit=10_000)
    assert len(ev) == 200
    assert sorted(ev["Qui"].value_counts().tolist()) == [25] * 8


@pytest.fixture
def trail(access_db):
    path = access_db
    for day, user, role, action in ((1, "alice", "elu", "vue"), (2, "bob", "police", "export"),
                                    (3, "alice", "elu", "export"),
                                    (4, "-", "-", "echec_connexion")):
        audit.record(user, role, action, "cible", path=path, now=dt.datetime(2026, 3, day, 8, 30))
    return path


def test_search_filters_by_period_account_and_action(trail):
    def days(**kw):
        return [a[8:10] for a in audit.search(path=trail, **kw)["at"]]
    assert days() == ["04", "03", "02", "01"]
    assert days(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 3)) == ["03", "02"]
    assert days(username="alice") == ["03", "01"]
    assert days(action="export") == ["03", "02"]
    assert days(username="alice", action="export", end=dt.date(2026, 3, 2)) == []
    with pytest.raises(ValueError):
        audit.search(path=trail, action="inconnue")


def test_journal_reads_french_dates_and_role_names(trail):
    table = audit.journal_table(audit.search(path=trail), role_labels={"elu": "Élu",
                                                                      "police": "Police"})
    assert list(table.columns) == audit.JOURNAL_COLUMNS
    assert table["Quand"].tolist()[0] == "4 mars 2026 à 08:30"
    assert table["Rôle"].tolist() == ["aucun", "Élu", "Police", "Élu"]
    assert table["Action"].tolist()[0] == "Échec de connexion"
    audit.record("bob", "videoprotection", "vue", "videoprotection", path=trail)
    last = audit.journal_table(audit.search(path=trail, action="vue"), role_labels={
        "videoprotection": "Vidéoprotection"}, page_labels={"videoprotection": "2. Vidéo"})
    assert last[["Rôle", "Objet"]].iloc[0].tolist() == ["Vidéoprotection", "2. Vidéo"]
