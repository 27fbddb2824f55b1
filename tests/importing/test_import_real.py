"""Real-data tests of the import pipeline on the open-data samples of ../shared/data.

Each test skips with a clear reason when the samples are absent (``shared_data`` fixture).
They check invariants of the published files (counts, kinds, positions), not exact
figures of our own making.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from clspd_geo import store as store_mod
from clspd_geo.errors import SchemaError
from clspd_geo.importing import pipeline
from clspd_geo.importing.context import ImportOptions

HERE = Path(__file__).resolve().parents[1]
FIXTURES = HERE / "data" / "import"


@pytest.fixture
def paris_store(shared_data: Path, tmp_path: Path) -> Path:
    """A store whose territory is the commune of Paris (75056)."""
    path = tmp_path / "paris.gpkg"
    pipeline.run("boundaries", [shared_data / "boundaries/communes-75-paris.geojson"],
                 store_path=path, options=ImportOptions(commune="75056"))
    return path


def test_paris_commune_picked_from_departement_file(paris_store: Path) -> None:
    terr = store_mod.open_store(paris_store).read("territoire")
    assert terr["insee_code"].tolist() == ["75056"]
    assert terr.geometry.iloc[0].geom_type in ("Polygon", "MultiPolygon")


def test_commune_filter_on_a_departement_file(shared_data: Path, tmp_path: Path) -> None:
    report = pipeline.run("boundaries",
                          [shared_data / "boundaries/communes-93-seine-saint-denis.geojson"],
                          store_path=tmp_path / "s.gpkg",
                          options=ImportOptions(commune="93066"))
    assert report.accepted == 1
    assert report.filtered_out == 39


def test_paris_accidents_2012_all_rows_inside_paris(shared_data: Path,
                                                     paris_store: Path) -> None:
    report = pipeline.run("accidents", [shared_data / "accidents/paris_accidents_2012.csv.gz"],
                          store_path=paris_store)
    assert report.accepted == 6977
    assert report.n_rejected == 0
    acc = store_mod.open_store(paris_store).read("accidents")
    assert len(acc) == 6977
    terr = store_mod.open_store(paris_store).read("territoire").to_crs(2154).union_all()
    # The simplified commune polygon cuts a few boundary streets: every point lies within
    # 100 m of it, and those just outside are flagged, not dropped.
    dist = acc.to_crs(2154).distance(terr)
    assert dist.max() < 100
    assert acc["outside_territory"].sum() == int((dist > 0).sum())
    # Severities of the Paris extract: usager 1 alone counts 15 killed in 2012.
    assert acc["killed"].sum() >= 15
    assert (acc[["killed", "hospitalised", "slightly_injured"]] >= 0).all().all()
    assert acc["user_types"].str.contains("pieton").sum() > 1000
    assert acc["occurred_at"].dt.year.eq(2012).all()
    prov = store_mod.open_store(paris_store).source_of("accidents")
    assert "paris_accidents_2012.csv.gz" in prov.source and prov.rows == 6977


def test_accidents_commune_filter_keeps_paris(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="commune demandée"):
        pipeline.prepare("accidents", [shared_data / "accidents/paris_accidents_2012.csv.gz"],
                         options=ImportOptions(commune="69123"))
    report = pipeline.prepare("accidents",
                              [shared_data / "accidents/paris_accidents_2012.csv.gz"],
                              options=ImportOptions(commune="75056"))
    assert report.accepted == 6977 and report.filtered_out == 0


def test_geocoded_2019_cameras(shared_data: Path, paris_store: Path) -> None:
    report = pipeline.run("cameras",
                          [shared_data / "videoprotection/paris_cameras_geocoded_2019.csv"],
                          store_path=paris_store)
    assert report.accepted == 707 and report.n_rejected == 0
    cams = store_mod.open_store(paris_store).read("cameras")
    assert len(cams) == 707
    assert set(cams["operator"]) == {"etat"}
    assert cams["commissioned_on"].notna().sum() > 300
    # « Début 2019 » is not a date: kept empty and reported, never invented.
    assert any("Début 2019" in k for k in report.fixes)


@pytest.mark.parametrize("annexe", ["paris_pvpp_annexe1_prefecture_2019.csv",
                                    "paris_vpp_annexe2_ville_2019.csv"])
def test_annexe_rows_geocoded_with_crossings(shared_data: Path, tmp_path: Path,
                                             annexe: str) -> None:
    vp = shared_data / "videoprotection"
    rows = len(pd.read_csv(vp / annexe, sep=";", dtype=str))
    report = pipeline.prepare(
        "cameras", [vp / annexe],
        options=ImportOptions(geocode_with=vp / "paris_street_intersections_osm.csv.gz"))
    unplaced = report.rejected["motif"].str.startswith("lieu introuvable").sum()
    assert unplaced > 0
    assert report.accepted + report.n_rejected == rows
    assert unplaced == report.n_rejected  # nothing else rejected, nothing dropped silently
    assert report.accepted > rows / 2
    assert f"{report.n_rejected} ligne(s) rejetée(s)" in report.to_text()
    cams = report.frames["cameras"]
    lon, lat = cams.geometry.x, cams.geometry.y
    assert lon.between(2.2, 2.5).all() and lat.between(48.8, 48.91).all()


def test_prefecture_2013_cameras_outside_flagged_not_dropped(shared_data: Path,
                                                             paris_store: Path) -> None:
    path = shared_data / "videoprotection/paris_pvpp_cameras_prefecture_2013.geojson"
    report = pipeline.run("cameras", [path], store_path=paris_store)
    assert report.accepted == 1389 and report.n_rejected == 0
    cams = store_mod.open_store(paris_store).read("cameras")
    assert len(cams) == 1389
    assert int(cams["outside_territory"].sum()) == 37
    # The same 37 as the publisher's own flag against the same simplified polygon.
    assert (cams["outside_territory"] == ~cams["in_paris_polygon"].astype(bool)).all()


@pytest.mark.parametrize(("name", "count", "id_sample"), [
    ("paris_quartiers_administratifs.geojson", 80, "7510101"),
    ("paris_arrondissements.geojson", 20, "75101"),
])
def test_quartiers_and_arrondissements_as_quartiers(shared_data: Path, paris_store: Path,
                                                    name: str, count: int,
                                                    id_sample: str) -> None:
    report = pipeline.run("boundaries", [shared_data / "areas" / name], store_path=paris_store,
                          options=ImportOptions(as_layer="quartiers"))
    assert report.accepted == count
    q = store_mod.open_store(paris_store).read("quartiers")
    assert len(q) == count and id_sample in set(q["quartier_id"])
    assert set(q["insee_code"]) == {"75056"}
    area_km2 = q.to_crs(2154).area.sum() / 1e6
    assert area_km2 == pytest.approx(105.4, abs=0.5)


def test_iris_keep_census_columns(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    pipeline.run("boundaries", [shared_data / "areas/paris_iris_2013_rp2011_csp.geojson"],
                 store_path=path, options=ImportOptions(as_layer="quartiers"))
    iris = store_mod.open_store(path).read("quartiers")
    assert len(iris) == 992
    assert int(iris["C11_POP15P"].sum()) == 1926666
    cs = [f"C11_POP15P_CS{i}" for i in range(1, 9)]
    # INSEE rounds each count, so the eight groups add up to the total within a few units.
    assert (iris[cs].sum(axis=1) - iris["C11_POP15P"]).abs().max() <= 8
    assert iris["quartier_id"].str.len().eq(9).all()


def test_colleges_stations_bars_hospitals(shared_data: Path, paris_store: Path) -> None:
    cases = [("schools/paris_colleges_men_2024.csv.gz", {"college"}, 217),
             ("transport/paris_gares_stations_idfm.csv.gz", {"gare"}, 306),
             ("osm/paris_osm_bars_2021.csv.gz", {"debit_boissons"}, 1403)]
    for rel, kinds, count in cases:
        report = pipeline.prepare("facilities", [shared_data / rel], store_path=paris_store)
        fac = report.frames["equipements"]
        assert set(fac["kind"]) == kinds, rel
        assert len(fac) == count, rel
        assert fac["name"].notna().all()
    report = pipeline.prepare("facilities",
                              [shared_data / "facilities/france_hospitals_eurostat_2020.csv.gz"],
                              store_path=paris_store)
    fac = report.frames["equipements"]
    assert set(fac["kind"]) == {"hopital"}
    # 121 sites in the city itself, plus those within the 5 km margin (flagged).
    inside = int((~fac["outside_territory"]).sum())
    assert 110 <= inside <= 125
    assert report.rejected["motif"].str.startswith("point hors du territoire").all()


def test_one_point_per_station(shared_data: Path) -> None:
    path = shared_data / "transport/paris_gares_stations_idfm.csv.gz"
    fac = pipeline.prepare("facilities", [path]).frames["equipements"]
    assert fac["name"].is_unique
    est = fac[fac["name"] == "Gare de l'Est"]
    assert len(est) == 1
    assert "METRO 4" in est["lines"].iloc[0] and "TRAIN" in est["lines"].iloc[0]


def test_portland_districts_as_sectors(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    report = pipeline.run("sectors", [shared_data / "crime/portland_police_districts.geojson"],
                          store_path=path, options=ImportOptions(force="police_nationale"))
    assert report.accepted == 60
    assert any("polygone invalide réparé" in k for k in report.fixes)
    sect = store_mod.open_store(path).read("secteurs")
    assert len(sect) == 60 and sect.is_valid.all()
    lon, lat = sect.union_all().centroid.coords[0]
    assert -122.8 < lon < -122.4 and 45.4 < lat < 45.7


def test_portland_calls_in_feet_land_on_the_published_positions(shared_data: Path,
                                                                 tmp_path: Path) -> None:
    src = pd.read_csv(shared_data / "crime/portland_cfs_2016-08.csv.gz", dtype=str)
    feet_only = tmp_path / "portland_feet.csv"
    src.drop(columns=["lon", "lat"]).to_csv(feet_only, index=False)
    options = ImportOptions(mapping=FIXTURES / "portland_categories.csv")
    report = pipeline.prepare("incidents", [feet_only], options=options)
    inc = report.frames["incidents"]
    assert "EPSG:2913" in report.files[0].crs
    # 87 burglaries + 198 vehicle thefts + 3,342 street crimes; OTHER is unmapped.
    assert len(inc) == 87 + 198 + 3342
    assert report.unmapped["OTHER"] == 15748
    assert inc["category"].value_counts()["cambriolage"] == 87
    published = src.loc[~src["CATEGORY"].isin(["OTHER"]) & src["lon"].notna()]
    merged = inc.assign(line=inc["incident_id"].str.split(":").str[1].astype(int))
    ref = published.assign(line=published.index + 2)
    both = merged.merge(ref, on="line")
    assert len(both) == len(inc)
    ours = gpd.GeoSeries(both.geometry, crs=4326).to_crs(32610)
    theirs = gpd.GeoSeries(gpd.points_from_xy(both["lon"].astype(float),
                                              both["lat"].astype(float)),
                           crs=4326).to_crs(32610)
    assert np.asarray(ours.distance(theirs)).max() < 1.0  # metres
    assert not any(c in inc.columns for c in ("CASE_DESC", "CALL_GROUP"))


def test_portland_incidents_get_their_district(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    pipeline.run("boundaries", [shared_data / "crime/portland_police_districts.geojson"],
                 store_path=path, options=ImportOptions(as_layer="quartiers"))
    pipeline.run("incidents", [shared_data / "crime/portland_cfs_2016-08.csv.gz"],
                 store_path=path,
                 options=ImportOptions(mapping=FIXTURES / "portland_categories.csv"))
    inc = store_mod.open_store(path).read("incidents")
    assert inc["quartier_id"].notna().mean() > 0.99


def _baac_2023(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "accidents/baac_layout2019_2023").glob("*.csv.gz"))


def test_baac_2023_four_files(shared_data: Path, tmp_path: Path) -> None:
    files = _baac_2023(shared_data)
    report = pipeline.run("accidents", files, store_path=tmp_path / "b.gpkg")
    acc = store_mod.open_store(tmp_path / "b.gpkg").read("accidents")
    assert len(acc) == 30 and report.n_rejected == 0
    with gzip.open(files[2], "rt", encoding="utf-8") as fh:
        usagers = pd.read_csv(fh, sep=";", dtype=str)
    grav = usagers["grav"].str.strip().astype(int).value_counts()
    assert acc["killed"].sum() == grav.get(2, 0)
    assert acc["hospitalised"].sum() == grav.get(3, 0)
    assert acc["slightly_injured"].sum() == grav.get(4, 0)
    first = acc.set_index("accident_id").loc["202300000002"]
    assert "pieton" in first["user_types"]
    # lieux-2023: accident 1 is on RUE DE RIVOLI, catr 4 (voie communale).
    assert acc.set_index("accident_id").loc["202300000001", "road_category"] == "voie communale"
    assert any("virgule décimale" in k for k in report.fixes)


def test_baac_2023_overseas_points_measured_locally(shared_data: Path) -> None:
    acc = pipeline.prepare("accidents", _baac_2023(shared_data)).frames["accidents"]
    epsg = acc.set_index("insee_code")["local_epsg"]
    assert epsg["97226"] == 5490  # Martinique: RGAF09 / UTM 20N
    assert epsg["97414"] == 2975  # La Réunion: RGR92 / UTM 40S
    assert epsg["75101"] == 2154
    reunion = acc[acc["insee_code"] == "97414"]
    assert -21.5 < reunion.geometry.y.iloc[0] < -20.8


def test_baac_2016_detail_files_alone_ask_for_caracteristiques(shared_data: Path) -> None:
    files = sorted((shared_data / "accidents/baac_layout2005_2016").glob("*.csv.gz"))
    with pytest.raises(SchemaError, match="caractéristiques"):
        pipeline.prepare("accidents", files)


def test_baac_2016_old_layout_joined(shared_data: Path) -> None:
    files = sorted((shared_data / "accidents/baac_layout2005_2016").glob("*.csv.gz"))
    files += [FIXTURES / "baac2016_caracteristiques_fictif.csv",
              FIXTURES / "baac2016_usagers_fictif.csv"]
    report = pipeline.prepare("accidents", files)
    acc = report.frames["accidents"].set_index("accident_id")
    assert len(acc) == 3
    roles = {f.name: f.role for f in report.files}
    assert "format 2005-2018" in roles["vehicules_2016.csv.gz"]
    # Real vehicules_2016: accident 1 involves a car (catv 07) and a moped (catv 02).
    assert acc.loc["201600000001", "user_types"] == "deux_roues_motorise;vl"
    assert acc.loc["201600000002", "killed"] == 1
    assert acc.loc["201600000002", "user_types"] == "pieton;vl"
    assert acc.loc["201600000001", "insee_code"] == "59005"
    pt = acc.loc["201600000001", "geometry"]
    assert (pt.x, pt.y) == pytest.approx((2.917, 50.515))


def test_crossing_geocoding_agrees_with_the_published_geocoding(shared_data: Path) -> None:
    vp = shared_data / "videoprotection"
    ours = pipeline.prepare(
        "cameras", [vp / "paris_pvpp_annexe1_prefecture_2019.csv"],
        options=ImportOptions(geocode_with=vp / "paris_street_intersections_osm.csv.gz"),
    ).frames["cameras"]
    ref = pipeline.prepare("cameras", [vp / "paris_cameras_geocoded_2019.csv"]).frames["cameras"]
    both = ours.merge(ref[["camera_id", "geometry"]], on="camera_id", suffixes=("", "_ref"))
    assert len(both) == 707  # every site the author placed, we place too
    gap = (gpd.GeoSeries(both["geometry"], crs=4326).to_crs(2154)
           .distance(gpd.GeoSeries(both["geometry_ref"], crs=4326).to_crs(2154)))
    assert gap.median() < 1 and gap.max() < 100  # metres
