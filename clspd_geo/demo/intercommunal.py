"""The intercommunal demo: Valbourg and up to four FICTITIOUS neighbouring communes.

An intercommunal council (CISPD) covers several communes. The variant places copies of
Valbourg's fixed town plan side by side (shifted by :data:`SPACING_M` in Lambert-93, so
that no two communes overlap), each with its own fictitious INSEE code (``"00000"``,
``"00001"``…), name « … (commune fictive de démonstration) », population (Valbourg's
quartiers scaled by :attr:`Commune.population_factor`) and incident intensity
(:attr:`Commune.intensity`, facts per resident relative to Valbourg), so that rates per
1,000 residents differ visibly from one commune to the next.

Commune 0 is Valbourg itself, with the quartier ids, facilities, cameras, sectors and
accidents of the one-commune demo (its random streams are the first four of the seed's
spawned streams, as in :func:`clspd_geo.demo.build_demo`); the other communes prefix
their ids with their INSEE code. The requested incidents are split among communes in
proportion to population × intensity, then numbered in time order.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import config, schemas
from clspd_geo.demo import accidents, cameras, facilities, incidents, rhythms, townplan

SPACING_M = 7_000.0
"""Distance between the centres of neighbouring communes, metres (the plan is ≤ 6.8 km
across, so copies never overlap)."""
MAX_COMMUNES = config.DEMO_MAX_COMMUNES


@dataclass(frozen=True)
class Commune:
    """One fictitious commune of the intercommunal demo.

    ``offset`` is the shift of the town plan in units of :data:`SPACING_M` (east, north);
    ``population_factor`` scales Valbourg's quartier populations; ``intensity`` is the
    number of facts per resident relative to Valbourg.
    """

    insee_code: str
    short: str
    offset: tuple[int, int]
    population_factor: float
    intensity: float

    @property
    def name(self) -> str:
        """Name shown in the app, labelled fictitious."""
        return f"{self.short} (commune fictive de démonstration)"


COMMUNES: tuple[Commune, ...] = (
    Commune(townplan.INSEE_CODE, "Valbourg", (0, 0), 1.0, 1.0),
    Commune("00001", "Marvent-la-Fictive", (1, 0), 0.4, 1.6),
    Commune("00002", "Orvalle-la-Fictive", (0, -1), 0.3, 0.55),
    Commune("00003", "Combrelin-la-Fictive", (-1, 0), 0.6, 0.9),
    Commune("00004", "Vermoise-la-Fictive", (0, 1), 0.25, 1.3),
)


def communes(n: int) -> tuple[Commune, ...]:
    """Return the first ``n`` communes of the variant (1 to :data:`MAX_COMMUNES`)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or \
            not 1 <= n <= MAX_COMMUNES:
        raise ValueError(f"Le nombre de communes doit être un entier entre 1 et "
                         f"{MAX_COMMUNES} (reçu : {n!r}).")
    return COMMUNES[:n]


def _shift(gdf: gpd.GeoDataFrame, commune: Commune, layer: str) -> gpd.GeoDataFrame:
    """Move a layer by the commune's offset (in Lambert-93), back in EPSG:4326."""
    if commune.offset == (0, 0):
        return gdf
    dx, dy = (SPACING_M * v for v in commune.offset)
    moved = gdf.to_crs(townplan.L93_EPSG)
    moved = moved.set_geometry(moved.geometry.translate(dx, dy)).to_crs(4326)
    return schemas.conform(moved, layer)


def _prefixed(values: pd.Series, commune: Commune) -> pd.Series:
    if commune.offset == (0, 0):
        return values
    return commune.insee_code + "-" + values.astype(str)


def _labelled(values: pd.Series, commune: Commune) -> pd.Series:
    if commune.offset == (0, 0):
        return values
    return values.astype(str) + f" ({commune.short})"


def _commune_layers(commune: Commune, rngs: list[np.random.Generator], n_incidents: int,
                    ) -> dict[str, gpd.GeoDataFrame]:
    rng_places, rng_cameras, rng_incidents, rng_accidents = rngs
    town = townplan.town()
    quartiers = townplan.quartiers(town)
    quartiers["population"] = np.round(
        quartiers["population"].to_numpy(dtype=float) * commune.population_factor).astype(int)
    sites = facilities.facility_rows(town, rng_places)
    equipements = facilities.equipements(town, sites, rng_places)
    camera_layer, views = cameras.cameras(town, rng_cameras)
    incident_layer = incidents.incident_frame(town, sites, views, rng_incidents, n_incidents,
                                              quartiers)
    road_accidents = accidents.accidents(town, rng_accidents)
    # Fewer residents, fewer accidents: keep each with the population factor's probability.
    if commune.population_factor < 1.0:
        keep = rng_accidents.random(len(road_accidents)) < commune.population_factor
        road_accidents = road_accidents[keep].reset_index(drop=True)
    territoire = townplan.territoire(town)
    territoire["insee_code"] = commune.insee_code
    territoire["name"] = commune.name
    territoire["population"] = int(quartiers["population"].sum())
    quartiers["insee_code"] = commune.insee_code
    quartiers["quartier_id"] = _prefixed(quartiers["quartier_id"], commune)
    quartiers["name"] = _labelled(quartiers["name"], commune)
    incident_layer["quartier_id"] = _prefixed(incident_layer["quartier_id"], commune)
    equipements["facility_id"] = _prefixed(equipements["facility_id"], commune)
    camera_layer["camera_id"] = _prefixed(camera_layer["camera_id"], commune)
    road_accidents["accident_id"] = _prefixed(road_accidents["accident_id"], commune)
    secteurs = townplan.secteurs(town)
    secteurs["sector_id"] = _prefixed(secteurs["sector_id"], commune)
    secteurs["name"] = _labelled(secteurs["name"], commune)
    voies = townplan.voies(town)
    voies["road_id"] = _prefixed(voies["road_id"], commune)
    frames = {"territoire": territoire, "quartiers": quartiers, "cameras": camera_layer,
              "secteurs": secteurs, "incidents": incident_layer, "equipements": equipements,
              "accidents": road_accidents, "voies": voies}
    return {name: _shift(gdf, commune, name) for name, gdf in frames.items()}


def split_incidents(n_incidents: int, chosen: tuple[Commune, ...]) -> np.ndarray:
    """Split the incidents among communes by population × intensity (each gets ≥ 1)."""
    weights = np.array([c.population_factor * c.intensity for c in chosen])
    return rhythms.allocate(int(n_incidents), weights)


def build(*, seed: int, n_incidents: int, n_communes: int) -> dict[str, gpd.GeoDataFrame]:
    """Build the layers of the intercommunal demo (see the module docstring).

    Parameters
    ----------
    seed
        Seed of the ``numpy`` PCG64 generator; the same seed gives the same layers.
    n_incidents
        Incidents over the two years, all communes together (at least ``n_communes``).
    n_communes
        Number of communes, 2 to :data:`MAX_COMMUNES` (1 is the one-commune demo,
        :func:`clspd_geo.demo.build_demo`).

    Returns
    -------
    dict
        ``{layer name: GeoDataFrame}`` without the action plan (the caller adds it),
        EPSG:4326, conformed to :mod:`clspd_geo.schemas`.
    """
    chosen = communes(n_communes)
    if n_incidents < len(chosen):
        raise ValueError(f"Il faut au moins un incident par commune ({len(chosen)} "
                         f"communes, {n_incidents} incidents demandés).")
    # Four streams per commune; commune 0's are the one-commune demo's four.
    streams = np.random.Generator(np.random.PCG64(int(seed))).spawn(4 * len(chosen))
    split = split_incidents(n_incidents, chosen)
    parts = [_commune_layers(c, streams[4 * i:4 * i + 4], int(split[i]))
             for i, c in enumerate(chosen)]
    out = {}
    for name in parts[0]:
        frame = pd.concat([p[name] for p in parts], ignore_index=True)
        out[name] = gpd.GeoDataFrame(frame, geometry="geometry", crs=4326)
    inc = out["incidents"]
    inc = inc.iloc[np.argsort(inc["occurred_at"].to_numpy(), kind="stable")].reset_index(
        drop=True)
    inc["incident_id"] = [f"INC-{i:07d}" for i in range(1, len(inc) + 1)]
    out["incidents"] = inc
    return {name: schemas.conform(gdf, name) for name, gdf in out.items()}
