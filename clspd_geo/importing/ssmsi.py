"""Official recorded-crime statistics (SSMSI bases) into the ``statistiques`` layer.

The SSMSI (service statistique ministériel de la sécurité intérieure) publishes on
data.gouv.fr, each July, the facts recorded by police and gendarmerie by year and
indicator, for every commune, département and région. Three layouts are read, whichever
the level:

- 2024 edition and later: ``Code_departement`` / ``Code_region`` / ``CODGEO_2024``,
  ``annee``, ``indicateur``, ``unite_de_compte``, ``nombre``, ``taux_pour_mille``,
  ``insee_pop``, ``insee_log`` (communal base: also ``est_diffuse``);
- editions up to 2023: ``classe``, ``annee`` on two digits (``16``), ``Code.département`` /
  ``Code.région`` / ``CODGEO_2023``, ``unité.de.compte``, ``faits``, ``POP``, ``LOG``,
  ``tauxpourmille`` (decimal comma, sometimes scientific notation ``7,83e-03``; communal
  base: ``valeur.publiée``);
- a file with no territory column is national (level ``france``, code ``FR``).

A count the SSMSI did not diffuse (``est_diffuse`` ``ndiff``, statistical secret in small
communes) is stored empty with ``diffused`` False: unknown, never 0.

A file is refused whole (in French, with the file, the line and what to do) when its year
column is missing, when a (territory, year, indicator) appears twice, or when a rate
disagrees with count / population × 1,000 by more than :data:`RATE_TOLERANCE` (the rate of
``Cambriolages de logement`` is per 1,000 housings, ``insee_log``; the check accepts either
denominator, and the rounding of the written rate).

:data:`INDICATOR_CATEGORIES` maps each indicator to the incident category of the
vocabulary it counts; a total whose parts are mapped (« Coups et blessures volontaires »,
the 2023 sum of the intrafamilial and other ones) and the AFD / non-AFD split of drug use
are left unmapped, so that summing a category never counts a fact twice.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format
from clspd_geo.errors import SchemaError
from clspd_geo.importing import mapping
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

RATE_TOLERANCE = 0.01
"""Largest relative gap between a written rate and count / population × 1,000."""
INDICATOR_CATEGORIES: dict[str, str | None] = {
    "Homicides": None,
    "Tentatives d'homicide": None,
    "Violences physiques intrafamiliales": "violences_intrafamiliales",
    "Coups et blessures volontaires intrafamiliaux": "violences_intrafamiliales",
    "Violences physiques hors cadre familial": "coups_et_blessures",
    "Autres coups et blessures volontaires": "coups_et_blessures",
    "Coups et blessures volontaires": None,  # sum of the two lines above (2023 edition)
    "Violences sexuelles": "violences_sexuelles",
    "Vols avec armes": "vol_avec_violence",
    "Vols violents sans arme": "vol_avec_violence",
    "Vols sans violence contre des personnes": None,
    "Cambriolages de logement": "cambriolage",
    "Vols de véhicule": "vol_vehicule",
    "Vols de véhicules": "vol_vehicule",
    "Vols dans les véhicules": "vol_vehicule",
    "Vols d'accessoires sur véhicules": "vol_vehicule",
    "Destructions et dégradations volontaires": "degradation",
    "Escroqueries": None,
    "Escroqueries et fraudes aux moyens de paiement": None,
    "Trafic de stupéfiants": "trafic_stupefiants",
    "Usage de stupéfiants": "usage_stupefiants",
    "Usage de stupéfiants (AFD)": None,  # part of « Usage de stupéfiants »
    "Usage de stupéfiants (hors AFD)": None,
}
"""SSMSI indicator (both editions) -> incident category of the vocabulary, or None."""

_TERRITORY = (("commune", re.compile(r"(?i)^codgeo(_\d{4})?$")),
              ("departement", re.compile(r"(?i)^code[._]d[ée]partement$")),
              ("region", re.compile(r"(?i)^code[._]r[ée]gion$")))
_YEAR = ("annee", "année", "an")
_INDICATOR = ("indicateur", "classe")
_UNIT = ("unite_de_compte", "unité.de.compte", "unite.de.compte")
_COUNT = ("nombre", "faits")
_RATE = ("taux_pour_mille", "tauxpourmille")
_POP = ("insee_pop", "pop")
_LOG = ("insee_log", "log")
_DIFFUSED = ("est_diffuse", "valeur.publiée", "valeur.publiee")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")
_SHOWN = 3


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``statistiques`` layer (see :mod:`ssmsi`).

    Raises
    ------
    SchemaError
        A missing column, duplicated rows, or rates that disagree with their counts.
    """
    parts = [_one(src, log) for src in sources]
    out = pd.concat(parts, ignore_index=True)
    _check_duplicates(out)
    unmapped = sorted(set(out.loc[~out["indicator"].map(_key).isin(_KEYS), "indicator"]))
    if unmapped:
        log.note(f"{_format.plural(len(unmapped), 'indicateur')} sans catégorie d'incident "
                 "correspondante : "
                 + ", ".join(unmapped))
    return {"statistiques": gpd.GeoDataFrame(
        out, geometry=gpd.GeoSeries([None] * len(out), index=out.index, crs="EPSG:4326"),
        crs="EPSG:4326")}


def _key(label: object) -> str:
    return mapping.key(label or "")


_KEYS = {_key(k): v for k, v in INDICATOR_CATEGORIES.items()}


def numbers(series: pd.Series) -> pd.Series:
    """Return SSMSI numbers as floats: decimal comma, scientific notation; NA is empty."""
    text = series.astype("string").str.strip()
    ok = text.str.fullmatch(_NUMBER.pattern).fillna(False).astype(bool)
    return pd.to_numeric(text.where(ok).str.replace(",", ".", regex=False),
                         errors="coerce").astype(float)


def _column(src: Source, names: tuple[str, ...], what: str, *, required: bool = True
            ) -> str | None:
    col = src.column(*names)
    if col is None and required:
        msg = (f"Le fichier « {src.name} » n'a pas de colonne {what} (ligne 1, en-tête ; noms "
               f"acceptés : {', '.join(names)}). Colonnes trouvées : "
               f"{', '.join(map(str, src.frame.columns))}. Donnez le fichier tel que publié "
               "par le SSMSI sur data.gouv.fr, sans renommer ni supprimer de colonne ; la "
               "base n'a pas été modifiée.")
        raise SchemaError(msg)
    return col


def _level(src: Source) -> tuple[str, str | None]:
    for level, pattern in _TERRITORY:
        col = next((c for c in src.frame.columns if pattern.match(str(c))), None)
        if col is not None:
            return level, col
    return "france", None


def _one(src: Source, log: RowLog) -> pd.DataFrame:
    if src.is_vector:
        msg = (f"Le fichier « {src.name} » est une couche géographique : les bases "
               "statistiques du SSMSI sont des fichiers CSV (séparateur « ; »).")
        raise SchemaError(msg)
    df = src.frame
    level, code_col = _level(src)
    year_col = _column(src, _YEAR, "d'année (« annee »)")
    ind_col = _column(src, _INDICATOR, "d'indicateur (« indicateur » ou « classe »)")
    count_col = _column(src, _COUNT, "de nombre de faits (« nombre » ou « faits »)")
    unit_col = _column(src, _UNIT, "d'unité de compte", required=False)
    rate_col = _column(src, _RATE, "de taux", required=False)
    pop_col = _column(src, _POP, "de population", required=False)
    log_col = _column(src, _LOG, "de logements", required=False)
    diff_col = _column(src, _DIFFUSED, "de diffusion", required=False)
    year = _years(df[year_col], src, year_col)
    code = (df[code_col].astype("string").str.strip() if code_col else
            pd.Series("FR", index=df.index, dtype="string"))
    if level == "departement":
        code = code.str.zfill(2)
    count = numbers(df[count_col])
    diffused = pd.Series(True, index=df.index)
    if diff_col:
        diffused = ~df[diff_col].astype("string").str.strip().str.lower().isin(
            ["ndiff", "non diffusé", "non diffuse", "false", "0"]).fillna(False)
        if (~diffused).any():
            n = int((~diffused).sum())
            what = _format.count(n, "nombre non diffusé", "nombres non diffusés")
            kept = _format.plural(n, "enregistré comme inconnu", "enregistrés comme inconnus")
            log.note(f"{what} par le SSMSI (secret statistique) : {kept}, jamais 0")
    count = count.where(diffused)
    rate = numbers(df[rate_col]) if rate_col else pd.Series(np.nan, index=df.index)
    rate = rate.where(diffused)
    pop = numbers(df[pop_col]) if pop_col else pd.Series(np.nan, index=df.index)
    housing = numbers(df[log_col]) if log_col else pd.Series(np.nan, index=df.index)
    if rate_col:
        _check_rates(src, df[rate_col], count, rate, pop, housing, rate_col)
    indicator = df[ind_col].astype("string").str.strip()
    log.roles[src.name] = f"statistiques SSMSI (niveau {level})"
    out = pd.DataFrame({
        "stat_id": level + ":" + code + ":" + year.astype("string") + ":" + indicator,
        "territory_code": code, "level": level, "year": year, "indicator": indicator,
        "category": indicator.map(lambda v: _KEYS.get(_key(v))),
        "unit": (df[unit_col].astype("string").str.strip() if unit_col else "non précisée"),
        "count": count, "rate_per_1000": rate,
        "population": pop.round(), "diffused": diffused,
    }, index=df.index).astype({"territory_code": object, "indicator": object,
                               "stat_id": object})
    out["_file"], out["_line"] = src.name, src.lines
    return out


def _years(raw: pd.Series, src: Source, col: str) -> pd.Series:
    text = raw.astype("string").str.strip()
    two = text.str.fullmatch(r"\d{2}").fillna(False).astype(bool)
    text = text.where(~two, "20" + text)
    year = pd.to_numeric(text, errors="coerce")
    bad = year.isna() | (year < 1990) | (year > 2100)
    if bad.any():
        first = bad.idxmax()
        msg = (f"Le fichier « {src.name} », ligne {int(src.lines[first])} : année "
               f"« {raw[first]} » illisible dans « {col} » (attendu 2016 ou 16). Corrigez "
               "la ligne ou redonnez le fichier publié ; la base n'a pas été modifiée.")
        raise SchemaError(msg)
    return year.astype(int)


def _written_half_unit(raw: pd.Series) -> pd.Series:
    """Return half a unit of the last decimal written in each rate (0 for scientific)."""
    text = raw.astype("string").str.strip().fillna("")
    decimals = text.str.extract(r"^[+-]?\d+[.,](\d+)$")[0].str.len().fillna(np.nan)
    return (0.5 * 10.0 ** (-decimals)).fillna(0.0)


def _check_rates(src: Source, raw: pd.Series, count: pd.Series, rate: pd.Series,
                 pop: pd.Series, housing: pd.Series, col: str) -> None:
    slack = _written_half_unit(raw)
    gaps = []
    for denom in (pop, housing):
        expected = count / denom * 1000.0
        gap = (rate - expected).abs() - slack
        gaps.append(gap.where(expected.notna() & (denom > 0)) / expected)
    rel = pd.concat(gaps, axis=1).min(axis=1, skipna=True)
    bad = rel > RATE_TOLERANCE
    if not bad.any():
        return
    rows = bad[bad].index[:_SHOWN]
    shown = " ; ".join(
        f"ligne {int(src.lines[i])} : taux {raw[i]} pour {count[i]:.0f} faits et "
        f"{pop[i]:.0f} habitants (attendu {count[i] / pop[i] * 1000:.4g})" for i in rows)
    msg = (f"Le fichier « {src.name} » a {int(bad.sum())} taux (« {col} ») qui ne "
           f"correspondent pas au nombre de faits divisé par la population × 1 000 (écart de "
           f"plus de {RATE_TOLERANCE:.0%}) : {shown}. Le fichier a sans doute été modifié "
           "(colonnes décalées, population d'une autre année) : redonnez le fichier publié "
           "par le SSMSI ; la base n'a pas été modifiée.")
    raise SchemaError(msg)


def _check_duplicates(out: pd.DataFrame) -> None:
    keys = out["level"] + ":" + out["territory_code"].astype(str) + ":" + \
        out["year"].astype(str) + ":" + out["indicator"].map(_key)
    dup = keys.duplicated(keep=False)
    if not dup.any():
        return
    first_key = keys[dup].iloc[0]
    rows = out[keys == first_key]
    where = ", ".join(f"« {f} » ligne {int(n)}" for f, n in zip(rows["_file"], rows["_line"]))
    row = rows.iloc[0]
    n = int(dup.sum())
    msg = (f"{_format.count(n, 'ligne')} {_format.plural(n, 'donne', 'donnent')} deux fois le "
           "même territoire, la même année "
           f"et le même indicateur, par ex. {row['territory_code']} {row['year']} "
           f"« {row['indicator']} » : {where}. Gardez une seule ligne par territoire, année "
           "et indicateur (deux éditions du même fichier ont-elles été données ensemble ?) ; "
           "la base n'a pas été modifiée.")
    raise SchemaError(msg)
