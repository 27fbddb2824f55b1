"""The one Streamlit helper module the pages share: cached loaders, filters, error display.

Pages call these helpers, then library functions, then draw. Caches take only plain
hashable arguments: the store path and its version token (which changes whenever the file
is rewritten), dates, tuples of codes. The incidents table (up to a million rows) is a
shared read-only resource, so reruns do not copy it.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from clspd_geo import config, crs, demo, schemas, vocab
from clspd_geo.video import cameras
from clspd_geo.analysis import cells, indicators
from clspd_geo.maps import areas as area_layers, base as map_base, offline
from clspd_geo.maps import cells as cell_layers, facilities as facility_layers
from clspd_geo.access import audit, auth, privacy
from clspd_geo.errors import ClspdGeoError, EmptySelectionError
from clspd_geo import store as store_mod
from clspd_geo.store import GeoPackageStore, file_version

DEMO_SEED = 1
DEMO_INCIDENTS = 20_000
SMALL_COUNT_K = 5


def show_error(err: ClspdGeoError) -> None:
    """Show a user-facing error in French and stop the page."""
    st.error(str(err), icon=":material/error:")
    st.stop()


@st.cache_resource(show_spinner=False)
def _install_assets() -> str:
    return str(offline.install_assets())


def prepare_assets() -> None:
    """Copy Leaflet & co. under ``static/vendor`` once per server (offline maps)."""
    _install_assets()


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_file(path: str, file_token: str) -> GeoPackageStore:
    # Checked once per version of the file (the integrity check reads the whole file).
    # ``path`` may also be a postgresql:// URL: then a PostGIS store, opened once.
    return store_mod.open_store(path)


def _open(path: str, version: str) -> GeoPackageStore:
    # ``version`` is a read key "file version|role|day" (see store_key): one store per file.
    return _open_file(path, version.split("|")[0])


def _require_router() -> None:
    """Rerun through ``app.py`` when Streamlit runs a page as a legacy ``pages/`` script.

    Streamlit decides per server process whether the app uses the legacy ``pages/`` folder
    mode, and leaves that mode only once ``st.navigation`` has run: the very first request on
    a deep link (/police, say) would run the page alone, without the router and its shared
    sidebar. Leave that mode now and rerun; ``app.py`` then opens the requested page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    # A legacy run is one where app.py is not executing: pages run nested inside app.py's
    # page.run() otherwise. Rerun only then, so no other run loses its widget events.
    if PagesManager.uses_pages_directory and not _router_on_stack():
        PagesManager.uses_pages_directory = False
        st.rerun()


def _router_on_stack() -> bool:
    """Tell whether ``app.py`` (the router) is executing in this thread."""
    router = str(Path(__file__).resolve().parent / "app.py")
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_filename == router:
            return True
        frame = frame.f_back
    return False


def store_key() -> tuple[str, str]:
    """Return ``(path, version)``: the cache key of everything read from the store.

    ``version`` is a read key ``"<file version>|<role>|<day>"``: every cached helper that
    takes ``*store_key()`` is keyed on the reader's role (checked on the server at this
    run, see :func:`require_login`), and :func:`_layer` and :func:`_incidents` pass what
    they read through :func:`clspd_geo.access.privacy.restrict` for that role.
    """
    path, file_token = _store_file()
    return str(path), f"{file_token}|{role()}|{dt.date.today().isoformat()}"


def _store_file() -> tuple[Path, str]:
    """Return the store path and file version, building the demo on first start.

    A corrupt or foreign file is never touched: the page shows why and stops. Incidents
    past the retention period are purged once per file version.
    """
    _require_router()
    target = config.store_target()
    try:
        if store_mod.is_database_url(target):
            database = _open_file(target, "postgis")
            if not database.layers():
                with st.spinner("Première ouverture : création du territoire de démonstration…"):
                    frames = demo.build_demo(seed=DEMO_SEED, n_incidents=DEMO_INCIDENTS)
                    database.write_many(frames, source=demo.source_label(DEMO_SEED))
            token = database.version()
            _purge_once(target, token)
            return target, token
        path = Path(target)
        if not path.exists():
            with st.spinner("Première ouverture : création du territoire de démonstration…"):
                demo.write_demo(path, seed=DEMO_SEED, n_incidents=DEMO_INCIDENTS)
        _open_file(str(path), file_version(path))
        _purge_once(str(path), file_version(path))
        return path, file_version(path)
    except ClspdGeoError as err:
        show_error(err)
        raise  # unreachable: st.stop() raises


def store() -> GeoPackageStore:
    """Return the opened store (see :func:`store_key`)."""
    return _open(*store_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _provenance(path: str, version: str) -> pd.DataFrame:
    return _open(path, version).provenance()


@st.cache_data(show_spinner=False, max_entries=64)
def _layer(path: str, version: str, name: str) -> gpd.GeoDataFrame:
    s = _open(path, version)
    data = s.read(name) if s.has(name) else schemas.empty(name)
    return privacy.restrict(data, layer=name, role_code=_role_of(version))


def layer(name: str) -> gpd.GeoDataFrame:
    """Return a (small) layer of the store; an empty frame when the layer is absent."""
    try:
        return _layer(*store_key(), name)
    except ClspdGeoError as err:
        show_error(err)
        raise


def metric_epsg() -> int:
    """Return the metric CRS of the territory."""
    return crs.metric_epsg(layer("territoire"))


@st.cache_resource(show_spinner="Lecture des faits…", max_entries=2)
def _all_incidents(path: str, version: str, epsg: int) -> pd.DataFrame:
    # Every role's data, keyed on the file version only: never call it from a page or a
    # helper; _incidents() is the role-restricted table.
    s = _open(path, version)
    if not s.has("incidents"):
        return indicators.prepare_incidents(schemas.empty("incidents"), epsg=epsg)
    table = s.read_points("incidents", columns=["occurred_at", "category", "quartier_id"])
    return indicators.prepare_incidents(table, epsg=epsg)


@st.cache_resource(show_spinner="Application des droits d'accès…", max_entries=8)
def _incidents(path: str, version: str, epsg: int) -> pd.DataFrame:
    """Return the incidents the reader's role may see (``version`` carries the role)."""
    file_token, role_code, day = version.split("|")
    zones = privacy.zones_for(_layer(path, version, "territoire"),
                              _layer(path, version, "quartiers"), epsg=epsg)
    return privacy.restrict(_all_incidents(path, file_token, epsg), layer=privacy.INCIDENT_TABLE,
                            role_code=role_code, zones=zones, as_of=dt.date.fromisoformat(day))


def incidents() -> pd.DataFrame:
    """Return the prepared incidents table (shared, read-only: never modify it)."""
    try:
        return _incidents(*store_key(), metric_epsg())
    except ClspdGeoError as err:
        show_error(err)
        raise


@st.cache_data(show_spinner=False, max_entries=8)
def _grid(path: str, version: str, cell_m: float) -> cells.Grid:
    return cells.grid_for(_layer(path, version, "territoire"), cell_size_m=cell_m)


@st.cache_data(show_spinner=False, max_entries=64)
def _cells(path: str, version: str, epsg: int, sel: indicators.Selection,
           cell_m: float) -> gpd.GeoDataFrame:
    df = _incidents(path, version, epsg)
    return indicators.incident_cells(df, sel, _grid(path, version, cell_m))


def incident_cells(sel: indicators.Selection, *,
                   cell_m: float = config.HOTSPOT_CELL_M) -> gpd.GeoDataFrame:
    """Return the graduated-cell layer of the selected incidents (cached per selection)."""
    return _cells(*store_key(), metric_epsg(), sel, cell_m)


@st.cache_data(show_spinner=False, max_entries=8)
def _views(path: str, version: str) -> gpd.GeoDataFrame:
    cams = _layer(path, version, "cameras")
    if cams.empty:
        return cams
    return cameras.view_polygons(cams)


def camera_views() -> gpd.GeoDataFrame:
    """Return the view polygons of the cameras (cached per store version)."""
    return _views(*store_key())


def source_caption(*layer_names: str) -> None:
    """Write "Source : …" under a map for the given layers (from the provenance table)."""
    prov = _provenance(*store_key())
    parts = []
    for name in layer_names:
        found = store_mod.provenance_of(prov, name)
        if found is not None:
            parts.append(f"{schemas.schema(name).title} : {found.source} "
                         f"(chargé le {found.imported_at[:10]})")
    if parts:
        st.caption("Source : " + " · ".join(parts))


# -- shared filters (sidebar of app.py) --------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """The shared sidebar filters: period ``[start, end)``, quartiers, basemap."""

    start: dt.date
    end: dt.date
    quartiers: tuple[str, ...]
    basemap: str

    def selection(self, categories: list[str] | tuple[str, ...]) -> indicators.Selection:
        """Return the selection of these categories under the shared filters."""
        return indicators.Selection(self.start, self.end, tuple(categories), self.quartiers)


def sidebar_filters() -> Filters:
    """Draw the shared filters in the sidebar (period, quartiers, basemap) and return them."""
    df = incidents()
    default = indicators.default_selection(df)
    span = indicators.data_period(df) or (default.start, default.end)
    quartiers = layer("quartiers")
    with st.sidebar:
        st.subheader("Filtres")
        picked = st.date_input(
            "Période", value=(default.start, default.end - dt.timedelta(days=1)),
            min_value=span[0] - dt.timedelta(days=366), max_value=span[1] + dt.timedelta(days=366),
            format="DD/MM/YYYY", key="filters.period",
            help="Les indicateurs sont comparés à la même période de l'année précédente.")
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            start, last = picked
        else:  # the user is choosing the second date
            start = picked[0] if isinstance(picked, (tuple, list)) else picked
            last = default.end - dt.timedelta(days=1)
        if last < start:
            start, last = last, start
        names = dict(zip(quartiers["quartier_id"], quartiers["name"], strict=True))
        chosen = st.multiselect("Quartiers", options=list(names), format_func=names.get,
                                key="filters.quartiers", placeholder="Tout le territoire")
        basemap = st.selectbox("Fond de carte", options=list(config.BASEMAPS),
                               format_func=lambda k: config.BASEMAPS[k]["label"],
                               index=list(config.BASEMAPS).index(config.default_basemap()),
                               key="filters.basemap",
                               help="« Aucun » fonctionne sans accès à internet.")
    return Filters(start, last + dt.timedelta(days=1), tuple(chosen), basemap)


def category_filter(*, field: str | None = None, key: str) -> list[str]:
    """Draw a category multiselect in the sidebar (one action field's, or all) and return it."""
    options = vocab.category_codes(field=field)
    labels = vocab.category_labels()
    with st.sidebar:
        chosen = st.multiselect("Catégories de faits", options=options, default=options,
                                format_func=labels.get, key=key)
    return chosen or options


def show_kpis(kpis: list[indicators.Kpi]) -> None:
    """Show KPIs as metrics with their change against the year before (a rise is red)."""
    cols = st.columns(min(len(kpis), 5) or 1)
    for i, k in enumerate(kpis):
        cols[i % len(cols)].metric(k.label, f"{k.value:,.0f}".replace(",", "\u202f"),
                                   delta=k.delta_text(), delta_color="inverse")


def show_map(m: folium.Map, *, key: str, height: int = 560) -> None:
    """Draw a folium map (display only: no rerun on pan or zoom)."""
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])


def territory_banner() -> None:
    """Say which territory is shown, and warn when it is the fictitious demo."""
    note = privacy.notice(role())
    if note:
        st.caption(note)
    terr = layer("territoire")
    if terr.empty:
        st.warning("Aucun territoire n'est chargé : importez ses limites depuis la page "
                   "« Données ».")
        return
    names = ", ".join(map(str, terr["name"]))
    if "fictitious" in terr.columns and bool(terr["fictitious"].fillna(False).any()):
        st.info(f"Territoire de démonstration : {names}. Toutes les données sont fictives.",
                icon=":material/science:")


def base_map(filters: Filters) -> folium.Map:
    """Return the base map of the territory with the chosen basemap."""
    return map_base.base_map(layer("territoire"), basemap=filters.basemap)


def filters() -> Filters:
    """Return the shared filters drawn by ``app.py`` for this run."""
    _require_router()
    return st.session_state["filters"]


def incident_layers(sel: indicators.Selection, *, name: str, m: folium.Map | None = None
                    ) -> list[map_base.MapLayer]:
    """Return the incident layers of a selection (added to ``m`` when given).

    Non-sensitive categories are drawn as graduated 200 m cells; sensitive ones (victims,
    minors, domestic violence, radicalisation) only as counts per quartier, with counts
    from 1 to k−1 suppressed.
    """
    open_cats, sensitive = indicators.split_sensitive(sel.categories)
    layers: list[map_base.MapLayer] = []
    if open_cats:
        try:
            grid_cells = incident_cells(indicators.Selection(sel.start, sel.end,
                                                             tuple(open_cats), sel.quartiers))
            layers.append(cell_layers.cells_layer(
                grid_cells, value_col="faits", unit="faits", legend_title=f"{name} par cellule",
                name=f"{name} (cellules de {config.HOTSPOT_CELL_M:.0f} m)", m=m))
        except ClspdGeoError as err:
            st.info(str(err))
    if sensitive:
        qc = indicators.quartier_counts(
            incidents(), layer("quartiers"),
            indicators.Selection(sel.start, sel.end, tuple(sensitive), sel.quartiers),
            k=SMALL_COUNT_K)
        layers.append(area_layers.values_by_quartier_layer(
            qc, value_col="faits", label_col="faits_affiches",
            name="Faits sensibles par quartier", unit="faits sensibles", show=not open_cats,
            m=m))
    return layers


def field_page(field: str) -> tuple[indicators.Selection, folium.Map,
                                    list[map_base.MapLayer]]:
    """Draw the common head of an action-field page; return its selection, map and layers.

    The title, question, filters and KPIs of the field's categories are drawn; the map is
    returned unfinished with the layers already on it (a new list, the page's own: it adds
    its layers, then calls :func:`finish_map`).
    """
    af = vocab.action_field(field)
    st.title(f"{af.number}. {af.label}")
    st.write(f"**Question du champ :** {af.question}")
    territory_banner()
    sel = filters().selection(category_filter(field=field, key=f"{field}.categories"))
    df = incidents()
    per_cat = indicators.by_category(df, sel)
    kpis = [indicators.total_kpi(df, sel, label="Faits du champ")]
    kpis += [indicators.Kpi(r["Catégorie"], r["Faits"], r["Faits N-1"])
             for _, r in per_cat.head(4).iterrows()]
    show_kpis(kpis)
    m = base_map(filters())
    area_layers.quartiers_layer(layer("quartiers"), m=m)
    layers = incident_layers(sel, name=af.short, m=m)
    equip = layer("equipements")
    kinds = vocab.facility_kinds_for(field)
    if not equip.empty and equip["kind"].isin(kinds).any():
        layers.append(facility_layers.facilities_layer(
            equip[~equip["confidential"]], kinds=kinds, name="Équipements du champ", m=m))
    return sel, m, layers


def finish_map(m: folium.Map, layers: list[map_base.MapLayer], *, key: str,
               sources: tuple[str, ...] = ("incidents", "equipements")) -> None:
    """Add the layer control and the legend of ``layers``, draw the map and its sources."""
    map_base.finish(m, layers)
    show_map(m, key=key)
    source_caption(*sources)


def trend_and_tables(sel: indicators.Selection, *, field: str) -> None:
    """Draw the monthly trend, the table by quartier and the field's facilities."""
    df = incidents()
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Évolution mensuelle")
        st.line_chart(indicators.monthly_trend(df, sel), y_label="Faits", x_label="Mois")
    with right:
        st.subheader("Équipements partenaires du champ")
        st.dataframe(indicators.facilities_table(layer("equipements"), field=field),
                     hide_index=True, width="stretch")
    st.subheader("Par quartier")
    table = indicators.by_quartier(df, layer("quartiers"), sel).drop(columns=["quartier_id"])
    _, sensitive = indicators.split_sensitive(sel.categories)
    if sensitive:
        # Sensitive categories are in this field: small counts are hidden in the table too.
        for col in ("Faits", "Faits N-1"):
            table[col] = indicators.suppress_small(table[col], k=SMALL_COUNT_K)
        table = table.drop(columns=["Évolution (%)", "Pour 1 000 hab."])
        st.caption(f"Les effectifs de 1 à {SMALL_COUNT_K - 1} sont masqués (« < "
                   f"{SMALL_COUNT_K} ») car ce champ comprend des faits sensibles.")
    st.dataframe(table, hide_index=True, width="stretch")


@st.cache_data(show_spinner=False, max_entries=16)
def _accident_cells(path: str, version: str, sel: indicators.Selection,
                    cell_m: float) -> gpd.GeoDataFrame:
    return indicators.accident_cells(_layer(path, version, "accidents"), sel,
                                     _grid(path, version, cell_m))


def accident_cells(sel: indicators.Selection, *,
                   cell_m: float = config.HOTSPOT_CELL_M) -> gpd.GeoDataFrame:
    """Return the accident cells of the period (cached per selection)."""
    return _accident_cells(*store_key(), sel, cell_m)


# == Hotspots panel: density or Gi* layer, hour × weekday table, forecast accuracy =============
# Appended by the hotspots work (clspd_geo.analysis.hotspots, spatial_stats, temporal, forecast). Every
# computation is a library function; these helpers only cache and draw.

@st.cache_data(show_spinner="Calcul des points chauds…", max_entries=32)
def _hotspot_map(path: str, version: str, epsg: int, sel: indicators.Selection, mode: str):
    from clspd_geo.analysis import hotspots

    df = indicators.select(_incidents(path, version, epsg), sel)
    area = hotspots.study_area(_layer(path, version, "territoire"),
                               _layer(path, version, "quartiers"), sel.quartiers)
    return hotspots.hotspot_map(df["x"].to_numpy(), df["y"].to_numpy(), area, mode=mode)


@st.cache_data(show_spinner=False, max_entries=32)
def _hour_table(path: str, version: str, epsg: int, sel: indicators.Selection):
    from clspd_geo.analysis import temporal

    rows = indicators.select(_incidents(path, version, epsg), sel)
    if "time_known" in rows.columns:
        # Facts released to this role by month or year have no real day or hour.
        rows = rows[rows["time_known"].to_numpy(dtype=bool)]
        if rows.empty:
            raise EmptySelectionError(
                "Pour votre rôle, ces faits ne sont publiés que par mois ou par année, sans "
                "jour ni heure : pas de tableau par jour de la semaine et par heure.")
    return temporal.hour_weekday(rows)


@st.cache_data(show_spinner="Évaluation des prévisions…", max_entries=16)
def _forecast_report(path: str, version: str, epsg: int, categories: tuple[str, ...],
                     end: dt.date, cell_m: float):
    from clspd_geo.analysis import forecast

    df = _incidents(path, version, epsg)
    span = indicators.data_period(df)
    first = span[0] if span else end
    train, test = forecast.monthly_periods(end, first=first)
    every = indicators.select(df, indicators.Selection(first, end, categories))
    territory = _layer(path, version, "territoire")
    grid = _grid(path, version, cell_m)
    inside = cells.inside_mask(grid, territory)
    return forecast.evaluate_xy(grid, inside, every["x"].to_numpy(), every["y"].to_numpy(),
                                every["occurred_at"].to_numpy("datetime64[ns]"),
                                train=train, test=test)


def hotspot_panel(*, categories: list[str], key: str) -> None:
    """Draw the hotspot section of a page: map layer, time table, forecast accuracy.

    Parameters
    ----------
    categories
        The page's incident categories (sensitive ones are left out of the map and of the
        forecast, as on the other maps).
    key
        The page prefix of the widget keys (e.g. ``"overview"``).
    """
    from clspd_geo.analysis import forecast, hotspots

    f = filters()
    open_cats, sensitive = indicators.split_sensitive(categories)
    st.subheader("Où se concentrent les faits ?")
    if sensitive:
        st.caption("Les faits sensibles (victimes, mineurs, violences intrafamiliales, "
                   "radicalisation) ne sont pas cartographiés finement : ils ne comptent pas "
                   "dans les points chauds ci-dessous.")
    if not open_cats:
        st.info("Aucune catégorie cartographiable finement dans cette sélection : pas de "
                "carte des points chauds.")
    else:
        sel = f.selection(open_cats)
        mode = st.radio("Représentation", options=list(hotspots.MAP_MODES),
                        format_func=hotspots.MAP_MODES.get, horizontal=True,
                        key=f"{key}.hotspot_mode")
        try:
            hm = _hotspot_map(*store_key(), metric_epsg(), sel, mode)
        except ClspdGeoError as err:
            st.info(str(err), icon=":material/info:")
        else:
            m = base_map(f)
            area_layers.quartiers_layer(layer("quartiers"), m=m)
            layers = []
            if len(hm.zones):
                layers.append(area_layers.zones_layer(
                    hm.zones, name=hm.title, line_color="#555555", line_weight=0.3,
                    fill_opacity=0.6, tooltip_alias="Zone", m=m))
            map_base.finish(m, layers)
            show_map(m, key=f"{key}.hotspot_map", height=480)
            if hm.empty_reason:
                st.info(hm.empty_reason, icon=":material/info:")
            st.caption(hm.caption)

    st.subheader("Quand ? Jour de la semaine et heure")
    try:
        hw = _hour_table(*store_key(), metric_epsg(), f.selection(categories))
    except ClspdGeoError as err:
        st.info(str(err), icon=":material/info:")
    else:
        table = hw.table if hw.hours_known else hw.weekday_totals().rename("faits").to_frame()
        if sensitive:
            table = (hw.suppressed(k=SMALL_COUNT_K) if hw.hours_known else
                     table.map(lambda v: f"< {SMALL_COUNT_K}" if 0 < v < SMALL_COUNT_K
                               else f"{v:.0f}"))
            st.caption(f"Faits sensibles inclus : les effectifs de 1 à {SMALL_COUNT_K - 1} "
                       f"sont masqués (« < {SMALL_COUNT_K} »).")
        st.dataframe(table, width="stretch")
        if not sensitive or hw.table.to_numpy().max() >= SMALL_COUNT_K:
            st.caption(hw.peak())

    if not open_cats:
        return
    st.subheader("Ces points chauds prévoient-ils le mois suivant ?")
    try:
        rep = _forecast_report(*store_key(), metric_epsg(), tuple(open_cats), f.end,
                               config.HOTSPOT_CELL_M)
    except ClspdGeoError as err:
        st.info(str(err), icon=":material/info:")
        return
    rec = rep.row(rep.recommended)
    base = rep.row("derniere_periode")
    c1, c2, c3 = st.columns(3)
    c1.metric("Faits du mois suivant dans 5 % du territoire", f"{rec['hit_rate_pct']:.0f} %")
    c2.metric("PAI (1 = hasard)", f"{rec['pai']:.1f}".replace(".", ","))
    c3.metric("Référence : mois précédents repris tels quels", f"{base['hit_rate_pct']:.0f} %")
    st.write(rep.sentence(next_period="du mois suivant"))
    st.caption(f"Mois évalué : {rep.test[0]:%m/%Y} ({rep.n_test} faits) ; apprentissage du "
               f"{rep.train[0]:%d/%m/%Y} au {rep.train[1] - pd.Timedelta(days=1):%d/%m/%Y} "
               f"({rep.n_train} faits) ; cellules de {rep.cell_size_m:g} m sur tout le "
               f"territoire (le filtre des quartiers ne s'applique pas ici). {rep.reason}")
    with st.expander("Détail par méthode et par surface couverte"):
        st.dataframe(forecast.summary_table(rep), hide_index=True, width="stretch")
        st.write(forecast.PLAIN_FRENCH)


# == Video-protection: coverage, siting of new cameras, camera plan ============================
# Appended by the video-protection work (clspd_geo.video.cameras, coverage, siting, camera_plan,
# before_after). Every computation is a library function; these helpers only cache and draw.



@dataclass(frozen=True)
class SitingParams:
    """What the planner asked for on the video-protection page (plain, hashable values)."""

    n_new: int | None
    budget_eur: float | None
    cost_eur: float
    radius_m: float
    min_distance_m: float
    source: str
    grid_m: float
    clicks: tuple[tuple[float, float], ...]
    weights: str
    half_life_days: float | None
    demand: str = "faits"


SITING_SOURCES = {"carrefours": "Carrefours des voies", "grille": "Grille sur le territoire",
                  "clics": "Points cliqués sur la carte"}
SITING_DEMANDS = {"faits": "Faits pondérés", "surface": "Surface des points chauds"}


@st.cache_data(show_spinner=False, max_entries=8)
def _video_cameras(path: str, version: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    return cameras.split_valid(_layer(path, version, "cameras"))


def video_cameras() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the cameras whose views can be computed, and the problems of the layer."""
    return _video_cameras(*store_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _video_views(path: str, version: str) -> gpd.GeoDataFrame:
    valid, _ = _video_cameras(path, version)
    return cameras.view_polygons(valid) if len(valid) else valid


def video_views() -> gpd.GeoDataFrame:
    """Return the view polygons of the valid cameras (cached per store version)."""
    return _video_views(*store_key())


def _selected(path: str, version: str, epsg: int, sel: indicators.Selection) -> pd.DataFrame:
    return indicators.select(_incidents(path, version, epsg), sel)


@st.cache_data(show_spinner="Calcul de la couverture des caméras…", max_entries=16)
def _coverage(path: str, version: str, epsg: int, sel: indicators.Selection):
    from clspd_geo.video import coverage

    valid, _ = _video_cameras(path, version)
    return coverage.assess(coverage.in_service(valid), _selected(path, version, epsg, sel),
                           epsg=epsg)


def video_coverage(sel: indicators.Selection):
    """Return ``(Coverage, selected incidents)`` for the cameras in service."""
    key = store_key()
    return _coverage(*key, metric_epsg(), sel), _selected(*key, metric_epsg(), sel)


@st.cache_data(show_spinner=False, max_entries=16)
def _uncovered(path: str, version: str, epsg: int, sel: indicators.Selection,
               cell_m: float) -> gpd.GeoDataFrame:
    from clspd_geo.video import coverage

    return coverage.uncovered_hotspots(_coverage(path, version, epsg, sel), cell_size_m=cell_m,
                                       top=20)


def uncovered_hotspots(sel: indicators.Selection, *, cell_m: float = 100.0) -> gpd.GeoDataFrame:
    """Return the 20 cells with the most incidents seen by no camera."""
    return _uncovered(*store_key(), metric_epsg(), sel, cell_m)


def _candidates(path: str, version: str, epsg: int, params: SitingParams):
    from clspd_geo.video import siting

    territoire = _layer(path, version, "territoire")
    label = None
    if params.source == "carrefours":
        voies = _layer(path, version, "voies")
        if voies.empty:
            raise EmptySelectionError("Aucune voie n'est chargée : choisissez la grille ou "
                                      "cliquez des points sur la carte.")
        points, label = siting.street_crossings(voies), "name"
    elif params.source == "grille":
        points = siting.grid_sites(territoire, spacing_m=params.grid_m)
    else:
        if not params.clicks:
            raise EmptySelectionError("Aucun point cliqué : cliquez sur la carte les lieux "
                                      "possibles, puis relancez.")
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(
            [c[0] for c in params.clicks], [c[1] for c in params.clicks]), crs=4326)
    return siting.candidates_from_points(points, epsg=epsg, label_column=label,
                                         cost_eur=params.cost_eur, territory=territoire)


def _demand(path: str, version: str, epsg: int, sel: indicators.Selection,
            params: SitingParams):
    from clspd_geo.analysis import hotspots
    from clspd_geo.video import siting

    df = _selected(path, version, epsg, sel)
    if params.demand != "surface":
        return siting.demand_from_incidents(df, epsg=epsg, category_weights=params.weights,
                                            half_life_days=params.half_life_days)
    # Hotspot surface: kernel density of the weighted incidents, densest 20 % of the cells.
    territoire = _layer(path, version, "territoire")
    grid = cells.grid_for(territoire, cell_size_m=50.0, epsg=epsg)
    w = siting.incident_weights(df, category_weights=params.weights,
                                half_life_days=params.half_life_days)
    dens = hotspots.density_xy(grid, df["x"].to_numpy(), df["y"].to_numpy(),
                               inside=cells.inside_mask(grid, territoire), weights=w)
    return siting.demand_from_surface(dens.frame(top_share=0.2), column="density_per_km2",
                                      epsg=epsg)


@st.cache_data(show_spinner="Préparation des sites candidats…", max_entries=8)
def _problem(path: str, version: str, epsg: int, sel: indicators.Selection,
             params: SitingParams):
    from clspd_geo.video import coverage, siting

    valid, _ = _video_cameras(path, version)
    return siting.prepare(_demand(path, version, epsg, sel, params),
                          _candidates(path, version, epsg, params), radius_m=params.radius_m,
                          n_new=params.n_new, budget_eur=params.budget_eur,
                          existing=coverage.in_service(valid),
                          min_distance_m=params.min_distance_m)


@st.cache_data(show_spinner=False, max_entries=16)
def _greedy(path: str, version: str, epsg: int, sel: indicators.Selection,
            params: SitingParams):
    from clspd_geo.video import siting

    return siting.greedy(_problem(path, version, epsg, sel, params))


def siting_problem_and_greedy(sel: indicators.Selection, params: SitingParams):
    """Return ``(Problem, greedy SitingResult)`` (cached per selection and parameters)."""
    key = (*store_key(), metric_epsg())
    return _problem(*key, sel, params), _greedy(*key, sel, params)


@st.cache_data(show_spinner=False, max_entries=16)
def _exact(path: str, version: str, epsg: int, sel: indicators.Selection,
           params: SitingParams, time_limit_s: float):
    from clspd_geo.video import siting

    return siting.exact(_problem(path, version, epsg, sel, params), time_limit_s=time_limit_s,
                        fallback=_greedy(path, version, epsg, sel, params))


def exact_with_progress(sel: indicators.Selection, params: SitingParams, *,
                        time_limit_s: float):
    """Run the exact solver in a worker thread and show a progress bar until it ends.

    A result already computed comes back at once from the cache. Library errors raised in
    the worker are raised again here, so the page shows them like any other.
    """
    import threading
    import time

    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    key = (*store_key(), metric_epsg())
    out: dict[str, object] = {}

    def work() -> None:
        try:
            out["result"] = _exact(*key, sel, params, time_limit_s)
        except ClspdGeoError as err:  # shown by the page
            out["error"] = err

    worker = threading.Thread(target=work, name="clspd-exact", daemon=True)
    add_script_run_ctx(worker, get_script_run_ctx())
    worker.start()
    worker.join(timeout=0.3)
    if worker.is_alive():
        bar = st.progress(0.0, text="Recherche de l'optimum exact (HiGHS)…")
        started = time.monotonic()
        while worker.is_alive():
            elapsed = time.monotonic() - started
            bar.progress(min(elapsed / time_limit_s, 0.99),
                         text=f"Recherche de l'optimum exact (HiGHS)… {elapsed:.0f} s, "
                              f"au plus {time_limit_s:.0f} s")
            worker.join(timeout=0.25)
        bar.empty()
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out["result"]


@st.cache_data(show_spinner="Vérification sur la période précédente…", max_entries=8)
def _out_of_sample(path: str, version: str, epsg: int, sel: indicators.Selection,
                   params: SitingParams):
    from clspd_geo.video import coverage, siting

    days = (sel.end - sel.start).days
    train_sel = indicators.Selection(sel.start - dt.timedelta(days=days), sel.start,
                                     sel.categories, sel.quartiers)
    valid, _ = _video_cameras(path, version)
    return siting.out_of_sample(_demand(path, version, epsg, train_sel, params),
                                _demand(path, version, epsg, sel, params),
                                _candidates(path, version, epsg, params),
                                radius_m=params.radius_m, n_new=params.n_new,
                                budget_eur=params.budget_eur,
                                existing=coverage.in_service(valid),
                                min_distance_m=params.min_distance_m)


def out_of_sample(sel: indicators.Selection, params: SitingParams):
    """Choose sites on the period before the selected one and score them on it."""
    return _out_of_sample(*store_key(), metric_epsg(), sel, params)


@st.cache_data(show_spinner="Préparation du plan des caméras…", max_entries=4)
def _camera_plan(path: str, version: str, sites_key: tuple[str, ...],
                 _new_sites: gpd.GeoDataFrame | None) -> str:
    from clspd_geo.video import camera_plan

    valid, _ = _video_cameras(path, version)
    cams = valid if _new_sites is None else pd.concat([valid, _new_sites], ignore_index=True)
    return camera_plan.to_html(cams, territoire=_layer(path, version, "territoire"),
                               quartiers=_layer(path, version, "quartiers"))


def camera_plan_html(new_sites: gpd.GeoDataFrame | None = None) -> str:
    """Return the printable camera plan (with the proposed sites as « en projet »)."""
    key = () if new_sites is None else tuple(map(str, new_sites["camera_id"]))
    return _camera_plan(*store_key(), key, new_sites)


@st.cache_data(show_spinner="Comparaison avant / après la mise en service…", max_entries=4)
def _before_after(path: str, version: str, epsg: int) -> pd.DataFrame:
    from clspd_geo.video import before_after

    valid, _ = _video_cameras(path, version)
    return before_after.before_after(valid, _incidents(path, version, epsg), epsg=epsg)


def before_after_table() -> pd.DataFrame:
    """Return the before/after comparison of every dated camera (all incidents)."""
    return _before_after(*store_key(), metric_epsg())


# == Who sees what: login gate, role of the session, audit trail ==============================
# Appended by the roles work (clspd_geo.access.privacy, auth, audit). The role is checked on the
# server at every run by require_login(); store_key() puts it in every cache key, and
# _layer() / _incidents() pass what they read through privacy.restrict for that role.

def role() -> str:
    """Return the role of this session, checked at this run by :func:`require_login`.

    Fails closed: with no checked role the page shows an error and stops.
    """
    _require_router()
    code = st.session_state.get("auth.role")
    if code not in privacy.ROLE_CODES:
        show_error(privacy.AccessError("Session non connectée : rechargez la page et "
                                       "connectez-vous."))
    return code


def _role_of(version: str) -> str:
    parts = version.split("|")
    if len(parts) != 3:
        raise privacy.AccessError("Lecture sans rôle refusée (clé de lecture incomplète).")
    return parts[1]


@st.cache_resource(show_spinner="Purge des faits anciens…", max_entries=4)
def _purge_once(path: str, file_token: str) -> int:
    # Once per file version; a purge rewrites the file, so its next version is checked too.
    return audit.purge_incidents(path)


def _oidc_enabled() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        return False


def _account() -> auth.Account | None:
    """Return the account of this session (identity provider first, then local), or None."""
    if _oidc_enabled() and st.user.is_logged_in:
        return auth.oidc_account(st.user.to_dict())
    return auth.check_session(st.session_state.get("auth.token"))


def _is_demo() -> bool:
    path, token = _store_file()
    terr = _open_file(str(path), token).read("territoire")
    return "fictitious" in terr.columns and bool(terr["fictitious"].fillna(False).any())


def _log_in(username: str, password: str) -> None:
    try:
        token = auth.login(username, password)
    except auth.AuthError as err:
        audit.record(username[:64] or "-", "-", "echec_connexion", "connexion")
        st.session_state["auth.message"] = str(err)
        return
    acc = auth.check_session(token)
    audit.record(acc.username, acc.role, "connexion", "connexion")
    st.session_state["auth.token"] = token
    st.session_state.pop("auth.message", None)


def _submit_login() -> None:
    _log_in(st.session_state.get("auth.username", "").strip(),
            st.session_state.get("auth.password", ""))


def _log_out() -> None:
    auth.logout(st.session_state.pop("auth.token", None))
    st.session_state.pop("auth.role", None)
    st.session_state.pop("audit.page", None)
    if _oidc_enabled() and st.user.is_logged_in:
        st.logout()


def require_login() -> str:
    """Check the session on the server and return its role; else draw the login and stop.

    Runs at the top of ``app.py`` on every run: an expired session, a disabled account or
    a changed role takes effect at the next interaction. With an identity provider
    configured (``[auth]`` in ``.streamlit/secrets.toml``), ``st.login`` is offered and the
    role comes from a claim (:func:`clspd_geo.access.auth.role_from_claims`).
    """
    _require_router()
    st.session_state.pop("auth.role", None)
    try:
        acc = _account()
    except ClspdGeoError as err:
        st.error(str(err), icon=":material/lock:")
        acc = None
    if acc is None:
        # A navigation holding only the login: any other page asked for (deep link,
        # switch_page) falls back to it instead of running on its own.
        st.navigation([st.Page(_login_page, title="Connexion", icon=":material/lock:",
                               url_path="connexion", default=True)],
                      position="hidden").run()
        st.stop()
    st.session_state["auth.role"] = acc.role
    st.session_state["auth.user"] = acc.username
    with st.sidebar:
        st.caption(f"Connecté : {acc.username} · {privacy.role(acc.role).label}")
        st.button("Se déconnecter", key="auth.logout", on_click=_log_out,
                  icon=":material/logout:")
    return acc.role


def _login_page() -> None:
    if st.session_state.pop("auth.token", None):
        st.warning("Votre session a expiré ou votre compte a été désactivé : reconnectez-vous.",
                   icon=":material/timer_off:")
    st.title("Connexion")
    st.write("Tableau de bord cartographique du CLSPD : l'accès est réservé aux comptes "
             "autorisés, chacun selon son rôle.")
    if _oidc_enabled():
        st.button("Se connecter avec le fournisseur d'identité", key="auth.oidc",
                  on_click=st.login, type="primary")
    with st.form("auth.form", clear_on_submit=True):
        st.text_input("Identifiant", key="auth.username")
        st.text_input("Mot de passe", type="password", key="auth.password")
        st.form_submit_button("Se connecter", on_click=_submit_login)
    if st.session_state.get("auth.message"):
        st.error(st.session_state["auth.message"], icon=":material/lock:")
    try:
        demo_store = _is_demo()
    except ClspdGeoError:
        demo_store = False
    if demo_store:
        made = auth.ensure_demo_accounts()
        if made:
            audit.record("système", "admin", "compte", "démo", detail=f"{len(made)} comptes")
        st.info("Territoire de démonstration fictif : un compte par rôle, l'identifiant est le "
                "code du rôle (" + ", ".join(privacy.ROLE_CODES) + ") et le mot de passe "
                + auth.DEMO_PASSWORD.format(role="<rôle>") + ". Ces comptes n'existent que "
                "pour la démonstration.", icon=":material/science:")


# Pages each role may open (by URL path); pages not listed are open to every role but admin.
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "donnees": ("admin", "police"),
    # Patrol workload per shift, patrol briefs and sector redesigns are patrol planning,
    # which only the police sees (docs/roles.md); other roles see field 1 on the overview.
    "police": ("police",),
    # The camera network is the page's subject; roles that never see cameras do not get it.
    "videoprotection": ("police", "videoprotection"),
    "administration": ("admin",),
}


def pages_for_role(pages: dict[str, list], role_code: str) -> dict[str, list]:
    """Return the navigation sections with only the pages this role may open.

    The administrator operates the tool without reading incident data: only the pages
    listed for it in :data:`PAGE_ROLES`.
    """
    out = {}
    for section, items in pages.items():
        kept = [p for p in items if role_code in PAGE_ROLES.get(
            p.url_path, tuple(r for r in privacy.ROLE_CODES if r != "admin"))]
        if kept:
            out[section] = kept
    return out


def audit_view(page) -> None:
    """Record a page view in the audit trail (once per page change in a session)."""
    name = getattr(page, "url_path", "") or "accueil"
    if st.session_state.get("audit.page") != name:
        st.session_state["audit.page"] = name
        audit.record(st.session_state.get("auth.user", "-"), role(), "vue", name)


def audit_export(file_name: str, *, detail: str = "") -> None:
    """Record an export (a download) in the audit trail."""
    audit.record(st.session_state.get("auth.user", "-"), role(), "export", file_name,
                 detail=detail)


def download_button(label: str, data, file_name: str | None = None, mime: str | None = None,
                    key: str | None = None, *, container=None, detail: str = "",
                    **kwargs) -> bool:
    """Draw a download button that records the export in the audit trail when clicked.

    A drop-in for ``st.download_button`` (same arguments; ``container=`` draws it in a
    column or another container): replace ``st.download_button(`` or ``col.download_button(``
    by ``ui.download_button(`` (with ``container=col``). ``data`` must come from the
    role-aware helpers of this module (they pass through :func:`clspd_geo.access.privacy.restrict`).
    """
    name = file_name or str(label)
    user_click = kwargs.pop("on_click", None)
    user_args = kwargs.pop("args", None) or ()
    user_kwargs = kwargs.pop("kwargs", None) or {}

    def clicked() -> None:
        audit_export(name, detail=detail)
        if callable(user_click):
            user_click(*user_args, **user_kwargs)

    target = container if container is not None else st
    return target.download_button(label, data, file_name=file_name, mime=mime, key=key,
                                  on_click=clicked, **kwargs)


# == Action-field analyses and the CLSPD action plan (issue 8) ==================================
# Appended by the action-field pages work (clspd_geo.analysis.accessibility, field_analyses,
# road_safety, actions, field_maps). Every computation is a library function; these helpers
# cache it, turn a user-facing error into an information (the page goes on) and draw.

ACTION_EDITOR_ROLES = ("elu", "groupe_travail", "police", "admin")
"""Roles that may edit the action plan (the others read it)."""


def analysis_note(err: ClspdGeoError) -> None:
    """Show why an analysis has nothing to show (what to import, with the command)."""
    st.info(str(err), icon=":material/info:")


def interpretation(sentence: str) -> None:
    """Write the French sentence of interpretation of an analysis."""
    st.markdown(f"**Lecture :** {sentence}")


def _selected_rows(path: str, version: str, epsg: int,
                   sel: indicators.Selection) -> pd.DataFrame:
    return indicators.select(_incidents(path, version, epsg), sel)


@st.cache_data(show_spinner=False, max_entries=16)
def _school_rings(path: str, version: str, epsg: int, sel: indicators.Selection, k: int):
    from clspd_geo.analysis import field_analyses

    return field_analyses.school_surroundings(_selected_rows(path, version, epsg, sel),
                                              _layer(path, version, "equipements"),
                                              epsg=epsg, k=k)


def school_rings(sel: indicators.Selection, *, k: int = 0):
    """Return :func:`clspd_geo.analysis.field_analyses.school_surroundings` of the selection (cached)."""
    return _school_rings(*store_key(), metric_epsg(), sel, k)


@st.cache_data(show_spinner=False, max_entries=16)
def _school_zones(path: str, version: str, epsg: int, sel: indicators.Selection, k: int):
    from clspd_geo.analysis import field_analyses

    return field_analyses.school_zone_counts(_selected_rows(path, version, epsg, sel),
                                             _layer(path, version, "equipements"),
                                             epsg=epsg, k=k)


def school_zones(sel: indicators.Selection, *, k: int) -> pd.DataFrame:
    """Return incidents per school zone, small counts suppressed (cached)."""
    return _school_zones(*store_key(), metric_epsg(), sel, k)


@st.cache_data(show_spinner=False, max_entries=16)
def _rates(path: str, version: str, epsg: int, sel: indicators.Selection, k: int):
    from clspd_geo.analysis import field_analyses

    return field_analyses.rates_by_quartier(_selected_rows(path, version, epsg, sel),
                                            _layer(path, version, "quartiers"), k=k)


def quartier_rates(sel: indicators.Selection):
    """Return the selection per quartier, per 1,000 inhabitants when known (cached)."""
    return _rates(*store_key(), metric_epsg(), sel, SMALL_COUNT_K)


@st.cache_data(show_spinner=False, max_entries=16)
def _night(path: str, version: str, epsg: int, sel: indicators.Selection, radius_m: float):
    from clspd_geo.analysis import field_analyses

    return field_analyses.alcohol_by_night_hour(_selected_rows(path, version, epsg, sel),
                                                _layer(path, version, "equipements"),
                                                epsg=epsg, radius_m=radius_m)


def alcohol_night(sel: indicators.Selection, *, radius_m: float):
    """Return alcohol incidents by hour of night near licensed premises (cached)."""
    return _night(*store_key(), metric_epsg(), sel, radius_m)


@st.cache_data(show_spinner=False, max_entries=16)
def _care(path: str, version: str, epsg: int, sel: indicators.Selection, network: bool):
    from clspd_geo.analysis import field_analyses

    spots = field_analyses.dense_cells(_selected_rows(path, version, epsg, sel),
                                       _layer(path, version, "territoire"), epsg=epsg)
    roads = _layer(path, version, "voies") if network else None
    return spots, field_analyses.distance_to_care(spots, _layer(path, version, "equipements"),
                                                  voies=roads)


def care_distance(sel: indicators.Selection, *, network: bool):
    """Return the densest cells of the selection and their walk to care (cached)."""
    return _care(*store_key(), metric_epsg(), sel, network)


@st.cache_data(show_spinner=False, max_entries=16)
def _support(path: str, version: str, epsg: int, sel: indicators.Selection, network: bool,
             minutes: float):
    from clspd_geo.analysis import field_analyses

    roads = _layer(path, version, "voies") if network else None
    return field_analyses.support_access(
        _selected_rows(path, version, epsg, sel), _layer(path, version, "quartiers"),
        _layer(path, version, "equipements"), epsg=epsg, k=SMALL_COUNT_K, voies=roads,
        minutes=minutes)


def support_access(sel: indicators.Selection, *, network: bool, minutes: float):
    """Return the walk from incidents and residents to victim support (cached)."""
    return _support(*store_key(), metric_epsg(), sel, network, minutes)


@st.cache_data(show_spinner="Calcul des temps de marche…", max_entries=16)
def _qpv(path: str, version: str, kinds: tuple[str, ...], minutes: float, network: bool):
    from clspd_geo.analysis import accessibility

    roads = _layer(path, version, "voies") if network else None
    equip = _layer(path, version, "equipements")
    res = accessibility.qpv_access(_layer(path, version, "quartiers"), equip, kinds=list(kinds),
                                   minutes=minutes, voies=roads)
    return res, accessibility.reach_zones(equip, kinds=kinds, minutes=minutes)


def qpv_access(kinds: list[str], *, minutes: float, network: bool):
    """Return QPV residents within a walk of each kind, and the reach discs (cached)."""
    return _qpv(*store_key(), tuple(kinds), float(minutes), network)


def network_choice(*, key: str) -> bool:
    """Let the user measure walks along the ``voies`` layer when one is loaded."""
    if layer("voies").empty:
        st.caption("Aucune couche de voies n'est chargée : les distances sont à vol d'oiseau "
                   "(importez les voies pour des trajets par les rues).")
        return False
    # Straight line first: the `voies` layer usually holds the main roads only, and a walk
    # restricted to them is much longer than the real one through every street.
    choice = st.radio("Mesure des distances", ["droite", "reseau"], horizontal=True, key=key,
                      format_func={"reseau": "par les voies chargées",
                                   "droite": "à vol d'oiseau"}.get,
                      help="La couche « voies » ne compte souvent que les axes principaux : "
                           "les trajets par ces seules voies sont plus longs que les vrais, "
                           "et la distance à vol d'oiseau plus courte (20 à 40 % en ville).")
    return choice == "reseau"


@st.cache_data(show_spinner=False, max_entries=16)
def _road(path: str, version: str, start: dt.date, end: dt.date, on_roads: bool):
    from clspd_geo.analysis import road_safety

    acc = indicators.accidents_in(_layer(path, version, "accidents"), start, end)
    roads = _layer(path, version, "voies") if on_roads else None
    return road_safety.road_hotspots(acc, territory=_layer(path, version, "territoire"),
                                     voies=roads)


def road_hotspots(sel: indicators.Selection, *, on_roads: bool = True):
    """Return the road sections (or cells) with the most severe accidents (cached)."""
    return _road(*store_key(), sel.start, sel.end, on_roads)


@st.cache_data(show_spinner=False, max_entries=16)
def _accident_rings(path: str, version: str, epsg: int, start: dt.date, end: dt.date):
    from clspd_geo.analysis import field_analyses

    acc = indicators.accidents_in(_layer(path, version, "accidents"), start, end)
    return field_analyses.school_surroundings(acc, _layer(path, version, "equipements"),
                                              epsg=epsg)


def accident_school_rings(sel: indicators.Selection):
    """Return accidents around schools at school hours and other hours (cached)."""
    return _accident_rings(*store_key(), metric_epsg(), sel.start, sel.end)


@st.cache_data(show_spinner=False, max_entries=16)
def _resources(path: str, version: str, epsg: int, sel: indicators.Selection,
               kinds: tuple[str, ...], field: str):
    from clspd_geo.analysis import field_analyses

    per_q = field_analyses.resources_by_quartier(
        _layer(path, version, "quartiers"), _layer(path, version, "equipements"),
        _layer(path, version, "actions"), kinds=kinds, field=field)
    counts = _selected_rows(path, version, epsg, sel)["quartier_id"].astype(
        "string").value_counts()
    return per_q, field_analyses.resources_sentence(per_q, counts=counts, k=SMALL_COUNT_K)


def resources_by_quartier(sel: indicators.Selection, *, field: str):
    """Return resources and actions per quartier and a sentence (aggregated only, cached)."""
    return _resources(*store_key(), metric_epsg(), sel,
                      tuple(vocab.facility_kinds_for(field)), field)


# -- the action plan ----------------------------------------------------------------------------

def action_plan_layer(*, field: str, m: folium.Map | None = None) -> map_base.MapLayer:
    """Return the layer of the field's placed actions (added to ``m`` when any is placed)."""
    from clspd_geo.plan import actions
    from clspd_geo.maps import field_layers

    plan = actions.for_field(layer("actions"), field)
    return field_layers.actions_layer(plan, name="Actions du plan (CLSPD)", m=m)


def edited_plan(field: str, plan: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the field's editor table with the edits held in the editor's widget state."""
    from clspd_geo.plan import actions

    out = actions.editor_frame(plan, field).astype(object)
    state = st.session_state.get(f"{field}.plan_editor") or {}
    for row, changes in (state.get("edited_rows") or {}).items():
        for col, value in changes.items():
            out.at[int(row), col] = value
    deleted = [int(r) for r in state.get("deleted_rows") or []]
    out = out.drop(index=[r for r in deleted if r in out.index])
    added = [{c: r.get(c) for c in actions.EDITOR_COLUMNS} for r in state.get("added_rows") or []]
    if added:
        out = pd.concat([out, pd.DataFrame(added, columns=list(actions.EDITOR_COLUMNS))],
                        ignore_index=True)
    return out.reset_index(drop=True)


def _save_plan(field: str) -> None:
    """Write the edited plan: the save button's callback.

    A callback runs before the page, so no rerun of the page can lose the click; it opens
    the store itself (the page helpers may rerun the script, which a callback must not do)
    and checks the role the login gate gave this session at its last run.
    """
    from clspd_geo.plan import actions

    role_code = st.session_state.get("auth.role")
    if role_code not in ACTION_EDITOR_ROLES:
        st.session_state[f"{field}.plan_message"] = (
            "error", "Votre rôle ne permet pas de modifier le plan d'action.")
        return
    try:
        s = store_mod.open_store(config.store_target())
        current = s.read("actions") if s.has("actions") else actions.empty()
        new = actions.apply_edits(current, field, edited_plan(field, current),
                                  quartiers=s.read("quartiers"),
                                  territoire=s.read("territoire"))
        s.write("actions", new, source=actions.SOURCE)
    except ClspdGeoError as err:
        st.session_state[f"{field}.plan_message"] = ("error", str(err))
        return
    audit.record(st.session_state.get("auth.user", "-"), role_code, "modification",
                 f"plan d'action : {field}")
    st.session_state.pop(f"{field}.plan_editor", None)  # the edits are now in the plan
    n = int((new["field"] == field).sum())
    st.session_state[f"{field}.plan_message"] = ("success",
                                                 f"Plan d'action enregistré : {n} action(s) "
                                                 "pour ce champ.")


def action_plan(field: str) -> None:
    """Draw the field's actions of the CLSPD plan, and their editor for the roles allowed."""
    from clspd_geo.plan import actions

    st.subheader("Plan d'action du CLSPD : actions de ce champ")
    plan = layer("actions")
    mine = actions.for_field(plan, field)
    if mine.empty:
        st.info("Aucune action de ce champ n'est inscrite au plan d'action. "
                + ("Ajoutez-en ci-dessous." if role() in ACTION_EDITOR_ROLES else ""),
                icon=":material/info:")
    else:
        st.dataframe(actions.display_table(mine, layer("quartiers")), hide_index=True,
                     width="stretch")
        st.caption(actions.status_sentence(mine))
    message = st.session_state.pop(f"{field}.plan_message", None)
    if message:
        (st.error if message[0] == "error" else st.success)(message[1])
    if role() not in ACTION_EDITOR_ROLES:
        return
    quartiers = layer("quartiers")
    names = dict(zip(quartiers["quartier_id"], quartiers["name"], strict=True))
    labels = {p.code: p.label for p in vocab.PARTNERS}
    cc = st.column_config
    with st.expander("Modifier les actions de ce champ", icon=":material/edit:"):
        st.caption("Ajoutez une ligne en bas du tableau, modifiez une cellule, ou supprimez "
                   "une ligne ; rien n'est écrit avant « Enregistrer ». Le point (longitude, "
                   "latitude en degrés) est facultatif : une action peut ne viser qu'un "
                   "quartier, ou tout le territoire.")
        with st.form(f"{field}.plan_form", border=False):
            st.data_editor(
                actions.editor_frame(plan, field), key=f"{field}.plan_editor",
                num_rows="dynamic", hide_index=True, width="stretch",
                column_config={
                    "action_id": cc.TextColumn(actions.EDITOR_LABELS["action_id"],
                                               disabled=True),
                    "title": cc.TextColumn(actions.EDITOR_LABELS["title"], required=True),
                    "lead_partner": cc.SelectboxColumn(
                        actions.EDITOR_LABELS["lead_partner"], options=list(labels),
                        format_func=labels.get, required=True),
                    "partners": cc.MultiselectColumn(
                        actions.EDITOR_LABELS["partners"], options=list(labels),
                        format_func=labels.get),
                    "quartier_id": cc.SelectboxColumn(
                        actions.EDITOR_LABELS["quartier_id"], options=list(names),
                        format_func=names.get),
                    "place": cc.TextColumn(actions.EDITOR_LABELS["place"]),
                    "status": cc.SelectboxColumn(
                        actions.EDITOR_LABELS["status"], options=list(actions.STATUSES),
                        format_func=actions.STATUSES.get, required=True),
                    "start_on": cc.DateColumn(actions.EDITOR_LABELS["start_on"],
                                              format="DD/MM/YYYY"),
                    "end_on": cc.DateColumn(actions.EDITOR_LABELS["end_on"],
                                            format="DD/MM/YYYY"),
                    "indicator": cc.TextColumn(actions.EDITOR_LABELS["indicator"]),
                    "lon": cc.NumberColumn(actions.EDITOR_LABELS["lon"], format="%.5f"),
                    "lat": cc.NumberColumn(actions.EDITOR_LABELS["lat"], format="%.5f"),
                })
            st.form_submit_button("Enregistrer le plan d'action", type="primary",
                                  on_click=_save_plan, args=(field,))


def action_plan_overview() -> None:
    """Draw the whole plan by status (overview page)."""
    from clspd_geo.plan import actions

    st.subheader("Plan d'action du CLSPD")
    plan = layer("actions")
    st.write(actions.status_sentence(plan))
    if plan.empty:
        return
    st.dataframe(actions.by_status(plan), width="stretch")
    for code, label in actions.STATUSES.items():
        rows = plan[plan["status"] == code]
        if len(rows):
            with st.expander(f"{label} ({len(rows)})"):
                st.dataframe(actions.display_table(rows, layer("quartiers"), with_field=True)
                             .drop(columns=["Statut"]), hide_index=True, width="stretch")


# -- police coordination page (pages/police.py; issue 7) ---------------------------------------
# Cached analyses of the police page. Incidents come from the role-restricted table
# (incidents()), never from the store directly.

def police_timed_categories(role_code: str) -> list[str]:
    """Return the categories a role reads with their exact time (the others have no hour)."""
    return [c for c in vocab.category_codes()
            if privacy.category_rule(role_code, c).access == "exact"]


def _police_points(path: str, version: str, epsg: int, start: dt.date,
                   end: dt.date) -> gpd.GeoDataFrame:
    # Categories released to this role as monthly atoms carry no time of day: they cannot be
    # put in a shift, so the police analyses leave them out (the page says so).
    df = _incidents(path, version, epsg)
    t = df["occurred_at"]
    timed = df["category"].astype(str).isin(police_timed_categories(_role_of(version)))
    part = df[(t >= pd.Timestamp(start)) & (t < pd.Timestamp(end)) & timed.to_numpy()]
    return gpd.GeoDataFrame(
        {"occurred_at": part["occurred_at"].to_numpy(),
         "category": part["category"].astype(str).to_numpy()},
        geometry=gpd.points_from_xy(part["lon"], part["lat"]), crs=config.STORAGE_CRS)


def _police_shifts(bounds: tuple[tuple[str, float, float], ...]):
    from clspd_geo.police import patrols

    return patrols.make_shifts(bounds)


@st.cache_data(show_spinner="Calcul de la charge des secteurs…", max_entries=16)
def _police_workload(path: str, version: str, epsg: int, start: dt.date, end: dt.date,
                     bounds: tuple[tuple[str, float, float], ...],
                     weights: tuple[tuple[str, float], ...]):
    from clspd_geo.police import patrols

    return patrols.workload(_police_points(path, version, epsg, start, end),
                            _layer(path, version, "secteurs"), shifts=_police_shifts(bounds),
                            weights=dict(weights),
                            period=(pd.Timestamp(start), pd.Timestamp(end)))


def police_workload(filters: Filters, *, bounds: tuple[tuple[str, float, float], ...],
                    weights: tuple[tuple[str, float], ...]):
    """Return the workload of the sectors over the filters' period (cached)."""
    try:
        return _police_workload(*store_key(), metric_epsg(), filters.start, filters.end,
                                bounds, weights)
    except ClspdGeoError as err:
        show_error(err)
        raise


@st.cache_data(show_spinner="Chevauchements et zones non couvertes…", max_entries=16)
def _police_coordination(path: str, version: str, epsg: int, start: dt.date, end: dt.date,
                         bounds: tuple[tuple[str, float, float], ...],
                         weights: tuple[tuple[str, float], ...]):
    from clspd_geo.police import patrols, sectors

    points = _police_points(path, version, epsg, start, end)
    secteurs = _layer(path, version, "secteurs")
    co = patrols.coordination(secteurs, points, territory=_layer(path, version, "territoire"),
                              shifts=_police_shifts(bounds), weights=dict(weights))
    return co, sectors.check_sectors(secteurs, incidents=points)


def police_coordination(filters: Filters, *, bounds: tuple[tuple[str, float, float], ...],
                        weights: tuple[tuple[str, float], ...]):
    """Return ``(Coordination, SectorCheck)`` over the filters' period (cached)."""
    try:
        return _police_coordination(*store_key(), metric_epsg(), filters.start, filters.end,
                                    bounds, weights)
    except ClspdGeoError as err:
        show_error(err)
        raise


@st.cache_data(show_spinner="Préparation de la fiche de patrouille…", max_entries=16)
def _police_brief(path: str, version: str, epsg: int, end: dt.date, sector_id: str,
                  shift: str, days: int, bounds: tuple[tuple[str, float, float], ...]):
    from clspd_geo.police import patrol_brief

    start = end - dt.timedelta(days=2 * days)
    brief = patrol_brief.build_brief(
        _layer(path, version, "secteurs"), _police_points(path, version, epsg, start, end),
        sector_id=sector_id, shift=shift, facilities=_layer(path, version, "equipements"),
        shifts=_police_shifts(bounds), as_of=pd.Timestamp(end), recent_days=days)
    return brief, patrol_brief.to_html(brief)


def police_brief(filters: Filters, *, sector_id: str, shift: str, days: int,
                 bounds: tuple[tuple[str, float, float], ...]):
    """Return ``(PatrolBrief, html)`` for the days before the end of the filters' period.

    Raises :class:`ClspdGeoError` (e.g. no incident in that shift): the page shows it and
    goes on with its other sections.
    """
    return _police_brief(*store_key(), metric_epsg(), filters.end, sector_id, shift, days,
                         bounds)


@st.cache_data(show_spinner="Recherche d'un découpage équilibré…", max_entries=8)
def _police_redesign(path: str, version: str, epsg: int, start: dt.date, end: dt.date, k: int,
                     force: str, blocks: str, cell_m: float, keep_split: bool,
                     weights: tuple[tuple[str, float], ...]):
    from clspd_geo.police import sectors

    quartiers = _layer(path, version, "quartiers") if blocks == "quartiers" else None
    return sectors.propose(_layer(path, version, "secteurs"),
                           _police_points(path, version, epsg, start, end), k=k, force=force,
                           blocks=quartiers, cell_size_m=cell_m, keep_split=keep_split,
                           weights=dict(weights))


def police_redesign(filters: Filters, *, k: int, force: str, blocks: str, cell_m: float,
                    keep_split: bool, weights: tuple[tuple[str, float], ...]):
    """Return ``(Redesign, comparison table)`` over the filters' period (cached).

    Raises :class:`ClspdGeoError` (e.g. more sectors than blocks): the page shows it and goes
    on with its other sections.
    """
    return _police_redesign(*store_key(), metric_epsg(), filters.start, filters.end, k, force,
                            blocks, cell_m, keep_split, weights)
