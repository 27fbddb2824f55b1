"""Benchmark of the foundation: store read, overview map build and size, filter change.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_foundation.py [--incidents 1000000] [--seed 1]

It builds (once, cached under benchmarks/out/) a demo store with N incidents, then prints:
the time to read the incidents from the GeoPackage (pyogrio Arrow path, the columns the
app reads) against a plain non-Arrow read measured in the same run; the time and HTML size
of the overview map once data is loaded, against one marker per incident for a 10,000
incident sample (the naive baseline, extrapolated per point); and the library time of a
filter change (new period) with the unchanged layers taken from a cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import folium
import pyogrio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clspd_geo import crs, demo, vocab  # noqa: E402
from clspd_geo.maps import areas, base, cameras as camera_layers, cells as cell_layers  # noqa: E402
from clspd_geo.maps import facilities as facility_layers  # noqa: E402
from clspd_geo.video import cameras
from clspd_geo.analysis import cells, indicators
from clspd_geo.store import GeoPackageStore, open_store  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def _t(fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"demo_{args.seed}_{args.incidents}.gpkg"
    if not path.exists():
        t0 = time.perf_counter()
        demo.install(open_store(path, create=True), seed=args.seed, n_incidents=args.incidents)
        print(f"demo store built in {time.perf_counter() - t0:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)")
    store = GeoPackageStore(path)
    cols = ["occurred_at", "category", "quartier_id"]

    t_fast, table = _t(lambda: store.read_points("incidents", columns=cols))
    t_arrow, gdf = _t(lambda: store.read("incidents", columns=cols), repeat=1)
    t_plain, _ = _t(lambda: pyogrio.read_dataframe(path, layer="incidents", columns=cols,
                                                    use_arrow=False), repeat=1)
    print(f"\nstore read of {len(table):,} incidents, as the app does (Arrow + WKB decoded in "
          f"numpy): {t_fast:.2f} s [target ≤ 1.5 s]; GeoDataFrame via Arrow {t_arrow:.2f} s "
          f"({t_arrow / t_fast:.1f}x slower); plain GeoDataFrame read {t_plain:.2f} s "
          f"({t_plain / t_fast:.1f}x slower)")

    terr = store.read("territoire")
    epsg = crs.metric_epsg(terr)
    t_prep, df = _t(lambda: indicators.prepare_incidents(table, epsg=epsg))
    print(f"prepare (project to metres, categorical codes): {t_prep:.2f} s (once per store "
          "version, then shared by every session)")

    quart, sect, cams, equip = (store.read(n) for n in ("quartiers", "secteurs", "cameras",
                                                        "equipements"))
    views = cameras.view_polygons(cams)
    grid = cells.grid_for(terr, cell_size_m=200)
    sel = indicators.default_selection(df)

    def build_map(selection):
        cell_gdf = indicators.incident_cells(df, selection, grid)
        m = base.base_map(terr)
        layers = [areas.quartiers_layer(quart, m=m),
                  cell_layers.cells_layer(cell_gdf, value_col="faits", name="Faits",
                                          unit="faits", m=m),
                  areas.sectors_layer(sect, m=m), camera_layers.cameras_layer(cams, views, m=m),
                  facility_layers.facilities_layer(equip[~equip["confidential"]], m=m)]
        base.finish(m, layers)
        return m.get_root().render()

    t_map, html = _t(lambda: build_map(sel))
    print(f"overview map built and rendered: {t_map:.3f} s, {len(html.encode()) / 1e6:.2f} MB "
          "[targets ≤ 0.5 s, ≤ 2 MB]")

    sample = gdf.head(10_000)

    def naive():
        m = folium.Map(tiles=None)
        for geom in sample.geometry:
            folium.Marker([geom.y, geom.x]).add_to(m)
        return m.get_root().render()

    t_naive, naive_html = _t(naive, repeat=1)
    per_pt_s = t_naive / len(sample)
    per_pt_b = len(naive_html.encode()) / len(sample)
    n = len(gdf)
    print(f"baseline, one marker per incident (10k sample): {per_pt_s * 1e3:.3f} ms and "
          f"{per_pt_b:.0f} bytes per point → {n:,} points ≈ {per_pt_s * n:.0f} s, "
          f"{per_pt_b * n / 1e6:.0f} MB; ours is {per_pt_s * n / t_map:.0f}x faster and "
          f"{per_pt_b * n / len(html.encode()):.0f}x smaller")

    other = indicators.Selection(sel.start - dt.timedelta(days=90), sel.end, sel.categories)
    t_change, _ = _t(lambda: indicators.incident_cells(df, other, grid))
    t_kpis, _ = _t(lambda: (indicators.total_kpi(df, other), indicators.field_kpis(df, other),
                            indicators.by_quartier(df, quart, other),
                            indicators.monthly_trend(df, other)))
    print(f"filter change (new period): cells {t_change:.3f} s + KPIs/tables/trend "
          f"{t_kpis:.3f} s; unchanged layers (sectors, cameras, facilities) come from the "
          "cache keyed on the store version")
    cats = tuple(vocab.category_codes(field="addictions"))
    t_cat, _ = _t(lambda: indicators.incident_cells(df, indicators.Selection(
        sel.start, sel.end, cats), grid))
    print(f"filter change (one action field's categories): cells {t_cat:.3f} s")


if __name__ == "__main__":
    main()
