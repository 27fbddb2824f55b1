"""Coverage indicators: which incidents the cameras see, and where incidents escape them.

An incident is *seen* when it lies inside at least one camera's view (position, bearing,
field of view, range and, when given, building footprints; see :mod:`clspd_geo.video.cameras`),
and *recognised* when it lies inside at least one camera's recognition zone (125 px/m,
EN 62676-4; only cameras with a known resolution have one).

Incidents come either as a GeoDataFrame (any CRS) or as the light frame of
:func:`clspd_geo.analysis.indicators.prepare_incidents` (``x``/``y`` in metres, with ``epsg=``
telling their CRS): the page works on the light frame so a million incidents stay fast.
A row of a weighted release (:meth:`clspd_geo.access.view.RoleView.counts`) stands for its
``n`` incidents, all at its position: every count here weighs rows by it
(:attr:`Coverage.weights`), so the figures are those of one row per incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from clspd_geo.video import cameras as cams_mod
from clspd_geo import crs, vocab
from clspd_geo.analysis import cells, indicators
from clspd_geo.errors import EmptySelectionError

NIGHT_HOURS = (22, 6)
"""Night runs from 22:00 to 06:00 (local time), the usual public-lighting night."""


@dataclass(frozen=True)
class Coverage:
    """Who sees which incident.

    Attributes
    ----------
    matrix
        Sparse boolean ``(n_incidents, n_cameras)``: True where the camera sees the incident.
    recognition
        Same shape, for the recognition zones (all False when no camera has a resolution).
    camera_ids
        Camera identifiers, in the matrix's column order.
    x, y
        Incident positions, metres (``epsg``).
    epsg
        Metric CRS of ``x`` and ``y``.
    n
        Number of incidents each row stands for
        (:func:`clspd_geo.analysis.indicators.weights`; None: one each).
    """

    matrix: sparse.csr_array
    recognition: sparse.csr_array
    camera_ids: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    epsg: int
    n: np.ndarray | None = None

    @property
    def weights(self) -> np.ndarray:
        """Number of incidents each row stands for (ones when :attr:`n` is None)."""
        return np.ones(len(self.x), dtype=np.int64) if self.n is None else self.n

    @property
    def n_cameras_seeing(self) -> np.ndarray:
        """Number of cameras seeing each incident."""
        return np.asarray(self.matrix.sum(axis=1)).ravel().astype(int)

    @property
    def seen(self) -> np.ndarray:
        """True for incidents inside at least one view."""
        return self.n_cameras_seeing > 0

    @property
    def recognised(self) -> np.ndarray:
        """True for incidents inside at least one recognition zone."""
        return np.asarray(self.recognition.sum(axis=1)).ravel() > 0

    @property
    def has_dori(self) -> bool:
        """True when at least one camera has a recognition zone."""
        return self.recognition.nnz > 0


def points_xy(points: pd.DataFrame, *, epsg: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    """Return metric ``x``, ``y`` of points given as a GeoDataFrame or a light frame.

    Parameters
    ----------
    points
        A GeoDataFrame (any CRS), or a frame with ``x`` and ``y`` columns in metres.
    epsg
        The metric CRS: required for a light frame, the target CRS for a GeoDataFrame
        (default: the layer's own metric CRS).
    """
    if isinstance(points, gpd.GeoDataFrame):
        crs.require_crs(points, layer="faits")
        target = epsg if epsg is not None else crs.metric_epsg(points)
        xy = crs.metric_xy(points, epsg=target)
        return xy[:, 0], xy[:, 1], int(target)
    if epsg is None or not {"x", "y"} <= set(points.columns):
        msg = ("Les points doivent être une couche géographique, ou un tableau avec des "
               "colonnes x et y en mètres accompagné de son code EPSG.")
        raise EmptySelectionError(msg)
    return points["x"].to_numpy(dtype=float), points["y"].to_numpy(dtype=float), int(epsg)


def in_service(cameras: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the cameras in service (all of them when there is no ``status`` column)."""
    if "status" not in cameras.columns:
        return cameras
    return cameras[cameras["status"] == "en_service"]


def assess(cameras: gpd.GeoDataFrame, incidents: pd.DataFrame, *,
           buildings: gpd.GeoDataFrame | None = None,
           epsg: int | None = None) -> Coverage:
    """Compute which camera sees which incident (views and recognition zones).

    Parameters
    ----------
    cameras
        Cameras layer (any CRS); pass :func:`in_service` cameras to leave out broken ones.
    incidents
        Incidents, as a GeoDataFrame or a light frame with ``x``/``y`` (see module doc).
    buildings
        Building footprints cutting the views (line of sight), optional.
    epsg
        Metric CRS (required with a light frame).

    Raises
    ------
    EmptySelectionError
        No incident to assess (for instance, none in the chosen period).
    SchemaError
        A camera has an impossible field of view or range (see :func:`cameras.check`).
    """
    x, y, work_epsg = points_xy(incidents, epsg=epsg)
    if len(x) == 0:
        msg = ("Aucun fait dans la période et les catégories choisies : élargissez la "
               "période ou la sélection pour mesurer la couverture des caméras.")
        raise EmptySelectionError(msg)
    ids = tuple(str(v) for v in cameras["camera_id"]) if "camera_id" in cameras.columns else \
        tuple(str(i) for i in range(len(cameras)))
    n = indicators.weights(incidents)
    if len(cameras) == 0:
        empty = sparse.csr_array((len(x), 0), dtype=bool)
        return Coverage(empty, empty, ids, x, y, work_epsg, n)
    p = cams_mod.view_params(cameras, epsg=work_epsg)
    seen = cams_mod.seen_by_xy(p, x, y, radius_m=p.range_m, buildings=buildings)
    rec_r = cams_mod.dori_distances(cameras)["recognition_m"].to_numpy(dtype=float)
    rec_r = np.where(np.isfinite(rec_r), rec_r, 0.0)
    rec = (cams_mod.seen_by_xy(p, x, y, radius_m=rec_r, buildings=buildings) if (rec_r > 0).any()
           else sparse.csr_array((len(x), len(ids)), dtype=bool))
    return Coverage(seen, rec, ids, x, y, work_epsg, n)


def _groups(incidents: pd.DataFrame, by: str, freq: str) -> tuple[pd.Series, dict[str, str]]:
    if by == "total":
        return pd.Series("total", index=incidents.index), {"total": "Tous les faits"}
    if by == "category":
        return incidents["category"].astype(str), vocab.category_labels()
    if by == "field":
        field_of = {c.code: c.field for c in vocab.INCIDENT_CATEGORIES}
        labels = {f.code: f.short for f in vocab.ACTION_FIELDS}
        return incidents["category"].astype(str).map(field_of), labels
    if by == "period":
        ts = pd.to_datetime(incidents["occurred_at"])
        per = ts.dt.to_period(freq).astype(str)
        return per, {}
    msg = f"Regroupement inconnu « {by} » (choix : total, category, field, period)."
    raise EmptySelectionError(msg)


def share_by(cov: Coverage, incidents: pd.DataFrame, *,
             by: Literal["total", "category", "field", "period"] = "total",
             freq: str = "M") -> pd.DataFrame:
    """Return the share of incidents seen (and recognised), by group.

    Parameters
    ----------
    cov
        The result of :func:`assess` on these same incidents.
    incidents
        The incidents (same rows, same order) with ``category`` and ``occurred_at``.
    by
        ``"total"``, ``"category"``, ``"field"`` (action field) or ``"period"``.
    freq
        Pandas period frequency for ``by="period"`` (``"M"`` months, ``"Q"``, ``"Y"``).

    Returns
    -------
    DataFrame
        ``group``, ``label``, ``incidents``, ``seen``, ``seen_share`` (0–1),
        ``recognised``, ``recognised_share`` (0–1), sorted by decreasing ``incidents``
        (by period: chronologically).
    """
    key, labels = _groups(incidents, by, freq)
    n = cov.weights
    df = pd.DataFrame({"group": key.to_numpy(), "n": n, "seen": n * cov.seen,
                       "recognised": n * cov.recognised})
    out = df.groupby("group", observed=True).agg(
        incidents=("n", "sum"), seen=("seen", "sum"), recognised=("recognised", "sum"))
    out = out.reset_index()
    out["seen_share"] = out["seen"] / out["incidents"]
    out["recognised_share"] = out["recognised"] / out["incidents"]
    out["label"] = [labels.get(str(g), str(g)) for g in out["group"]]
    out = out[["group", "label", "incidents", "seen", "seen_share", "recognised",
               "recognised_share"]]
    if by == "period":
        return out.sort_values("group", ignore_index=True)
    return out.sort_values(["incidents", "group"], ascending=[False, True], ignore_index=True)


def is_night(occurred_at: pd.Series, *, hours: tuple[int, int] = NIGHT_HOURS) -> np.ndarray:
    """Return True for times at night (``hours = (start, end)``, local time, wraps midnight)."""
    h = pd.to_datetime(occurred_at).dt.hour.to_numpy()
    start, end = hours
    return (h >= start) | (h < end) if start > end else (h >= start) & (h < end)


def per_camera(cov: Coverage, incidents: pd.DataFrame, cameras: gpd.GeoDataFrame, *,
               night_hours: tuple[int, int] = NIGHT_HOURS) -> pd.DataFrame:
    """Return what each camera is worth: incidents seen, seen by it alone, at night.

    Returns
    -------
    DataFrame
        One row per camera (order of ``cameras``): ``camera_id``, ``name`` (when
        present), ``incidents_seen``, ``unique_incidents`` (seen by no other camera),
        ``night_incidents``, ``night_share`` (share of its incidents at night, 0–1, NaN
        when it sees none), ``recognised`` (incidents in its recognition zone).
    """
    m = cov.matrix.tocsc().astype(np.int64)
    n = cov.weights.astype(np.int64)
    seen_count = np.asarray(m.T @ n).ravel().astype(int)
    only = cov.n_cameras_seeing == 1
    unique = np.asarray(m.T @ (only * n)).ravel().astype(int)
    night = is_night(incidents["occurred_at"], hours=night_hours)
    night_count = np.asarray(m.T @ (night * n)).ravel().astype(int)
    rec = np.asarray(cov.recognition.astype(np.int64).T @ n).ravel().astype(int)
    out = pd.DataFrame({"camera_id": list(cov.camera_ids)})
    if "name" in cameras.columns:
        out["name"] = cameras["name"].astype(str).to_numpy()
    out["incidents_seen"] = seen_count
    out["unique_incidents"] = unique
    out["night_incidents"] = night_count
    with np.errstate(invalid="ignore", divide="ignore"):
        out["night_share"] = np.where(seen_count > 0, night_count / np.maximum(seen_count, 1),
                                      np.nan)
    out["recognised"] = rec
    return out


def per_quartier(cov: Coverage, incidents: pd.DataFrame, quartiers: gpd.GeoDataFrame,
                 cameras: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return coverage by quartier: incidents, share seen, cameras inside.

    The quartier of an incident is its ``quartier_id`` when filled, else the quartier
    polygon it falls in.

    Returns
    -------
    DataFrame
        ``quartier_id``, ``name``, ``qpv`` (when present), ``incidents``, ``seen``,
        ``seen_share`` (0–1, NaN without incidents), ``cameras`` (cameras located inside).
    """
    q = crs.to_compute(quartiers, epsg=cov.epsg)
    if "quartier_id" in incidents.columns:
        qid = incidents["quartier_id"].astype(object).to_numpy()
    else:
        qid = np.full(len(cov.x), None, dtype=object)
    missing = pd.isna(qid)
    if missing.any():
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(cov.x[missing], cov.y[missing]),
                               crs=cov.epsg)
        joined = gpd.sjoin(pts, q[["quartier_id", q.geometry.name]], how="left",
                           predicate="within")
        joined = joined[~joined.index.duplicated()]
        qid = qid.copy()
        qid[missing] = joined["quartier_id"].to_numpy()
    n = cov.weights
    df = pd.DataFrame({"quartier_id": qid, "n": n, "seen": n * cov.seen})
    agg = df.groupby("quartier_id").agg(incidents=("n", "sum"), seen=("seen", "sum"))
    cam = crs.to_compute(cameras, epsg=cov.epsg)
    cam_q = gpd.sjoin(cam[[cam.geometry.name]], q[["quartier_id", q.geometry.name]],
                      how="inner", predicate="within")
    n_cam = cam_q.groupby("quartier_id").size()
    cols = ["quartier_id", "name"] + (["qpv"] if "qpv" in q.columns else [])
    out = pd.DataFrame(q[cols]).reset_index(drop=True)
    out["incidents"] = out["quartier_id"].map(agg["incidents"]).fillna(0).astype(int)
    out["seen"] = out["quartier_id"].map(agg["seen"]).fillna(0).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["seen_share"] = np.where(out["incidents"] > 0,
                                     out["seen"] / out["incidents"].clip(lower=1), np.nan)
    out["cameras"] = out["quartier_id"].map(n_cam).fillna(0).astype(int)
    return out.sort_values("incidents", ascending=False, ignore_index=True)


def uncovered_hotspots(cov: Coverage, *, cell_size_m: float = 100.0, top: int = 20,
                       weights: np.ndarray | None = None,
                       min_incidents: float = 1.0) -> gpd.GeoDataFrame:
    """Return the grid cells with the most incidents seen by no camera, ranked.

    Parameters
    ----------
    cov
        The result of :func:`assess`.
    cell_size_m
        Side of the square cells, metres.
    top
        Number of cells to return.
    weights
        Optional weight per row (severity, recency); default 1. Each row also counts for
        the incidents it stands for (:attr:`Coverage.weights`).
    min_incidents
        Leave out cells with fewer uncovered (weighted) incidents than this.

    Returns
    -------
    GeoDataFrame
        ``rank`` (1 = worst), ``cell_id``, ``incidents`` and ``uncovered`` (weighted
        counts), ``uncovered_share`` (0–1), cell polygons in EPSG:4326.
    """
    ok = np.isfinite(cov.x) & np.isfinite(cov.y)
    if not ok.any():
        raise EmptySelectionError("Aucun fait localisé : impossible de chercher les zones "
                                  "non couvertes.")
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(cov.x[ok], cov.y[ok]), crs=cov.epsg)
    grid = cells.grid_for(pts, cell_size_m=cell_size_m, epsg=cov.epsg)
    w = cov.weights * (1.0 if weights is None else np.asarray(weights, dtype=float))
    total = cells.count(grid, cov.x[ok], cov.y[ok], weights=w[ok])
    unc = cells.count(grid, cov.x[ok], cov.y[ok], weights=(w * ~cov.seen)[ok])
    keep = unc >= min_incidents
    flat = np.flatnonzero(keep)
    order = flat[np.lexsort((flat, -unc[flat]))][:top]
    frame = cells.cells_frame(grid, unc, keep=np.isin(np.arange(grid.n_cells), order),
                              column="uncovered")
    frame["incidents"] = total[frame["cell_id"].to_numpy()]
    frame["uncovered_share"] = frame["uncovered"] / frame["incidents"]
    frame = frame.sort_values(["uncovered", "cell_id"], ascending=[False, True],
                              ignore_index=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame[["rank", "cell_id", "incidents", "uncovered", "uncovered_share", "geometry"]]
