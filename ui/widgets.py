"""Widgets the pages share: the sidebar filters, KPIs, maps, errors, notes and sources.

The sidebar filters are one :class:`clspd_geo.analysis.selection.Selection` (period and
quartiers, no category): a page adds its categories with :func:`selection`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import folium
import streamlit as st
from streamlit_folium import st_folium

from clspd_geo import _format, config, safe, vocab
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators, selection as selection_mod
from clspd_geo.errors import ClspdGeoError

T = TypeVar("T")

FILTERS_KEY = "filters"
BASEMAP_KEY = "filters.basemap"


def show_error(err: ClspdGeoError) -> None:
    """Show a user-facing error in French and stop the page."""
    st.error(str(err), icon=":material/error:")
    st.stop()


def analysis_note(err: ClspdGeoError) -> None:
    """Show why an analysis has nothing to show (what to import, with the command)."""
    st.info(str(err), icon=":material/info:")


def interpretation(sentence: str) -> None:
    """Write the French sentence of interpretation of an analysis."""
    st.markdown(f"**Lecture :** {sentence}")


def sidebar_filters(view: RoleView) -> selection_mod.Selection:
    """Draw the shared filters in the sidebar (period, quartiers, basemap) and return them."""
    df = view.incidents()
    if df.empty:  # a real commune loaded without incidents: the period of its accidents
        df = view.layer("accidents")
    default = indicators.default_selection(df)
    span = indicators.data_period(df) or (default.start, default.end)
    quartiers = view.layer("quartiers")
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
        st.selectbox("Fond de carte", options=list(config.BASEMAPS),
                     format_func=lambda k: config.BASEMAPS[k]["label"],
                     index=list(config.BASEMAPS).index(config.default_basemap()),
                     key=BASEMAP_KEY, help="« Aucun » fonctionne sans accès à internet.")
    sel = selection_mod.Selection(start, last + dt.timedelta(days=1), quartiers=tuple(chosen))
    st.session_state[FILTERS_KEY] = sel
    return sel


def filters() -> selection_mod.Selection:
    """Return the shared filters drawn by ``app.py`` for this run (no category)."""
    return st.session_state[FILTERS_KEY]


def basemap() -> str:
    """Return the basemap chosen in the sidebar."""
    return st.session_state.get(BASEMAP_KEY, config.default_basemap())


def selection(categories: list[str] | tuple[str, ...]) -> selection_mod.Selection:
    """Return the shared filters with these categories."""
    return filters().with_categories(categories)


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
        cols[i % len(cols)].metric(k.label, _format.number(k.value),
                                   delta=k.delta_text(), delta_color="inverse")


def show_map(m: folium.Map, *, key: str, height: int = 560) -> None:
    """Draw a folium map (display only: no rerun on pan or zoom)."""
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])


def territory_banner(view: RoleView) -> None:
    """Say what the role sees, which territory is shown, and warn when it is the demo."""
    note = view.notice()
    if note:
        st.caption(note)
    terr = view.layer("territoire")
    if terr.empty:
        st.warning("Aucun territoire n'est chargé : importez ses limites depuis la page "
                   "« Données ».")
        return
    if view.is_demo():
        names = ", ".join(safe.md(str(n)) for n in terr["name"])
        st.info(f"Territoire de démonstration : {names}. Toutes les données sont fictives.",
                icon=":material/science:")


def source_caption(view: RoleView, *layer_names: str) -> None:
    """Write "Source : …" under a map for the given layers the role sees."""
    parts = view.sources(*layer_names)
    if parts:
        st.caption("Source : " + " · ".join(safe.md(p) for p in parts))


def network_choice(view: RoleView, *, key: str) -> bool:
    """Let the user measure walks along the ``voies`` layer when one is loaded."""
    if view.layer("voies").empty:
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


def run_with_progress(compute: Callable[[], T], *, time_limit_s: float, text: str) -> T:
    """Run ``compute`` in a worker thread and show a progress bar until it ends.

    A result memoised by the role view comes back at once. Library errors raised in the
    worker are raised again here, so the page shows them like any other.
    """
    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    out: dict[str, object] = {}

    def work() -> None:
        try:
            out["result"] = compute()
        except ClspdGeoError as err:  # shown by the page
            out["error"] = err

    worker = threading.Thread(target=work, name="clspd-progress", daemon=True)
    add_script_run_ctx(worker, get_script_run_ctx())
    worker.start()
    worker.join(timeout=0.3)
    if worker.is_alive():
        bar = st.progress(0.0, text=text)
        started = time.monotonic()
        while worker.is_alive():
            elapsed = time.monotonic() - started
            bar.progress(min(elapsed / time_limit_s, 0.99),
                         text=f"{text} {elapsed:.0f} s, au plus {time_limit_s:.0f} s")
            worker.join(timeout=0.25)
        bar.empty()
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out["result"]  # type: ignore[return-value]
