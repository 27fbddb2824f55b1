"""Loaders of the real samples in ../shared/data that several test modules share."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd


def paris_cameras(folder, range_m):
    """Return the 2019 Paris camera sites as all-round cameras of ``range_m`` (EPSG:4326)."""
    df = pd.read_csv(folder / "videoprotection" / "paris_cameras_geocoded_2019.csv", sep=";")
    df = df.dropna(subset=["lon", "lat"])
    return gpd.GeoDataFrame(
        {"camera_id": df["Numéro"].astype(str) + "-" + df.index.astype(str),
         "bearing_deg": np.nan, "fov_deg": 360.0, "range_m": range_m},
        geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)


def paris_accidents(folder, year):
    """Return the Paris road accidents of ``year`` as incidents (EPSG:4326)."""
    df = pd.read_csv(folder / "accidents" / f"paris_accidents_{year}.csv.gz")
    df = df.dropna(subset=["lon", "lat"])
    return gpd.GeoDataFrame(
        {"incident_id": df["accident_id"].astype(str), "category": "conduite_dangereuse",
         "occurred_at": pd.to_datetime(df["date"] + " " + df["heure"].fillna("00:00"),
                                       errors="coerce")},
        geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
