"""Road safety: yearly killed and seriously injured, and where serious accidents gather.

Hotspots are counted along the roads when a ``voies`` layer is loaded: the roads (railway
lines excluded) are cut into sections of ``section_m`` metres and each accident goes to
the nearest section within ``snap_m`` (BAAC points are placed on the carriageway, usually
within a few metres of it). Without roads, on square grid cells. Either way a place ranks
by its severity score, the weighting of :func:`clspd_geo.analysis.indicators.accident_cells`: 10 per
person killed, 3 per person hospitalised over 24 h, 1 per person slightly injured.

"Seriously injured" is the BAAC's "blessé hospitalisé" (more than 24 hours in hospital),
the French national indicator beside the killed within 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import substring

from clspd_geo import _format, config, crs, safe
from clspd_geo.analysis import cells
from clspd_geo.errors import EmptySelectionError

SEVERITY = {"killed": 10.0, "hospitalised": 3.0, "slightly_injured": 1.0}
"""Severity score per victim (as in :func:`clspd_geo.analysis.indicators.accident_cells`)."""

NO_ACCIDENTS = ("Aucun accident n'est chargé : importez le fichier national BAAC depuis la page "
                "« Données » (python -m clspd_geo import accidents FICHIERS --store … "
                "--commune INSEE).")


def severity_score(accidents: pd.DataFrame) -> np.ndarray:
    """Return the severity score of each accident (see :data:`SEVERITY`)."""
    return sum(w * pd.to_numeric(accidents[c], errors="coerce").fillna(0).to_numpy(dtype=float)
               for c, w in SEVERITY.items())


def yearly_severity(accidents: pd.DataFrame) -> pd.DataFrame:
    """Return accidents and victims per calendar year, with killed + seriously injured.

    Returns
    -------
    DataFrame
        ``Année``, ``Accidents``, ``Tués``, ``Blessés hospitalisés``, ``Tués et blessés
        graves``, ``Blessés légers`` and ``Période couverte`` ("année entière", or "du 01/11
        au 31/12" when the data cover part of the year), sorted by year.

    Raises
    ------
    EmptySelectionError
        No accident.
    """
    if len(accidents) == 0:
        raise EmptySelectionError(NO_ACCIDENTS)
    year = pd.to_datetime(accidents["occurred_at"]).dt.year
    g = pd.DataFrame({"year": year.to_numpy(),
                      "killed": accidents["killed"].to_numpy(dtype=float),
                      "hosp": accidents["hospitalised"].to_numpy(dtype=float),
                      "light": accidents["slightly_injured"].to_numpy(dtype=float)}
                     ).groupby("year")
    out = pd.DataFrame({"Accidents": g.size(), "Tués": g["killed"].sum().astype(int),
                        "Blessés hospitalisés": g["hosp"].sum().astype(int)})
    out["Tués et blessés graves"] = out["Tués"] + out["Blessés hospitalisés"]
    out["Blessés légers"] = g["light"].sum().astype(int)
    # A year the data only partly cover (the demo starts in November) must not read as a drop.
    ts = pd.to_datetime(accidents["occurred_at"])
    first, last = ts.groupby(year.to_numpy()).min(), ts.groupby(year.to_numpy()).max()
    out["Période couverte"] = [
        "année entière" if (first[y].day_of_year <= 7 and last[y].day_of_year >= 359)
        else f"du {first[y]:%d/%m} au {last[y]:%d/%m}" for y in out.index]
    out.index.name = "Année"
    return out.reset_index()


def yearly_sentence(table: pd.DataFrame) -> str:
    """Return one French sentence on the last year's killed and seriously injured."""
    last = table.iloc[-1]
    text = (f"En {int(last['Année'])}, {_format.count(int(last['Tués']), 'personne tuée')} et "
            f"{_format.count(int(last['Blessés hospitalisés']), 'blessé hospitalisé')} dans "
            f"{int(last['Accidents'])} accidents corporels")
    if last.get("Période couverte", "année entière") != "année entière":
        text += f" (données {last['Période couverte']} seulement)"
    if len(table) < 2:
        return text + "."
    prev = table.iloc[-2]
    a, b = int(prev["Tués et blessés graves"]), int(last["Tués et blessés graves"])
    if a == 0:
        trend = "aucun l'année précédente"
    else:
        pct = 100.0 * (b - a) / a
        trend = (f"{'+' if pct >= 0 else '−'}{abs(pct):.0f} % de tués et blessés graves "
                 f"par rapport à {int(prev['Année'])} ({a})")
    return text + f" : {trend}."


@dataclass(frozen=True)
class RoadHotspots:
    """The places where serious accidents gather.

    Attributes
    ----------
    places
        EPSG:4326 road sections (LineString) or grid cells (Polygon), best first, with
        ``rang``, ``accidents``, ``tues``, ``blesses_hospitalises``, ``gravite`` and
        ``label`` (French: the road name, or "cellule").
    method
        ``"voies"`` (sections of roads) or ``"grille"`` (square cells).
    size_m
        Section length or cell side, metres.
    n_accidents
        Accidents considered; ``n_off_road`` of them were too far from every road.
    """

    places: gpd.GeoDataFrame
    method: Literal["voies", "grille"]
    size_m: float
    n_accidents: int
    n_off_road: int = 0

    @property
    def method_text(self) -> str:
        """French description of how places were made."""
        if self.method == "voies":
            text = f"tronçons de {self.size_m:.0f} m des voies chargées (couche « voies »)"
            if self.n_off_road:
                n = self.n_off_road
                verb = "n'est pas compté" if n < 2 else "ne sont pas comptés"
                text += f" ; {_format.count(n, 'accident')} à l'écart de toute voie {verb}"
            return text
        return (f"cellules de {self.size_m:.0f} m (aucune couche de voies n'est chargée : "
                "importez-la pour des points noirs le long des routes)")

    def sentence(self) -> str:
        """Return one French sentence on the share of severity the top places carry."""
        if self.places.empty:
            return "Aucun lieu ne réunit d'accident sur la période."
        total = float(self._total_score)
        top = self.places.iloc[0]
        n_top = int(top["accidents"])
        share = 100.0 * float(self.places["gravite"].sum()) / total if total else 0.0
        unit = "tronçons" if self.method == "voies" else "cellules"
        return (f"Les {len(self.places)} {unit} de {self.size_m:.0f} m les plus graves "
                f"concentrent {_format.percent(share)} de la gravité des "
                f"{_format.count(self.n_accidents, 'accident')} ; le premier, "
                f"{safe.md(top['label'])}, compte {_format.count(n_top, 'accident')}, "
                f"{_format.count(int(top['tues']), 'tué')} et "
                f"{_format.count(int(top['blesses_hospitalises']), 'blessé hospitalisé')}.")

    @property
    def _total_score(self) -> float:
        return float(self.places.attrs.get("total_score", 0.0))


def road_hotspots(accidents: gpd.GeoDataFrame, *, territory: gpd.GeoDataFrame,
                  voies: gpd.GeoDataFrame | None = None, section_m: float = 200.0,
                  snap_m: float = 30.0, cell_m: float = config.HOTSPOT_CELL_M,
                  top: int = 10) -> RoadHotspots:
    """Rank road sections (or grid cells) by the severity of their accidents.

    Parameters
    ----------
    accidents
        The ``accidents`` layer (any CRS), already filtered to the period.
    territory
        The territory polygons (gives the metric CRS and the grid).
    voies
        Roads; when given and not empty, places are road sections of ``section_m``.
    snap_m
        Largest distance from an accident to its road section, metres.
    cell_m
        Side of the grid cells when no road is loaded, metres.
    top
        Number of places returned.

    Raises
    ------
    EmptySelectionError
        No accident.
    """
    if len(accidents) == 0:
        raise EmptySelectionError(NO_ACCIDENTS)
    epsg = crs.metric_epsg(territory)
    xy = crs.metric_xy(accidents, epsg=epsg)
    x, y = xy[:, 0], xy[:, 1]
    score = severity_score(accidents)
    killed = accidents["killed"].to_numpy(dtype=float)
    hosp = accidents["hospitalised"].to_numpy(dtype=float)
    roads = None
    if voies is not None and not voies.empty:
        roads = crs.to_compute(voies, epsg=epsg)
        roads = roads[roads["kind"].astype("string").fillna("") != "voie_ferree"] if (
            "kind" in roads.columns) else roads
        roads = roads[~roads.geometry.isna() & ~roads.geometry.is_empty]
    if roads is not None and len(roads):
        sections, names = _sections(roads, section_m=section_m)
        tree = shapely.STRtree(sections)
        pts = shapely.points(x, y)
        idx, dist = tree.query_nearest(pts, max_distance=snap_m, return_distance=True,
                                       all_matches=False)
        # query_nearest returns (input index, tree index) pairs.
        acc_i, sec_i = idx
        n_off = len(accidents) - len(np.unique(acc_i))
        n = np.bincount(sec_i, minlength=len(sections))
        g = np.bincount(sec_i, weights=score[acc_i], minlength=len(sections))
        k = np.bincount(sec_i, weights=killed[acc_i], minlength=len(sections))
        h = np.bincount(sec_i, weights=hosp[acc_i], minlength=len(sections))
        order = [i for i in np.lexsort((-n, -g)) if n[i] > 0][:top]
        places = gpd.GeoDataFrame({
            "rang": np.arange(1, len(order) + 1), "accidents": n[order],
            "tues": k[order].astype(int), "blesses_hospitalises": h[order].astype(int),
            "gravite": g[order], "label": [names[i] for i in order]},
            geometry=sections[order] if order else [], crs=epsg).to_crs(config.STORAGE_CRS)
        places.attrs["total_score"] = float(score.sum())
        return RoadHotspots(places, "voies", float(section_m), len(accidents), int(n_off))
    grid = cells.grid_for(territory, cell_size_m=cell_m, epsg=epsg)
    n = cells.count(grid, x, y)
    g = cells.count(grid, x, y, weights=score)
    k = cells.count(grid, x, y, weights=killed)
    h = cells.count(grid, x, y, weights=hosp)
    order = [i for i in np.lexsort((-n, -g)) if n[i] > 0][:top]
    places = gpd.GeoDataFrame({
        "rang": np.arange(1, len(order) + 1), "accidents": n[order].astype(int),
        "tues": k[order].astype(int), "blesses_hospitalises": h[order].astype(int),
        "gravite": g[order], "label": [f"cellule n° {r}" for r in range(1, len(order) + 1)]},
        geometry=grid.polygons(np.array(order, dtype=np.int64)), crs=epsg
    ).to_crs(config.STORAGE_CRS)
    places.attrs["total_score"] = float(score.sum())
    return RoadHotspots(places, "grille", float(cell_m), len(accidents))


def _sections(roads: gpd.GeoDataFrame, *, section_m: float) -> tuple[np.ndarray, list[str]]:
    """Cut every road into consecutive sections of at most ``section_m`` metres."""
    out, names = [], []
    name_col = roads["name"].astype("string").fillna("voie sans nom") if (
        "name" in roads.columns) else pd.Series("voie", index=roads.index)
    for geom, name in zip(roads.geometry.to_numpy(), name_col, strict=True):
        for line in shapely.get_parts(geom):
            length = line.length
            # Rounded first: a 1,000 m road reprojected measures 1,000.0001 m, still 5 sections.
            n = max(1, int(np.ceil(round(length / section_m, 6))))
            bounds = np.linspace(0.0, length, n + 1)
            for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
                out.append(substring(line, a, b))
                names.append(f"{name} (tronçon {i + 1}/{n})" if n > 1 else str(name))
    return np.array(out, dtype=object), names


def vulnerable_users(accidents: pd.DataFrame) -> pd.DataFrame:
    """Return, per vulnerable user (pedestrian, cyclist, scooter, powered two-wheeler), accidents.

    Returns
    -------
    DataFrame
        ``Usager``, ``Accidents``, ``Tués``, ``Blessés hospitalisés``, ``Part des accidents
        (%)`` (of all accidents given).
    """
    from clspd_geo import vocab

    types = accidents["user_types"].fillna("").astype(str).str.split(";")
    total = len(accidents)
    rows = []
    for code in ("pieton", "velo", "edp", "deux_roues_motorise"):
        has = types.map(lambda t, c=code: c in t).to_numpy(dtype=bool)
        rows.append({"Usager": vocab.ROAD_USERS[code], "Accidents": int(has.sum()),
                     "Tués": int(accidents["killed"].to_numpy()[has].sum()),
                     "Blessés hospitalisés": int(accidents["hospitalised"].to_numpy()[has].sum()),
                     "Part des accidents (%)": round(100.0 * has.sum() / total, 1) if total
                     else 0.0})
    return pd.DataFrame(rows)
