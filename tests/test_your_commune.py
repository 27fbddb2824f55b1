"""The « your commune » journey: the commands of docs/your_commune.md, run as written.

The commands are read from the page's ``bash`` blocks and run in-process through the command
line's ``main`` (``$DATA`` is ``../shared/data``), in an empty folder. Then every page the
police and the élu may open renders with real figures, and the insertion and road-safety
analyses use the imported roads and population.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import streamlit as st
from streamlit.testing.v1 import AppTest

from clspd_geo import _format, vocab
from clspd_geo.access import policy
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators
from clspd_geo.cli import main as cli
from clspd_geo.screens import fields
from clspd_geo.store import GeoPackageStore
from app_sections import open_sections
from conftest import SHARED_DATA, logged_in

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "your_commune.md"
_BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)


def documented_commands() -> list[list[str]]:
    """Return the ``python -m clspd_geo`` commands of the page, as argument lists."""
    lines = [ln.strip() for block in _BLOCK.findall(DOC.read_text(encoding="utf-8"))
             for ln in block.splitlines()]
    prefix = "python -m clspd_geo "
    return [shlex.split(ln[len(prefix):]) for ln in lines if ln.startswith(prefix)]


def write_paris_grid(path: Path, territory: gpd.GeoDataFrame) -> int:
    """Write a Filosofi-layout 200 m grid covering the commune (made-up counts); return cells."""
    shape = territory.to_crs(3035).union_all()
    minx, miny, maxx, maxy = (int(v // 200 * 200) for v in shape.bounds)
    xs, ys = np.meshgrid(np.arange(minx, maxx + 200, 200), np.arange(miny, maxy + 200, 200))
    xs, ys = xs.ravel(), ys.ravel()
    inside = shapely.intersects(shape, shapely.box(xs, ys, xs + 200, ys + 200))
    rows = ["idcar_200m;ind;men;men_pauv;log_soc;lcog_geo"]
    for i, (x, y) in enumerate(zip(xs[inside], ys[inside], strict=True)):
        ind = 40 + (i * 37) % 400
        rows.append(f"CRS3035RES200mN{y}E{x};{ind};{ind // 2};{ind // 10};{ind // 8};75056")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return int(inside.sum())


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder where the page's commands were run (``paris.gpkg``, ``lyon.gpkg``)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"échantillons de données réelles absents ({SHARED_DATA})")
    shared_data = SHARED_DATA
    folder = tmp_path_factory.mktemp("commune")
    commands = documented_commands()
    assert len(commands) >= 14
    for args in commands:
        args = [a.replace("$DATA", str(shared_data)) for a in args]
        args = [str(folder / a) if a.endswith((".gpkg", "paris.csv")) else a for a in args]
        if args[:2] == ["import", "population"]:  # no Filosofi sample: made-up counts
            terr = GeoPackageStore(folder / "paris.gpkg").read("territoire")
            write_paris_grid(Path(args[2]), terr)
        assert cli.main(args) == 0, args
    return folder


def test_the_store_holds_every_sample(journey: Path) -> None:
    paris = GeoPackageStore(journey / "paris.gpkg")
    counts = {n: paris.count(n) for n in ("territoire", "quartiers", "qpv", "accidents",
                                          "cameras", "equipements", "voies", "statistiques")}
    assert counts == {"territoire": 1, "quartiers": 992, "qpv": 3, "accidents": 13630,
                      "cameras": 707, "equipements": 1926, "voies": 4858,
                      "statistiques": 648}
    assert int(paris.read("quartiers")["qpv"].sum()) == 6
    assert paris.count("carreaux") > 2000
    kinds = paris.read("equipements")["kind"].value_counts()
    assert kinds.to_dict() == {"debit_boissons": 1403, "gare": 306, "college": 217}
    lyon = GeoPackageStore(journey / "lyon.gpkg")
    cams = lyon.read("cameras")
    assert len(cams) > 0 and cams["bearing_deg"].notna().any()
    assert set(lyon.read("equipements")["kind"]) <= {"gare", "arret_bus"}
    assert lyon.count("equipements") > 100


def test_insertion_and_road_safety_use_the_imported_roads_and_population(journey: Path) -> None:
    view = RoleView(GeoPackageStore(journey / "paris.gpkg"), "police")
    access, _ = fields.qpv_access(view, ("college", "gare"), minutes=15.0, network=True)
    assert access.method == "reseau" and access.population_source == "carreaux"
    assert access.population_known and access.qpv_population > 0
    assert "carreaux de 200 m" in access.population_text
    sel = indicators.Selection(dt.date(2013, 1, 1), dt.date(2014, 1, 1),
                               tuple(indicators.default_selection(view.incidents()).categories))
    rates = fields.quartier_rates(view, sel)
    assert rates.population_source == "carreaux" and rates.population_known
    spots = fields.road_hotspots(view, sel, on_roads=True)
    assert spots.method == "voies" and spots.n_accidents == 6653
    assert spots.places["accidents"].iloc[0] > 0


@pytest.fixture(scope="module")
def sample_figures() -> dict[str, int]:
    """Figures computed here from the sample files alone (not from the store or the pages)."""
    terr = gpd.read_file(SHARED_DATA / "boundaries" / "communes-75-paris.geojson").to_crs(4326)
    paris = terr.union_all()

    def inside(path: Path) -> gpd.GeoDataFrame:
        df = pd.read_csv(path)
        pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
        return pts[pts.within(paris)]

    # Every collège of the file (one lies 17 m outside the commune's outline, inside an IRIS:
    # within the import's tolerance), by its Lambert-93 coordinates.
    men = pd.read_csv(SHARED_DATA / "schools" / "paris_colleges_men_2024.csv.gz")
    colleges = gpd.GeoDataFrame(
        men, geometry=gpd.points_from_xy(men["coordonnee_x"], men["coordonnee_y"]), crs=2154)
    iris = gpd.read_file(SHARED_DATA / "areas" / "paris_iris_2013_rp2011_csp.geojson")
    with_college = gpd.sjoin(colleges, iris.to_crs(2154)[["geometry"]], predicate="within")
    cameras = pd.read_csv(SHARED_DATA / "videoprotection" / "paris_cameras_geocoded_2019.csv",
                          sep=";")
    return {"colleges": len(colleges),
            "bars": len(inside(SHARED_DATA / "osm" / "paris_osm_bars_2021.csv.gz")),
            "iris": len(iris), "iris_with_college": int(with_college["index_right"].nunique()),
            "cameras": len(cameras)}


def as_int(shown: object) -> int:
    """Return a count as a page shows it (« 1 403 »: thousands split by a narrow space)."""
    return int(re.sub(r"\s", "", str(shown)))


def facility_count(at: AppTest, label: str) -> int:
    """Return the « Nombre » of one facility kind in the page's facilities table."""
    for d in at.dataframe:
        df = d.value
        if {"Équipement", "Nombre"} <= set(df.columns) and label in set(df["Équipement"]):
            return as_int(df.set_index("Équipement").loc[label, "Nombre"])
    raise AssertionError(f"pas de tableau des équipements avec « {label} »")


def check_folded_figures(at: AppTest, page: str, role: str, fig: dict[str, int]
                         ) -> None:
    """Open the page's folded sections and check their figures against the samples."""
    open_sections(at, *FOLDED[page])
    assert not at.exception, (page, at.exception)
    college = vocab.facility_kind("college").label
    bar = vocab.facility_kind("debit_boissons").label
    if page in ("police", "addictions"):  # bars are in the police and addictions tables
        assert facility_count(at, bar) == fig["bars"], page
    if page in ("addictions", "jeunesse", "radicalisation"):
        assert facility_count(at, college) == fig["colleges"], page
    if page == "jeunesse" and role == "elu":  # released by quartier: no table per school
        assert any("que par quartier" in str(e.value) for e in at.info)
    elif page == "jeunesse":  # one row per collège in the schools' 500 m zones
        schools = next(d.value for d in at.dataframe if "École" in d.value.columns)
        assert len(schools) == fig["colleges"] and set(schools["Type"]) == {college}
    if page == "radicalisation":  # resources by quartier (IRIS): the collèges they hold
        per_q = next(d.value for d in at.dataframe if "Ressources" in d.value.columns)
        assert len(per_q) == fig["iris"]
        got = pd.to_numeric(per_q["Ressources"])
        assert int(got.sum()) == fig["colleges"]
        assert int((got > 0).sum()) == fig["iris_with_college"]
        n_none = fig['iris'] - fig['iris_with_college']
        assert (f"{n_none} quartier{'s' if n_none > 1 else ''} "
                f"n'en {'ont' if n_none > 1 else 'a'} aucune") in _text(at)


_FIGURES = ("Nombre", "Caméras", "Population", "Lignes", "Sites", "Accidents")


INVENTORY = {"statistiques": "ssmsi_dep_edition2024", "qpv": "qpv_lesemplois_testfactory",
             "carreaux": "carreaux_200m_paris.csv", "voies": "osm_paris_main_roads_2023",
             "accidents": "paris_accidents_2013.csv.gz",
             "cameras": "paris_cameras_geocoded_2019.csv"}
FOLDED = {
    "police": ("police.open.trend",),
    "addictions": ("addictions.open.trend",),
    "jeunesse": ("jeunesse.open.schools", "jeunesse.open.trend"),
    "radicalisation": ("radicalisation.open.quartiers", "radicalisation.open.quarters"),
}
"""Pages whose figures of the samples sit in folded sections: the sections opened to read them.

The video page's sections with figures of the cameras (« Le parc de caméras », siting) also
build the printable camera plan, which on the 707 Paris cameras takes minutes: its page is
checked on the visible import note (the camera count), not by opening them."""
NOTHING_TO_SHOW = {
    "overview": "Aucun fait ne correspond à la sélection",  # no incident in the samples
    "insertion": "Aucun équipement (Mission locale",  # no insertion structure
    "victimes": "Aucun équipement (Association d'aide aux victimes",
}


def real_figures(at: AppTest) -> list[str]:
    """Return the figures of the imports a page shows: non-zero metrics and table columns."""
    out = [f"{m.label}={m.value}" for m in at.metric if m.value not in ("0", "", "—")]
    for d in at.dataframe:
        df = d.value
        for col in (c for c in df.columns if c in _FIGURES):
            total = pd.to_numeric(df[col], errors="coerce").sum()
            if total > 0:
                out.append(f"{col}={total:g}")
    return out


def _text(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [str(e.value) for e in at.caption]
    return "\n".join(map(str, parts))


@pytest.mark.parametrize("role", ["police", "elu"])
def test_every_page_renders_with_real_figures(journey: Path, role: str,
                                              sample_figures: dict[str, int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store = journey / "paris.gpkg"
    monkeypatch.setenv("CLSPD_STORE", str(store))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), role, store)
    at.run()
    assert not at.exception, at.exception
    pages = [p for p in ("overview", "police", "videoprotection", "addictions", "jeunesse",
                         "insertion", "victimes", "routier", "radicalisation", "donnees")
             if policy.may_open(role, p)]
    assert "routier" in pages and "insertion" in pages
    for page in pages:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        assert at.title, page
        if page == "overview":  # the incidents' detail (and its « no incident ») is folded
            open_sections(at, "overview.open.details")
        if page == "overview" and role == "elu":  # monthly counts only: zero, no message
            shown = {m.label: m.value for m in at.metric}
            assert shown["Faits enregistrés"] == "0", shown  # the samples hold no incident
        elif page in NOTHING_TO_SHOW:  # nothing of the samples: the page says what to import
            notes = " ".join(str(e.value) for e in at.info)
            assert NOTHING_TO_SHOW[page] in notes, (page, notes)
        elif page in FOLDED:
            check_folded_figures(at, page, role, sample_figures)
        elif page == "videoprotection":  # the cameras imported, from the visible source note
            n = sample_figures["cameras"]
            accepted = f"{_format.count(n, 'ligne')} {_format.plural(n, 'acceptée')}"
            assert accepted in _text(at)
        else:
            assert real_figures(at), page
        if page == "routier":  # the default period is the accidents' last year: 2013
            assert any(m.value not in ("0", "") for m in at.metric), page
            assert "tronçons de 200 m" in _text(at)  # sections of the imported roads
        if page == "donnees":  # every new layer listed with its source
            inventory = at.dataframe[0].value.set_index("Couche")
            for layer, file in INVENTORY.items():
                assert as_int(inventory.loc[layer, "Lignes"]) > 0, layer
                assert file in inventory.loc[layer, "Source"], (layer, inventory.loc[layer])
            facilities = inventory.loc["equipements", "Source"]  # three files, one layer
            assert all(f in facilities for f in ("paris_colleges_men_2024.csv.gz",
                                                 "paris_gares_stations_idfm.csv.gz",
                                                 "paris_osm_bars_2021.csv.gz")), facilities
            kinds = at.dataframe[1].value.set_index("Type")["Lignes"]
            assert as_int(kinds[vocab.facility_kind("gare").label]) == 306
