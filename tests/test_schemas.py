"""Tests of the data model: validate collects every problem, conform casts, empty, markdown."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from conftest import make_valid_layers
from shapely.geometry import Point, Polygon, box

from clspd_geo import schemas
from clspd_geo.errors import ClspdGeoError, SchemaError

LAYER_NAMES = sorted(schemas.LAYERS)
BOWTIE = Polygon([(2.30, 48.80), (2.32, 48.82), (2.32, 48.80), (2.30, 48.82)])  # self-crossing


# -- the model --------------------------------------------------------------------------------
def test_layer_names_are_the_data_model_ones():
    assert set(schemas.REQUIRED_LAYERS) == {
        "territoire", "quartiers", "cameras", "secteurs", "incidents", "equipements",
        "accidents"}
    assert set(schemas.REQUIRED_LAYERS) <= set(schemas.LAYERS)
    for name, sch in schemas.LAYERS.items():
        assert sch.name == name
        assert sch.id_column in sch.column_names
        assert len(set(sch.column_names)) == len(sch.column_names)


def test_every_layer_has_a_valid_test_frame():
    missing = set(schemas.LAYERS) - set(make_valid_layers())
    assert not missing, f"add a valid frame for {missing} to make_valid_layers (conftest.py)"


def test_unknown_layer_is_a_french_schema_error():
    with pytest.raises(SchemaError, match="« routes » n'existe pas") as info:
        schemas.schema("routes")
    assert "incidents" in str(info.value)  # lists the known layers


def test_vocabulary_columns_allow_exactly_the_vocabulary():
    assert set(schemas.schema("incidents").column("category").allowed) == {
        c.code for c in schemas.vocab.INCIDENT_CATEGORIES}
    assert set(schemas.schema("equipements").column("kind").allowed) == {
        k.code for k in schemas.vocab.FACILITY_KINDS}
    with pytest.raises(KeyError):
        schemas.schema("incidents").column("nope")


# -- validate ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", LAYER_NAMES)
def test_validate_passes_on_a_good_frame_and_returns_it(name):
    gdf = make_valid_layers()[name]
    assert schemas.validate(gdf, name) is gdf
    assert schemas.validate(schemas.conform(gdf, name), schemas.schema(name)) is not None


def test_validate_accepts_extra_columns_and_missing_optional_ones():
    gdf = make_valid_layers()["incidents"].drop(columns="quartier_id")
    gdf["note_interne"] = "x"
    schemas.validate(gdf, "incidents")


def _broken_sectors(crs: object) -> gpd.GeoDataFrame:
    """Sectors with one of each problem (but the CRS one, which the caller picks)."""
    return gpd.GeoDataFrame(
        {"sector_id": ["s1", "s1", "s3", "s4", "s5", "s6"],
         "force": ["police_nationale", "armee", "gendarmerie", "gendarmerie",
                   "police_municipale", "gendarmerie"]},  # no "name" column
        geometry=[box(2.30, 48.80, 2.31, 48.81), box(2.31, 48.80, 2.32, 48.81), None,
                  Point(2.33, 48.80), BOWTIE, Polygon()],
        crs=crs)


def test_validate_collects_every_problem_in_one_french_message():
    gdf = _broken_sectors(None)
    with pytest.raises(SchemaError) as info:
        schemas.validate(gdf, "secteurs")
    msg = str(info.value)
    assert msg.startswith("La couche « secteurs » (Secteurs de patrouille) ne respecte pas")
    expected = [
        "pas de système de coordonnées (attendu : EPSG:4326)",
        "colonnes manquantes : name",
        "1 valeur non admise dans « force » (par ex. armee)",
        "2 identifiants en double dans « sector_id » (par ex. s1)",
        "1 géométrie absente",
        "1 géométrie vide",
        "1 géométrie de type Point",
        "1 géométrie invalide",
    ]
    for part in expected:
        assert part in msg, part
    assert "Corrigez le fichier source" in msg  # says how to fix it


def test_validate_reports_a_wrong_crs_with_the_other_problems():
    gdf = _broken_sectors(4326).to_crs(2154)
    with pytest.raises(SchemaError) as info:
        schemas.validate(gdf, "secteurs")
    msg = str(info.value)
    assert "système de coordonnées EPSG:2154 au lieu de EPSG:4326" in msg
    assert "colonnes manquantes : name" in msg
    assert "2 identifiants en double" in msg


def test_validate_reports_nulls_and_out_of_range_values():
    gdf = make_valid_layers()["cameras"]
    gdf["camera_id"] = ["c1", None, "c3"]
    gdf["fov_deg"] = [60.0, 400.0, -1.0]
    gdf["range_m"] = ["50", "loin", 40]
    with pytest.raises(SchemaError) as info:
        schemas.validate(gdf, "cameras")
    msg = str(info.value)
    assert "1 valeur vide dans « camera_id »" in msg
    assert "2 valeurs non admises dans « fov_deg »" in msg
    assert "1 valeur non admise dans « range_m » (par ex. loin)" in msg


def test_validate_reports_values_of_the_wrong_type_in_an_unconformed_frame():
    gdf = make_valid_layers()["quartiers"]
    gdf["qpv"] = ["oui", "peut-être"]
    gdf["population"] = [12.5, 3]
    with pytest.raises(SchemaError) as info:
        schemas.validate(gdf, "quartiers")
    msg = str(info.value)
    assert "1 valeur non admise dans « qpv » (par ex. peut-être)" in msg
    assert "1 valeur non admise dans « population » (par ex. 12.5)" in msg
    inc = make_valid_layers()["incidents"]
    inc["occurred_at"] = ["2024-01-01", "hier", "2024-01-03", "2024-01-04", "2024-01-05",
                          "2024-01-06"]
    with pytest.raises(SchemaError, match=r"1 valeur non admise dans « occurred_at » "
                                          r"\(par ex. hier\)"):
        schemas.validate(inc, "incidents")


def test_validate_handles_missing_values_next_to_bad_ones_in_a_nullable_int():
    gdf = schemas.conform(make_valid_layers()["quartiers"], "quartiers")
    gdf["population"] = pd.array([-5, pd.NA], dtype="Int64")
    with pytest.raises(SchemaError, match=r"1 valeur non admise dans « population »"):
        schemas.validate(gdf, "quartiers")


def test_validate_refuses_a_plain_dataframe():
    with pytest.raises(SchemaError, match="« incidents » n'est pas une couche géographique"):
        schemas.validate(pd.DataFrame({"incident_id": ["a"]}), "incidents")


def test_schema_error_is_a_value_error_and_a_clspd_error():
    assert issubclass(SchemaError, ValueError)
    assert issubclass(SchemaError, ClspdGeoError)


# -- conform ----------------------------------------------------------------------------------
def test_conform_casts_dtypes_without_mutating_its_input():
    x0, y0 = 2.35, 48.85
    raw = gpd.GeoDataFrame(
        {"population": [5000.0, None], "quartier_id": [1, 2], "name": ["Nord", "Sud"],
         "insee_code": [75056, 75056], "qpv": [1, 0], "extra": ["a", "b"]},
        geometry=[box(x0, y0, x0 + 0.01, y0 + 0.01), box(x0 + 0.01, y0, x0 + 0.02, y0 + 0.01)],
        crs=4326)
    before = raw.copy()
    out = schemas.conform(raw, "quartiers")
    pd.testing.assert_frame_equal(raw, before)  # input untouched, dtypes included
    assert out is not raw
    assert list(out.columns) == ["quartier_id", "name", "insee_code", "qpv", "population",
                                 "extra", "geometry"]
    assert str(out["population"].dtype) == "Int64"
    assert out["population"].tolist()[0] == 5000 and out["population"].isna().tolist()[1]
    assert out["qpv"].dtype == bool and out["qpv"].tolist() == [True, False]
    assert out["quartier_id"].tolist() == ["1", "2"]
    assert out["insee_code"].tolist() == ["75056", "75056"]
    assert all(isinstance(v, str) for v in out["name"])
    schemas.validate(out, "quartiers")


def test_conform_parses_datetimes_and_keeps_missing_optional_values_empty():
    gdf = make_valid_layers()["incidents"]
    gdf["occurred_at"] = ["2024-01-01 10:00:00", "2024-01-02T11:30:15", "2024-01-03",
                          "2024-01-04 00:00:01", "2024-01-05 23:59:59", "2024-01-06 12:00"]
    gdf = gdf.drop(columns="quartier_id")
    before = gdf.copy()
    out = schemas.conform(gdf, "incidents")
    pd.testing.assert_frame_equal(gdf, before)
    assert out["occurred_at"].dtype == "datetime64[ms]"
    assert out["occurred_at"].iloc[1] == pd.Timestamp("2024-01-02 11:30:15")
    assert out["quartier_id"].isna().all()


def test_conform_normalises_dates_to_midnight():
    gdf = make_valid_layers()["cameras"]
    gdf["commissioned_on"] = [dt.date(2020, 5, 4), None, "2023-01-31 14:00"]
    out = schemas.conform(gdf, "cameras")
    assert out["commissioned_on"].iloc[0] == pd.Timestamp("2020-05-04")
    assert pd.isna(out["commissioned_on"].iloc[1])
    assert out["commissioned_on"].iloc[2] == pd.Timestamp("2023-01-31")


def test_conform_keeps_the_local_wall_time_of_timezone_aware_datetimes():
    gdf = make_valid_layers()["incidents"]
    gdf["occurred_at"] = pd.to_datetime(gdf["occurred_at"]).dt.tz_localize("Europe/Paris")
    out = schemas.conform(gdf, "incidents")
    assert out["occurred_at"].dtype == "datetime64[ms]"
    assert out["occurred_at"].iloc[1] == pd.Timestamp("2024-01-15 12:30:45")


def test_conform_keeps_local_time_across_summer_and_winter_offsets():
    gdf = make_valid_layers()["incidents"]
    gdf["occurred_at"] = ["2024-01-01T10:00:00+01:00", "2024-07-01T10:00:00+02:00",
                          "2024-03-31T01:59:59+01:00", "2024-03-31T03:00:00+02:00",
                          "2024-10-27T02:30:00+02:00", "2024-10-27T02:30:00+01:00"]
    out = schemas.conform(gdf, "incidents")
    assert out["occurred_at"].tolist() == [
        pd.Timestamp("2024-01-01 10:00:00"), pd.Timestamp("2024-07-01 10:00:00"),
        pd.Timestamp("2024-03-31 01:59:59"), pd.Timestamp("2024-03-31 03:00:00"),
        pd.Timestamp("2024-10-27 02:30:00"), pd.Timestamp("2024-10-27 02:30:00")]


@pytest.mark.parametrize(("values", "expected"), [
    (["oui", "non"], [True, False]),
    (["True", "false"], [True, False]),
    (["1", "0"], [True, False]),
    ([1.0, 0.0], [True, False]),
    ([True, None], [True, False]),
])
def test_conform_reads_booleans_written_as_text_or_numbers(values, expected):
    gdf = make_valid_layers()["quartiers"]
    gdf["qpv"] = values
    assert schemas.conform(gdf, "quartiers")["qpv"].tolist() == expected


@pytest.mark.parametrize(("column", "values", "bad"), [
    ("occurred_at", ["2024-01-01", "pas une date", "2024-01-03", "2024-01-04", "2024-01-05",
                     "2024-01-06"], "pas une date"),
])
def test_conform_names_values_it_cannot_cast(column, values, bad):
    gdf = make_valid_layers()["incidents"]
    gdf[column] = values
    with pytest.raises(SchemaError) as info:
        schemas.conform(gdf, "incidents")
    msg = str(info.value)
    assert "« incidents »" in msg and f"« {column} »" in msg and bad in msg


@pytest.mark.parametrize(("values", "bad"), [
    ([5000, "beaucoup"], "beaucoup"),
    ([5000, 12.5], "12.5"),
])
def test_conform_refuses_non_integer_values_in_an_int_column(values, bad):
    gdf = make_valid_layers()["quartiers"]
    gdf["population"] = values
    with pytest.raises(SchemaError) as info:
        schemas.conform(gdf, "quartiers")
    msg = str(info.value)
    assert "« population »" in msg and bad in msg


def test_conform_refuses_unknown_boolean_text():
    gdf = make_valid_layers()["quartiers"]
    gdf["qpv"] = ["oui", "peut-être"]
    with pytest.raises(SchemaError, match="peut-être"):
        schemas.conform(gdf, "quartiers")


# -- empty and markdown -----------------------------------------------------------------------
@pytest.mark.parametrize("name", LAYER_NAMES)
def test_empty_returns_a_valid_empty_frame(name):
    gdf = schemas.empty(name)
    sch = schemas.schema(name)
    assert isinstance(gdf, gpd.GeoDataFrame)
    assert len(gdf) == 0
    assert list(gdf.columns) == [*sch.column_names, "geometry"]
    assert gdf.crs.to_epsg() == 4326
    schemas.validate(gdf, name)
    for col in sch.columns:
        if col.dtype == "int":
            assert str(gdf[col.name].dtype) == "Int64"
        elif col.dtype in ("datetime", "date"):
            assert gdf[col.name].dtype == "datetime64[ms]"
        elif col.dtype == "bool":
            assert gdf[col.name].dtype == bool


def test_markdown_mentions_every_layer_and_column():
    text = schemas.markdown()
    for name, sch in schemas.LAYERS.items():
        assert f"### `{name}` — {sch.title}" in text
        assert f"Id column: `{sch.id_column}`" in text
        for col in sch.columns:
            assert f"| `{col.name}` | {col.dtype} |" in text, (name, col.name)


def test_markdown_keeps_the_description_of_a_layer_without_id(monkeypatch):
    sch = schemas.LayerSchema("zones", "Zones", "Free-form zones.", None,
                              (schemas.Column("label", "str", "Label"),), ("Polygon",))
    monkeypatch.setitem(schemas.LAYERS, "zones", sch)
    text = schemas.markdown()
    assert "Free-form zones. Geometry: Polygon, EPSG:4326." in text
    assert "| `label` | str |" in text


def test_finite_points_gives_nan_for_missing_geometries():
    gdf = gpd.GeoDataFrame(geometry=[Point(1, 2), None, Point()], crs=4326)
    xy = schemas.finite_points(gdf)
    assert xy.shape == (3, 2)
    assert xy[0].tolist() == [1.0, 2.0]
    assert pd.isna(xy[1:]).all()
