"""Shared test fixtures: paths, factories of tiny layers built in Lambert-93 metres."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """Folder of the real open-data samples; skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"échantillons de données réelles absents ({SHARED_DATA})")
    return SHARED_DATA


def make_points(xy_l93: list[tuple[float, float]], **columns: list) -> gpd.GeoDataFrame:
    """Build points from Lambert-93 coordinates (metres) and return them in EPSG:4326."""
    gdf = gpd.GeoDataFrame(columns, geometry=[Point(x, y) for x, y in xy_l93], crs=2154)
    return gdf.to_crs(4326)


@pytest.fixture
def points_factory():
    """The :func:`make_points` factory, as a fixture."""
    return make_points


# -- Valid layers of the data model (appended by the core-library tests) ----------------------
# One small, hand-checkable frame per layer, built in Lambert-93 metres around Paris
# (x = 652 000 m, y = 6 862 000 m) and returned in EPSG:4326 as the store expects.

import pandas as pd  # noqa: E402
from shapely.geometry import LineString, box  # noqa: E402

PARIS_L93 = (652_000.0, 6_862_000.0)


def _l93(geoms: list, **columns: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=2154).to_crs(4326)


def make_valid_layers() -> dict[str, gpd.GeoDataFrame]:
    """Return ``{layer name: valid GeoDataFrame}`` for every layer of the data model."""
    x0, y0 = PARIS_L93
    return {
        "territoire": _l93([box(x0, y0, x0 + 2000, y0 + 2000)], insee_code=["75056"],
                           name=["Ville test"], population=[12_000], fictitious=[True]),
        "quartiers": _l93([box(x0, y0, x0 + 1000, y0 + 2000),
                           box(x0 + 1000, y0, x0 + 2000, y0 + 2000)],
                          quartier_id=["q1", "q2"], name=["Nord", "Sud"],
                          insee_code=["75056", "75056"], qpv=[True, False],
                          population=[5000, None]),
        "cameras": make_points([(x0 + 100, y0 + 100), (x0 + 200, y0 + 100),
                                (x0 + 300, y0 + 100)],
                               camera_id=["c1", "c2", "c3"], name=["Gare", "Mairie", "Parc"],
                               kind=["fixe", "dome", "nomade"],
                               status=["en_service", "en_panne", "projet"],
                               bearing_deg=[90.0, None, 180.0], fov_deg=[60.0, 360.0, 90.0],
                               range_m=[50.0, 80.0, 40.0],
                               operator=["csu_municipal", "sncf", "bailleur_social"],
                               commissioned_on=pd.to_datetime(["2020-05-04", None, "2023-01-31"])),
        "secteurs": _l93([box(x0, y0, x0 + 1000, y0 + 2000),
                          box(x0 + 1000, y0, x0 + 2000, y0 + 2000)],
                         sector_id=["s1", "s2"], name=["Ouest", "Est"],
                         force=["police_nationale", "police_municipale"]),
        "incidents": make_points(
            [(x0 + 100 * i, y0 + 50 * i) for i in range(6)],
            incident_id=[f"i{i}" for i in range(6)],
            occurred_at=pd.to_datetime(["2024-01-01 00:00:00", "2024-01-15 12:30:45",
                                        "2024-01-31 23:59:59", "2024-02-01 00:00:00",
                                        "2024-02-10 08:00:00", "2024-03-01 00:00:00"]),
            category=["cambriolage", "rixe", "violences_conjugales", "point_de_deal",
                      "cambriolage", "tapage"],
            quartier_id=["q1", "q1", "q2", None, "q2", "q1"]),
        "equipements": make_points([(x0 + 500, y0 + 500), (x0 + 1500, y0 + 500),
                                    (x0 + 1500, y0 + 1500)],
                                   facility_id=["f1", "f2", "f3"],
                                   name=["Hôtel de ville", "Collège Jean Moulin", "Foyer"],
                                   kind=["mairie", "college", "hebergement_victimes"],
                                   address=["1 place de la Mairie", None, None],
                                   confidential=[False, False, True]),
        "accidents": make_points([(x0 + 700, y0 + 300), (x0 + 900, y0 + 1300)],
                                 accident_id=["202400000001", "202400000002"],
                                 occurred_at=pd.to_datetime(["2024-04-02 17:45:00",
                                                             "2024-06-30 02:10:00"]),
                                 killed=[0, 1], hospitalised=[1, 0], slightly_injured=[2, 0],
                                 user_types=["vl;pieton", "deux_roues_motorise"]),
        "secteurs_proposes": _l93([box(x0, y0, x0 + 1000, y0 + 2000),
                                   box(x0 + 1000, y0, x0 + 2000, y0 + 2000)],
                                  sector_id=["p1", "p2"], name=["Ouest", "Est"],
                                  force=["police_municipale", "police_municipale"],
                                  workload=[12.0, 10.5], n_blocks=[3, 2],
                                  polsby_popper=[0.698, 0.698],
                                  max_distance_m=[2236.1, 2236.1]),
        "actions": gpd.GeoDataFrame(
            {"action_id": ["a1", "a2"],
             "title": ["Médiation aux abords du collège", "Diagnostic de sécurité routière"],
             "field": ["jeunesse", "routier"], "lead_partner": ["maire", "police_municipale"],
             "partners": ["education_nationale;associations", None],
             "quartier_id": ["q1", None], "place": ["Collège Jean Moulin", None],
             "status": ["en_cours", "prevue"],
             "start_on": pd.to_datetime(["2024-09-02", None]),
             "end_on": pd.to_datetime(["2025-07-04", None]),
             "indicator": ["Incidents signalés aux abords", None]},
            # An action may have no point: it then concerns its quartier or the territory.
            geometry=[make_points([(x0 + 1500, y0 + 500)]).geometry.iloc[0], None],
            crs=4326),
        "voies": _l93([LineString([(x0, y0 + 1000), (x0 + 2000, y0 + 1000)]),
                       LineString([(x0 + 1000, y0), (x0 + 1000, y0 + 2000)])],
                      road_id=["r1", "r2"], name=["Avenue A", "Voie ferrée"],
                      kind=["principale", "voie_ferree"]),
        "qpv": _l93([box(x0 + 200, y0 + 200, x0 + 800, y0 + 900)], qpv_id=["QN07501M"],
                    name=["Cité des Fleurs"], generation=["2024"]),
        "statistiques": gpd.GeoDataFrame(
            {"stat_id": ["departement:75:2023:Cambriolages de logement",
                         "commune:75056:2023:Homicides"],
             "territory_code": ["75", "75056"], "level": ["departement", "commune"],
             "year": [2023, 2023], "indicator": ["Cambriolages de logement", "Homicides"],
             "category": ["cambriolage", None], "unit": ["Infraction", "Victime"],
             "count": [9876.0, None], "rate_per_1000": [4.62, None],
             "population": [2_137_000, 2_137_000], "diffused": [True, False]},
            # Aggregates have no geometry: joined to the territory by their code.
            geometry=gpd.GeoSeries([None, None], crs=4326), crs=4326),
        "carreaux": _l93([box(x0, y0, x0 + 200, y0 + 200), box(x0 + 200, y0, x0 + 400, y0 + 200)],
                         cell_id=["CRS3035RES200mN2888000E3760000",
                                  "CRS3035RES200mN2888000E3760200"],
                         population=[412.5, 88.0], households=[190.0, 41.0],
                         poor_households=[52.0, None], social_housing=[120.0, 0.0]),
    }


@pytest.fixture
def valid_layers() -> dict[str, gpd.GeoDataFrame]:
    """A fresh dict of one valid frame per layer (see :func:`make_valid_layers`)."""
    return make_valid_layers()


# -- a tiny hand-made territory (lead) ----------------------------------------------------------
# A 1 km square in Lambert-93 split into two quartiers (west, east: QPV), with a handful of
# incidents whose cells, quartiers and sectors are known by construction.

X0, Y0 = 700_000.0, 6_600_000.0


def _poly(x0: float, y0: float, x1: float, y1: float):
    from shapely.geometry import box

    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def tiny_layers() -> dict[str, gpd.GeoDataFrame]:
    """Return the tiny territory's layers, valid against the data model, in EPSG:4326."""
    import pandas as pd

    def frame(data: dict, geoms: list) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(data, geometry=geoms, crs=2154).to_crs(4326)

    layers = {
        "territoire": frame({"insee_code": ["00000"], "name": ["Testville"], "population": [2000],
                             "fictitious": [True]}, [_poly(0, 0, 1000, 1000)]),
        "quartiers": frame({"quartier_id": ["Q1", "Q2"], "name": ["Ouest", "Est"],
                            "insee_code": ["00000", "00000"], "qpv": [False, True],
                            "population": [1000, 1000]},
                           [_poly(0, 0, 500, 1000), _poly(500, 0, 1000, 1000)]),
        "secteurs": frame({"sector_id": ["PN1", "PM1"], "name": ["Nord", "Sud"],
                           "force": ["police_nationale", "police_municipale"]},
                          [_poly(0, 500, 1000, 1000), _poly(0, 0, 1000, 500)]),
        "cameras": frame({"camera_id": ["C1", "C2"], "name": ["Place", "Gare"],
                          "kind": ["fixe", "dome"], "status": ["en_service", "projet"],
                          "bearing_deg": [0.0, None], "fov_deg": [90.0, 360.0],
                          "range_m": [50.0, 40.0], "operator": ["csu_municipal", "sncf"],
                          "commissioned_on": pd.to_datetime(["2020-01-01", None])},
                         [Point(X0 + 250, Y0 + 250), Point(X0 + 750, Y0 + 750)]),
        "equipements": frame({"facility_id": ["F1", "F2", "F3"],
                              "name": ["Mairie", "Collège <b>Jaurès</b>", "Refuge"],
                              "kind": ["mairie", "college", "hebergement_victimes"],
                              "confidential": [False, False, True]},
                             [Point(X0 + 100, Y0 + 100), Point(X0 + 600, Y0 + 600),
                              Point(X0 + 900, Y0 + 100)]),
    }
    # Incidents: 3 tapage in cell (0,0) of a 200 m grid in 2025, 1 in 2024 (same period a year
    # earlier), 2 VIF (sensitive) in the east quartier, 1 cambriolage in the north-east.
    xy = [(50, 50), (60, 60), (70, 70), (55, 55), (700, 300), (710, 310), (900, 900)]
    when = pd.to_datetime(["2025-03-01 23:00", "2025-03-02 01:00", "2025-04-01 22:00",
                           "2024-03-05 23:30", "2025-03-10 20:00", "2025-05-10 20:00",
                           "2025-06-01 14:00"])
    cats = ["tapage", "tapage", "tapage", "tapage", "violences_intrafamiliales",
            "violences_intrafamiliales", "cambriolage"]
    quart = ["Q1", "Q1", "Q1", "Q1", "Q2", "Q2", "Q2"]
    layers["incidents"] = frame({"incident_id": [f"I{i}" for i in range(7)], "occurred_at": when,
                                 "category": cats, "quartier_id": quart},
                                [Point(X0 + x, Y0 + y) for x, y in xy])
    layers["accidents"] = frame(
        {"accident_id": ["A1", "A2"], "occurred_at": pd.to_datetime(["2025-02-01 08:00",
                                                                       "2024-02-01 08:00"]),
         "killed": [1, 0], "hospitalised": [0, 1], "slightly_injured": [2, 0],
         "user_types": ["pieton;vl", "velo"]},
        [Point(X0 + 450, Y0 + 450), Point(X0 + 460, Y0 + 460)])
    return layers


def two_commune_layers() -> dict[str, gpd.GeoDataFrame]:
    """Return the tiny territory with a second commune east of it (an intercommunal CISPD).

    Testville (00000, 2,000 inhabitants) is the 1 km square of :func:`tiny_layers`;
    Autreville (00001, 1,000 inhabitants) the square east of it, one quartier Q3, with
    four incidents of its own: 3 tapage in March 2025 and 1 cambriolage in April 2025.
    """
    import pandas as pd

    def frame(data: dict, geoms: list) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(data, geometry=geoms, crs=2154).to_crs(4326)

    layers = tiny_layers()
    layers["territoire"] = frame(
        {"insee_code": ["00000", "00001"], "name": ["Testville", "Autreville"],
         "population": [2000, 1000], "fictitious": [True, True]},
        [_poly(0, 0, 1000, 1000), _poly(1000, 0, 2000, 1000)])
    east = frame({"quartier_id": ["Q3"], "name": ["Autreville-centre"], "insee_code": ["00001"],
                  "qpv": [False], "population": [1000]}, [_poly(1000, 0, 2000, 1000)])
    layers["quartiers"] = pd.concat([layers["quartiers"], east], ignore_index=True)
    xy = [(1050, 50), (1060, 60), (1070, 70), (1500, 500)]
    more = frame({"incident_id": [f"I{i}" for i in range(7, 11)],
                  "occurred_at": pd.to_datetime(["2025-03-03 23:00", "2025-03-04 01:00",
                                                 "2025-03-20 22:00", "2025-04-02 14:00"]),
                  "category": ["tapage", "tapage", "tapage", "cambriolage"],
                  "quartier_id": ["Q3"] * 4}, [Point(X0 + x, Y0 + y) for x, y in xy])
    layers["incidents"] = pd.concat([layers["incidents"], more], ignore_index=True)
    return layers


@pytest.fixture
def tiny() -> dict[str, gpd.GeoDataFrame]:
    """The tiny territory's layers (fresh copies for each test)."""
    return tiny_layers()


# -- page tests (lead): a small demo store, and a fresh AppTest on it --------------------------


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """A demo store with 3,000 incidents, built once for the whole session."""
    from clspd_geo import demo
    from clspd_geo.store import open_store

    path = tmp_path_factory.mktemp("store") / "demo.gpkg"
    demo.install(open_store(path, create=True), seed=1, n_incidents=3_000)
    return path


@pytest.fixture
def app(monkeypatch, demo_store):
    """An AppTest of the router, reading the session's demo store."""
    from streamlit.testing.v1 import AppTest

    # Caches are keyed on the store's path and version, so they may be kept between tests.
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    # Logged in as police, the role that sees the most incident data (docs/roles.md).
    return logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), "police",
                     demo_store)


# -- a throw-away PostGIS server (tests/pg_server.py) -------------------------------------------
@pytest.fixture(scope="module")
def pg_url():
    """Start a throw-away PostgreSQL cluster with PostGIS on 127.0.0.1; yield its URL.

    The cluster also has a database ``nopostgis`` without the extension.
    """
    import pg_server

    if not pg_server.available():
        pytest.skip("PostgreSQL 15 + PostGIS absents : installez les paquets Debian "
                    "postgresql-15 et postgresql-15-postgis-3 (le script de tests le fait en root)")
    with pg_server.running(pg_server.TEST_SETTINGS) as server:
        url = server.create_database("clspd")
        server.create_database("nopostgis", postgis=False)
        yield url


@pytest.fixture
def pg_store(pg_url):
    """The PostGIS store of :func:`pg_url`, emptied of every table."""
    import psycopg

    from clspd_geo.store.postgis import PostGISStore

    with psycopg.connect(pg_url, autocommit=True) as con:
        for (name,) in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                   "AND tablename <> 'spatial_ref_sys'").fetchall():
            con.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')  # partitions go with it
    return PostGISStore(pg_url)


# -- login of page tests (roles work): a server-side session for a test account --------------
TEST_PASSWORD = "mot-de-passe-de-test"


def logged_in(at, role: str, store: Path, *, users: Path | str | None = None):
    """Open a session for the test account ``test-<role>`` and give its token to ``at``.

    The account lives in the accounts file beside ``store``, or at ``users`` (a file or
    the ``postgresql://`` base the app keeps its accounts in); the app checks the token at
    every run exactly as after a real login (tests/app/test_roles.py uses every role).
    """
    from clspd_geo.access import auth

    name, users = ensure_test_account(role, store, users=users)
    at.session_state["auth.token"] = auth.login(name, TEST_PASSWORD, path=users)
    return at


def page_as(monkeypatch, store: Path, role: str, page: str):
    """Return an AppTest of the router on ``store``, logged in as ``role``, on ``page``
    (a path under pages/), after its first run (which raised nothing)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CLSPD_STORE", str(store))
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), role, store)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def ensure_test_account(role: str, store: Path | None, *, users: Path | str | None = None
                        ) -> tuple[str, Path | str]:
    """Create the account ``test-<role>`` (password TEST_PASSWORD) beside ``store``, once.

    ``users``: the accounts' file or ``postgresql://`` base, instead of the file beside
    ``store``.
    """
    from clspd_geo.access import auth

    users = users if users is not None else store.with_name(auth.USERS_FILE_NAME)
    name = f"test-{role}"
    if auth.get_account(name, path=users) is None:
        auth.create_account(name, role=role, password=TEST_PASSWORD, path=users)
    return name, users


# -- no background warm-up of new store versions (ui.warm) unless a test asks for it ----------
@pytest.fixture(autouse=True)
def _no_background_warm_up(monkeypatch):
    """A warm-up thread started by one test's import would compete with the next tests and
    write the map cache they watch; tests/app/test_warm.py turns it on."""
    monkeypatch.setenv("CLSPD_WARM", "0")


@pytest.fixture
def fresh_cache(monkeypatch):
    """An empty shared map cache (ui.map_cache), turned on, for this test only."""
    from ui import map_cache

    cache = map_cache.MapCache()
    monkeypatch.setattr(map_cache, "CACHE", cache)
    monkeypatch.setenv("CLSPD_MAP_CACHE", "1")
    return cache


# -- AppTest in the router's steady state (lead) -----------------------------------------------
@pytest.fixture(autouse=True)
def _apptest_runs_through_the_router(monkeypatch):
    """Make every AppTest run go through ``app.py`` and ``st.navigation``.

    AppTest resets Streamlit's process-wide "legacy pages/ folder" flag at each run, so with
    a ``pages/`` folder every run after the first would execute the page alone (without the
    router) and ``ui`` would rerun it, dropping that run's widget events. A running server
    leaves that mode for good once ``st.navigation`` has run; tests start in that state.
    The first-request case is covered by the browser tests.
    """
    try:
        from streamlit.testing.v1 import app_test
    except ImportError:
        return

    base = app_test.PagesManager

    class SteadyPagesManager(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            base.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", SteadyPagesManager)


# -- the app served for browser tests (lead) ---------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's), driven by Playwright, for one test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def log_in(page, name: str, password: str = TEST_PASSWORD, *, timeout_ms: int = 90_000) -> None:
    """Fill the app's login form with ``name`` and ``password`` and submit it."""
    page.get_by_label("Identifiant").fill(name, timeout=timeout_ms)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()


def wait_idle(page) -> None:
    """Wait until the Streamlit page has finished running (its status widget is gone)."""
    import time

    page.wait_for_timeout(1500)
    deadline = time.time() + 120
    while time.time() < deadline:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            return
        page.wait_for_timeout(500)


def serve_app(store: Path | str, log_dir: Path, env: dict[str, str] | None = None):
    """Start ``streamlit run app.py`` on a free loopback port for ``store``; yield its URL.

    A generator for module fixtures. The server's output goes to a log file (a pipe nobody
    reads would fill up and freeze the server); the log tail is shown if it does not start.
    ``store`` may be a PostGIS URL; ``env`` adds variables (``CLSPD_DATA_DIR``...).
    """
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent : installez les paquets Debian chromium (le script de "
                    "tests le fait en root)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, CLSPD_STORE=str(store), CLSPD_BASEMAP="aucun", **(env or {}))
    log_path = log_dir / f"streamlit-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
             str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("le serveur Streamlit n'a pas démarré : "
                        + log_path.read_text(errors="replace")[-2000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
