"""The data model: every layer's columns, types and allowed values, in one place.

Each layer of the store is described once by a :class:`LayerSchema`. :func:`validate`
runs every check and raises one :class:`SchemaError` listing all problems (in French);
:func:`conform` casts a frame to the schema's dtypes before it is written.
:func:`markdown` renders the whole model as the README's "Data model" section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, config, vocab
from clspd_geo.errors import SchemaError

Dtype = Literal["str", "int", "float", "bool", "datetime", "date"]


@dataclass(frozen=True)
class Column:
    """One column of a layer."""

    name: str
    dtype: Dtype
    description: str
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class LayerSchema:
    """A layer of the store: name, id column, columns and geometry."""

    name: str
    title: str
    description: str
    id_column: str | None
    columns: tuple[Column, ...]
    geometry_types: tuple[str, ...]
    extra_ok: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)
    geometry_optional: bool = False

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        """Names of the schema's columns, in order."""
        return [c.name for c in self.columns]


_CATS = tuple(c.code for c in vocab.INCIDENT_CATEGORIES)
_KINDS = tuple(k.code for k in vocab.FACILITY_KINDS)

TERRITOIRE = LayerSchema(
    "territoire", "Territoire",
    "The communes the CLSPD covers: one, or several for an intercommunal CISPD.",
    "insee_code",
    (
        Column("insee_code", "str", "INSEE code of the commune (5 characters, 2A/2B, 97x)"),
        Column("name", "str", "Name of the commune"),
        Column("population", "int", "Inhabitants (legal population)", nullable=True, minimum=0),
        Column("fictitious", "bool", "True for the demo territory", required=False),
    ),
    ("Polygon", "MultiPolygon"),
)

QUARTIERS = LayerSchema(
    "quartiers", "Quartiers",
    "Sub-areas of the territory (quartiers, IRIS, arrondissements), with the QPV flag.",
    "quartier_id",
    (
        Column("quartier_id", "str", "Identifier of the quartier"),
        Column("name", "str", "Name of the quartier"),
        Column("insee_code", "str", "INSEE code of the commune it belongs to"),
        Column("qpv", "bool", "Quartier prioritaire de la politique de la ville"),
        Column("population", "int", "Inhabitants, when known", nullable=True, minimum=0),
    ),
    ("Polygon", "MultiPolygon"),
)

CAMERAS = LayerSchema(
    "cameras", "Caméras de vidéoprotection",
    "Video-protection cameras and what they are meant to see.",
    "camera_id",
    (
        Column("camera_id", "str", "Identifier of the camera"),
        Column("name", "str", "Place name or label"),
        Column("kind", "str", "Kind of camera", allowed=tuple(vocab.CAMERA_KINDS)),
        Column("status", "str", "Status", allowed=tuple(vocab.CAMERA_STATUSES)),
        Column("bearing_deg", "float", "Viewing direction, degrees clockwise from north; "
               "empty for a 360° dome", nullable=True, minimum=0, maximum=360),
        Column("fov_deg", "float", "Horizontal field of view in degrees (360 for a dome)",
               minimum=0, maximum=360),
        Column("range_m", "float", "Useful range in metres", minimum=0),
        Column("operator", "str", "Operator", allowed=tuple(vocab.CAMERA_OPERATORS)),
        Column("commissioned_on", "date", "Commissioning date", nullable=True),
        Column("resolution_px", "float", "Horizontal sensor resolution in pixels (for DORI "
               "distances)", required=False, nullable=True, minimum=0),
        Column("lens_fov_deg", "float", "Horizontal field of view of the lens in degrees, "
               "when it differs from fov_deg (a dome sweeps 360° with a narrower lens)",
               required=False, nullable=True, minimum=0, maximum=360),
        Column("insee_code", "str", "INSEE code of its commune (filled by the store's writers "
               "from the territoire polygons)", required=False, nullable=True),
    ),
    ("Point",),
)

SECTEURS = LayerSchema(
    "secteurs", "Secteurs de patrouille",
    "Patrol sectors of each force.",
    "sector_id",
    (
        Column("sector_id", "str", "Identifier of the sector"),
        Column("name", "str", "Name of the sector"),
        Column("force", "str", "Force patrolling it", allowed=tuple(vocab.FORCES)),
    ),
    ("Polygon", "MultiPolygon"),
)

INCIDENTS = LayerSchema(
    "incidents", "Faits et incidents",
    "Recorded incidents, one point each, with a category from the vocabulary.",
    "incident_id",
    (
        Column("incident_id", "str", "Identifier of the incident"),
        Column("occurred_at", "datetime", "Date and time (local time)"),
        Column("category", "str", "Category (its action field and sensitivity come from the "
               "vocabulary)", allowed=_CATS),
        Column("quartier_id", "str", "Quartier it falls in (filled by the store's writers)",
               required=False, nullable=True),
        Column("insee_code", "str", "INSEE code of its commune (filled by the store's writers "
               "from the territoire polygons)", required=False, nullable=True),
    ),
    ("Point",),
    notes=("No names, no free text: a point, a time and a category (CNIL guidance to town "
           "halls).",),
)

EQUIPEMENTS = LayerSchema(
    "equipements", "Équipements partenaires",
    "Partner facilities of every CLSPD member, and places of interest.",
    "facility_id",
    (
        Column("facility_id", "str", "Identifier of the facility"),
        Column("name", "str", "Name"),
        Column("kind", "str", "Kind (its partner and action fields come from the vocabulary)",
               allowed=_KINDS),
        Column("address", "str", "Postal address", required=False, nullable=True),
        Column("confidential", "bool", "Address must not be shown outside police "
               "(e.g. victim shelters)", required=False),
        Column("insee_code", "str", "INSEE code of its commune (filled by the store's writers "
               "from the territoire polygons)", required=False, nullable=True),
    ),
    ("Point",),
)

ACCIDENTS = LayerSchema(
    "accidents", "Accidents de la route",
    "Injury road accidents (BAAC).",
    "accident_id",
    (
        Column("accident_id", "str", "Identifier (BAAC Num_Acc when known)"),
        Column("occurred_at", "datetime", "Date and time"),
        Column("killed", "int", "Killed within 30 days", minimum=0),
        Column("hospitalised", "int", "Hospitalised over 24 h", minimum=0),
        Column("slightly_injured", "int", "Slightly injured", minimum=0),
        Column("user_types", "str", "Road users involved, codes joined by ';' ("
               + ", ".join(vocab.ROAD_USERS) + ")"),
        Column("insee_code", "str", "INSEE code of its commune (filled by the store's writers "
               "from the territoire polygons)", required=False, nullable=True),
    ),
    ("Point",),
)

VOIES = LayerSchema(
    "voies", "Voies principales",
    "Main roads and railway lines (optional; used to draw and to snap road-safety hotspots).",
    "road_id",
    (
        Column("road_id", "str", "Identifier of the road"),
        Column("name", "str", "Name"),
        Column("kind", "str", "Kind of way", allowed=("principale", "secondaire", "voie_ferree")),
    ),
    ("LineString", "MultiLineString"),
)

SECTEURS_PROPOSES = LayerSchema(
    "secteurs_proposes", "Secteurs proposés",
    "A balanced sector redesign (optional; written by the sector redesign, see docs/police.md).",
    "sector_id",
    (
        Column("sector_id", "str", "Identifier of the proposed sector"),
        Column("name", "str", "Name of the proposed sector"),
        Column("force", "str", "Force it is proposed for", allowed=tuple(vocab.FORCES)),
        Column("workload", "float", "Severity-weighted incidents it would carry", minimum=0),
        Column("n_blocks", "int", "Building blocks (quartiers or grid cells) it groups",
               minimum=1),
        Column("polsby_popper", "float", "Compactness 4πA/P² (1 = disc)", minimum=0, maximum=1),
        Column("max_distance_m", "float", "Largest straight-line distance across it, metres",
               minimum=0),
    ),
    ("Polygon", "MultiPolygon"),
)

# The CLSPD action plan (issue 8): edited in the app; statuses are labelled in actions.py.
ACTION_STATUSES = ("prevue", "en_cours", "realisee", "suspendue")
ACTIONS = LayerSchema(
    "actions", "Plan d'action du CLSPD",
    "Actions of the CLSPD action plan (optional; edited in the app). The point is optional: "
    "an action may be placed by its quartier alone, or concern the whole territory.",
    "action_id",
    (
        Column("action_id", "str", "Identifier of the action"),
        Column("title", "str", "Title of the action"),
        Column("field", "str", "Action field",
               allowed=tuple(f.code for f in vocab.ACTION_FIELDS)),
        Column("lead_partner", "str", "Lead partner",
               allowed=tuple(p.code for p in vocab.PARTNERS)),
        Column("partners", "str", "Other partners, codes joined by ';'", nullable=True),
        Column("quartier_id", "str", "Quartier concerned (empty: the whole territory)",
               nullable=True),
        Column("place", "str", "Place, in words", required=False, nullable=True),
        Column("status", "str", "Status", allowed=ACTION_STATUSES),
        Column("start_on", "date", "Start date", nullable=True),
        Column("end_on", "date", "End date", nullable=True),
        Column("indicator", "str", "Indicator followed", nullable=True),
    ),
    ("Point",),
    geometry_optional=True,
)

QPV = LayerSchema(
    "qpv", "Quartiers prioritaires (QPV)",
    "Contours of the quartiers prioritaires de la politique de la ville (ANCT), an overlay "
    "(optional; the import also sets the quartiers' qpv flag, see docs).",
    "qpv_id",
    (
        Column("qpv_id", "str", "QPV code (QPxxxxxx for the 2015 generation, QNxxxxxM for "
               "2024)"),
        Column("name", "str", "Name of the QPV"),
        Column("generation", "str", "Generation of the contours", allowed=("2015", "2024")),
    ),
    ("Polygon", "MultiPolygon"),
)

STAT_LEVELS = ("commune", "departement", "region", "france")
STATISTIQUES = LayerSchema(
    "statistiques", "Statistiques officielles",
    "Yearly recorded-crime aggregates of the SSMSI bases (optional; no geometry: joined to "
    "the territory by its code).",
    "stat_id",
    (
        Column("stat_id", "str", "Identifier: level:territory:year:indicator"),
        Column("territory_code", "str", "INSEE code of the commune, département or région "
               "(FR for France)"),
        Column("level", "str", "Territorial level", allowed=STAT_LEVELS),
        Column("year", "int", "Year of the facts", minimum=1990, maximum=2100),
        Column("indicator", "str", "Indicator as the SSMSI names it"),
        Column("category", "str", "Incident category it corresponds to (vocabulary), "
               "empty when none does", nullable=True, allowed=_CATS),
        Column("unit", "str", "Counting unit (victime, infraction, véhicule, mis en cause)"),
        Column("count", "float", "Number of facts; empty when not diffused (never 0 for "
               "unknown)", nullable=True, minimum=0),
        Column("rate_per_1000", "float", "Rate per 1,000 inhabitants (or housings)",
               nullable=True, minimum=0),
        Column("population", "int", "Population the rate is computed on", nullable=True,
               minimum=0),
        Column("diffused", "bool", "False when the SSMSI did not diffuse the count "
               "(secret: fewer than 5 facts in a small commune)"),
    ),
    ("Point",),
    geometry_optional=True,
    notes=("Public aggregates: no fact, no place below the commune.",),
)

CARREAUX = LayerSchema(
    "carreaux", "Population carroyée (Filosofi)",
    "INSEE Filosofi grid cells (200 m): where people live, and poverty and social housing "
    "(optional; the cell is decoded from its INSPIRE id).",
    "cell_id",
    (
        Column("cell_id", "str", "INSPIRE id of the cell (CRS3035RES200mN…E…)"),
        Column("population", "float", "Inhabitants (Filosofi ind; imputed, may be "
               "fractional)", minimum=0),
        Column("households", "float", "Households (men)", nullable=True, minimum=0),
        Column("poor_households", "float", "Households below the poverty line (men_pauv)",
               nullable=True, minimum=0),
        Column("social_housing", "float", "Social housing units (log_soc)", nullable=True,
               minimum=0),
    ),
    ("Polygon",),
    notes=("Age bands (ind_0_3 … ind_80p) are kept as extra columns.",),
)

LAYERS: dict[str, LayerSchema] = {
    s.name: s for s in (TERRITOIRE, QUARTIERS, CAMERAS, SECTEURS, INCIDENTS, EQUIPEMENTS,
                        ACCIDENTS, VOIES, SECTEURS_PROPOSES, ACTIONS, QPV, STATISTIQUES,
                        CARREAUX)
}
# The layers every store must hold; the others are optional.
REQUIRED_LAYERS = ("territoire", "quartiers", "cameras", "secteurs", "incidents", "equipements",
                   "accidents")


def schema(name: str) -> LayerSchema:
    """Return the schema of a layer by name."""
    try:
        return LAYERS[name]
    except KeyError:
        known = ", ".join(LAYERS)
        msg = f"La couche « {name} » n'existe pas dans le modèle de données (couches : {known})."
        raise SchemaError(msg) from None


def _bad_values(series: pd.Series, col: Column) -> pd.Series:
    """Return a boolean mask of values that break the column's rule."""
    present = series.notna()
    bad = pd.Series(False, index=series.index)
    if col.allowed:
        bad |= present & ~series.astype("string").isin(col.allowed)
    if col.dtype in ("int", "float") and (col.minimum is not None or col.maximum is not None):
        num = pd.to_numeric(series, errors="coerce")
        bad |= present & num.isna()
        if col.minimum is not None:
            bad |= num < col.minimum
        if col.maximum is not None:
            bad |= num > col.maximum
    if col.dtype != "str":
        # Values conform() could not cast: a word in a number or date column, 12.5 in an
        # int column, "peut-être" in a boolean one (validate may see unconformed frames).
        bad |= _cast(series, col.dtype)[1].to_numpy(dtype=bool)
    return bad


def validate(gdf: gpd.GeoDataFrame, layer: LayerSchema | str) -> gpd.GeoDataFrame:
    """Check ``gdf`` against its schema and return it unchanged when it passes.

    Every check runs; all problems are reported together in one :class:`SchemaError`
    (missing columns, null or disallowed values, duplicate ids, null, empty or invalid
    geometries, wrong geometry types, missing or wrong CRS).
    """
    sch = schema(layer) if isinstance(layer, str) else layer
    problems: list[str] = []
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise SchemaError(f"La couche « {sch.name} » n'est pas une couche géographique.")
    if gdf.crs is None:
        problems.append("pas de système de coordonnées (attendu : EPSG:4326)")
    elif gdf.crs.to_epsg() != 4326:
        problems.append(f"système de coordonnées {gdf.crs.to_string()} au lieu de EPSG:4326")
    missing = [c.name for c in sch.columns if c.required and c.name not in gdf.columns]
    if missing:
        problems.append("colonnes manquantes : " + ", ".join(missing))
    for col in sch.columns:
        if col.name not in gdf.columns:
            continue
        series = gdf[col.name]
        if not col.nullable and col.required and series.isna().any():
            n = int(series.isna().sum())
            problems.append(f"{_format.count(n, 'valeur vide')} dans « {col.name} »")
        bad = _bad_values(series, col)
        if bad.any():
            sample = ", ".join(map(str, series[bad].astype(str).unique()[:5]))
            refused = _format.count(int(bad.sum()), "valeur non admise", "valeurs non admises")
            problems.append(f"{refused} dans « {col.name} » "
                            f"(par ex. {sample})")
    if sch.id_column and sch.id_column in gdf.columns:
        dup = gdf[sch.id_column].duplicated(keep=False) & gdf[sch.id_column].notna()
        if dup.any():
            sample = ", ".join(map(str, gdf.loc[dup, sch.id_column].unique()[:5]))
            doubled = _format.count(int(dup.sum()), "identifiant en double",
                                    "identifiants en double")
            problems.append(f"{doubled} dans "
                            f"« {sch.id_column} » (par ex. {sample})")
    geom = gdf.geometry
    n_null = int(geom.isna().sum())
    if n_null and not sch.geometry_optional:
        problems.append(_format.count(n_null, "géométrie absente"))
    present = geom[~geom.isna()]
    if len(present):
        n_empty = int(present.is_empty.sum())
        if n_empty:
            problems.append(_format.count(n_empty, "géométrie vide"))
        types = present.geom_type
        wrong = ~types.isin(sch.geometry_types)
        if wrong.any():
            problems.append(f"{_format.count(int(wrong.sum()), 'géométrie')} de type "
                            f"{', '.join(sorted(types[wrong].unique()))} "
                            f"(attendu : {', '.join(sch.geometry_types)})")
        invalid = ~present.is_valid & ~present.is_empty
        if invalid.any():
            problems.append(f"{_format.count(int(invalid.sum()), 'géométrie invalide')} "
                            "(polygones qui se recoupent, par exemple)")
    if problems:
        msg = (f"La couche « {sch.name} » ({sch.title}) ne respecte pas le modèle de données : "
               + " ; ".join(problems)
               + ". Corrigez le fichier source ou réimportez-le.")
        raise SchemaError(msg)
    return gdf


_EXPECTED = {"str": "du texte", "int": "un nombre entier", "float": "un nombre",
             "bool": "oui ou non", "datetime": "une date et heure (AAAA-MM-JJ HH:MM:SS)",
             "date": "une date (AAAA-MM-JJ)"}
_TRUE_WORDS = ("true", "vrai", "oui", "yes", "o", "y", "t", "1", "1.0")
_FALSE_WORDS = ("false", "faux", "non", "no", "n", "f", "0", "0.0", "")


def _naive_datetimes(s: pd.Series) -> pd.Series:
    """Parse ``s`` as datetimes; aware ones keep their local wall-clock time, unreadable -> NaT."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_localize(None)
    try:
        parsed = pd.to_datetime(s, errors="coerce", format="ISO8601")
    except (ValueError, TypeError):
        # Mixed UTC offsets (winter and summer time in one file): parse value by value.
        stamps = []
        for value in s:
            stamp = pd.to_datetime(value, errors="coerce")
            stamps.append(stamp.tz_localize(None) if getattr(stamp, "tz", None) else stamp)
        parsed = pd.Series(stamps, index=s.index, dtype="datetime64[us]")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _cast(s: pd.Series, dtype: Dtype) -> tuple[pd.Series, pd.Series]:
    """Cast a column to a schema dtype; return it with the mask of values that could not be."""
    present = s.notna().to_numpy()
    if dtype == "str":
        return s.astype("string").astype(object).where(present, None), pd.Series(
            False, index=s.index)
    if dtype in ("int", "float"):
        num = pd.to_numeric(s, errors="coerce").astype("float64")
        bad = present & num.isna().to_numpy()
        if dtype == "int":
            bad |= (num.notna() & (num % 1 != 0)).to_numpy()
            return num.where(~bad).astype("Int64"), pd.Series(bad, index=s.index)
        return num, pd.Series(bad, index=s.index)
    if dtype == "bool":
        if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
            return s.astype(bool), pd.Series(False, index=s.index)
        text = s.astype("string").str.strip().str.lower()
        known = text.isin(_TRUE_WORDS + _FALSE_WORDS).to_numpy(dtype=bool, na_value=False)
        values = text.isin(_TRUE_WORDS).to_numpy(dtype=bool, na_value=False)
        return (pd.Series(values, index=s.index),
                pd.Series(present & ~known, index=s.index))
    stamps = _naive_datetimes(s)
    bad = pd.Series(present & stamps.isna().to_numpy(), index=s.index)
    if dtype == "date":
        stamps = stamps.dt.normalize()
    return stamps.astype("datetime64[ms]"), bad


def conform(gdf: gpd.GeoDataFrame, layer: LayerSchema | str) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` with the schema's columns cast to their dtypes.

    Columns are ordered as in the schema, then extra columns, then geometry. Timezone-aware
    datetimes keep their local wall-clock time (the schema stores local time). Booleans may
    be written as text (oui/non, vrai/faux, true/false, 1/0).

    Raises
    ------
    SchemaError
        Some values cannot be cast (a word in a number column, 12.5 in an integer column,
        an unreadable date, "peut-être" in a boolean column); all are listed at once.
    """
    sch = schema(layer) if isinstance(layer, str) else layer
    out = gdf.copy()
    problems: list[str] = []
    for col in sch.columns:
        if col.name not in out.columns:
            if col.required:
                continue
            out[col.name] = None
        s = out[col.name]
        cast, bad = _cast(s, col.dtype)
        out[col.name] = cast
        if bad.any():
            sample = ", ".join(map(str, s[bad].astype(str).unique()[:5]))
            problems.append(f"« {col.name} » attend {_EXPECTED[col.dtype]} : "
                            f"{_format.count(int(bad.sum()), 'valeur illisible')} "
                            f"(par ex. {sample})")
    if problems:
        msg = (f"La couche « {sch.name} » ({sch.title}) contient des valeurs impossibles à "
               "convertir : " + " ; ".join(problems)
               + ". Corrigez le fichier source ou réimportez-le.")
        raise SchemaError(msg)
    geom_name = out.geometry.name
    ordered = [c for c in sch.column_names if c in out.columns]
    rest = [c for c in out.columns if c not in ordered and c != geom_name]
    return out[ordered + rest + [geom_name]]


def empty(layer: LayerSchema | str) -> gpd.GeoDataFrame:
    """Return an empty frame with the schema's columns, in EPSG:4326."""
    sch = schema(layer) if isinstance(layer, str) else layer
    data = {c.name: pd.Series([], dtype=object) for c in sch.columns}
    return conform(gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=config.STORAGE_CRS)),
                   sch)


def markdown() -> str:
    """Render the data model as Markdown (the README's "Data model" section)."""
    lines: list[str] = []
    for sch in LAYERS.values():
        lines.append(f"### `{sch.name}` — {sch.title}")
        lines.append("")
        id_text = f" Id column: `{sch.id_column}`." if sch.id_column else ""
        optional = " (optional)" if sch.geometry_optional else ""
        lines.append(f"{sch.description} Geometry: {' or '.join(sch.geometry_types)}{optional}, "
                     f"EPSG:4326.{id_text}")
        lines.append("")
        lines.append("| column | type | required | allowed values | description |")
        lines.append("| --- | --- | --- | --- | --- |")
        for c in sch.columns:
            allowed = ""
            if c.allowed:
                allowed = "vocabulary: " + ", ".join(f"`{a}`" for a in c.allowed[:8])
                if len(c.allowed) > 8:
                    allowed += f" … ({len(c.allowed)} codes)"
            elif c.minimum is not None or c.maximum is not None:
                lo = "" if c.minimum is None else f"≥ {c.minimum:g}"
                hi = "" if c.maximum is None else f"≤ {c.maximum:g}"
                allowed = " and ".join(x for x in (lo, hi) if x)
            req = "yes" if c.required else "no"
            if c.nullable:
                req += " (may be empty)"
            lines.append(f"| `{c.name}` | {c.dtype} | {req} | {allowed} | {c.description} |")
        for note in sch.notes:
            lines.append("")
            lines.append(note)
        lines.append("")
    return "\n".join(lines)


def finite_points(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Return an ``(n, 2)`` array of point coordinates (NaN where missing)."""
    geom = gdf.geometry
    out = np.full((len(gdf), 2), np.nan)
    ok = ~geom.isna().to_numpy() & ~geom.is_empty.to_numpy()
    if ok.any():
        out[ok, 0] = geom[ok].x.to_numpy()
        out[ok, 1] = geom[ok].y.to_numpy()
    return out
