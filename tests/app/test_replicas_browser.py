"""Two app processes on one PostGIS database: same figures, an import seen by both, failover.

Two ``streamlit run app.py`` servers (tests/conftest.py ``serve_app``) on two loopback ports
share one PostGIS base (started by the fixtures) and nothing else: each has its own data
folder, as replicas on two machines would; the accounts, their sessions, the one-time
cookie codes and the audit trail are in the base (schema ``clspd_access``). Neither
remembers the store's content: each run reads the store version from the base, so an
import made through one replica is shown by the other at its next run, and once one is
stopped the other serves the same session (the browser's cookie is checked against the
sessions in the base).
"""

from __future__ import annotations

import datetime as dt
import urllib.request
from pathlib import Path

import pytest

from access_db import fresh_base, query
from clspd_geo import demo
from clspd_geo.store import PostGISStore
from conftest import ensure_test_account, log_in, serve_app, wait_idle

pytestmark = pytest.mark.browser

NEW = 25
"""Incidents the import through the first replica adds."""


@pytest.fixture(scope="module")
def base(pg_url) -> str:
    """The PostGIS base with a small demo territory and the test accounts."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as con:
        for (name,) in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                   "AND tablename <> 'spatial_ref_sys'").fetchall():
            con.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    demo.install(PostGISStore(pg_url), seed=1, n_incidents=3000)
    fresh_base(pg_url)
    for role in ("admin", "police"):  # in the base: no folder is shared
        ensure_test_account(role, None, users=pg_url)
    return pg_url


def _replica(base: str, log_dir: Path, name: str):
    data_dir = log_dir / name  # its own folder: nothing in it is seen by the other
    data_dir.mkdir()
    server = serve_app(base, log_dir, env={"CLSPD_DATA_DIR": str(data_dir)})
    return server, next(server)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as resp:
            return resp.read().strip() == b"ok"
    except OSError:
        return False


def _logged_in(context, url: str, name: str):
    """Return a page of ``context`` logged in as ``name`` (its session cookie set)."""
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    log_in(page, name, timeout_ms=180_000)
    page.get_by_role("button", name="Se déconnecter").wait_for(timeout=180_000)
    wait_idle(page)  # the cookie is set (ui/session_route.py) before leaving the page
    return page


def _overview_total(page, url: str) -> str:
    page.goto(url, wait_until="domcontentloaded")
    try:
        page.get_by_role("heading", name="Vue d'ensemble").wait_for(timeout=120_000)
    except Exception:
        pytest.fail(f"{url} : pas de vue d'ensemble : {page.inner_text('body')[:1500]}")
    wait_idle(page)
    value = page.locator('[data-testid="stMetricValue"]').first
    value.wait_for(timeout=60_000)
    return value.inner_text().strip()


def _number(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()))


def _month_csv(path: Path, store: PostGISStore) -> Path:
    """``NEW`` incidents inside the territory, with their own ids, on the day before the
    latest stored one (the period the overview shows stays the same)."""
    terr = store.read("territoire").to_crs(2154)
    c = terr.union_all().representative_point()
    latest = store.read("incidents", columns=["occurred_at"])["occurred_at"].max()
    day = (latest - dt.timedelta(days=1)).date()
    lines = ["id,date_heure,categorie,x_l93,y_l93"]
    lines += [f"R{i},{day} 21:{i:02d},tapage,{c.x + 10 * i:.1f},{c.y:.1f}" for i in range(NEW)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import_through(page, csv: Path) -> None:
    """Import ``csv`` as incidents on the « Données » page (the administrator's first page),
    in its natural mode."""
    page.get_by_role("heading", name="Importer des fichiers").wait_for(timeout=180_000)
    wait_idle(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Type de données").click()
    page.keyboard.type("Faits et incidents")
    page.keyboard.press("Enter")
    wait_idle(page)
    mode = page.locator('[data-testid="stRadio"]').filter(has_text="Couche existante")
    # Its natural mode comes first and is kept (tests/app/test_import_page.py checks it is
    # chosen): the count below tells the rows were added, not the layer replaced.
    text = mode.inner_text()
    assert text.index("Ajouter / mettre à jour") < text.index("Remplacer")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(csv))
    page.get_by_role("button", name="Écrire dans la base").wait_for(timeout=180_000)
    wait_idle(page)
    page.get_by_role("button", name="Écrire dans la base").click()
    page.get_by_text("Import écrit").wait_for(timeout=180_000)


def test_two_replicas_share_figures_see_each_others_imports_and_fail_over(
        base, browser, tmp_path):
    first, url_a = _replica(base, tmp_path, "a")
    second, url_b = _replica(base, tmp_path, "b")
    try:
        assert _healthy(url_a) and _healthy(url_b)
        police = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = _logged_in(police, url_a, "test-police")
        # One login: the session cookie (host 127.0.0.1) is sent to both ports, and both
        # replicas check it against the sessions in the base.
        before = _overview_total(page, url_a)
        assert _overview_total(page, url_b) == before
        other = police.new_page()  # a session open on the second replica during the import
        assert _overview_total(other, url_b) == before

        store = PostGISStore(base)
        n0 = store.count("incidents")
        admin = browser.new_context(viewport={"width": 1400, "height": 1000})
        _import_through(_logged_in(admin, url_a, "test-admin"),
                        _month_csv(tmp_path / "faits.csv", store))
        admin.close()
        assert store.count("incidents") == n0 + NEW

        # The second replica, which had the old figures, shows the new ones at its next run:
        # it reads the store version from the base at every run, and remembers nothing else.
        after = _overview_total(other, url_b)
        assert _number(after) == _number(before) + NEW
        assert _overview_total(page, url_a) == after

        # The first replica goes away: the second still serves, the session still open.
        first.close()
        assert not _healthy(url_a) and _healthy(url_b)
        assert _overview_total(page, url_b) == after
        assert page.get_by_role("button", name="Se déconnecter").count() == 1
        police.close()
        # One audit trail, in the base, and no accounts or trail file on either replica.
        logins = query(base, "SELECT DISTINCT username FROM events WHERE action = 'connexion'")
        assert {u for (u,) in logins} == {"test-police", "test-admin"}
        assert not [f.name for f in tmp_path.glob("[ab]/*.sqlite*")]
    finally:
        first.close()
        second.close()
