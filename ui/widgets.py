"""Widgets the pages share: the sidebar filters, KPIs, maps, errors, notes and sources.

The sidebar filters are one :class:`clspd_geo.analysis.selection.Selection` (period,
communes and quartiers, no category): a page adds its categories with :func:`selection`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from clspd_geo import _format, config, safe, vocab
from clspd_geo.access import role_periods
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators, periods, selection as selection_mod
from clspd_geo.errors import ClspdGeoError
from clspd_geo.screens import charts, common

T = TypeVar("T")

FILTERS_KEY = "filters"
PLACEHOLDER = "Choisissez une ou plusieurs catégories"
"""Placeholder of an empty category multiselect (Streamlit's own is « Choose an option »)."""
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


def _month_label(d: dt.date) -> str:
    return f"{_format.MONTHS[d.month - 1]} {d.year}"


def sidebar_filters(view: RoleView) -> selection_mod.Selection:
    """Draw the shared filters in the sidebar (period, communes, quartiers, basemap).

    « Communes » is shown only for a territory of two communes or more; the quartiers
    offered are those of the chosen communes.

    The period is a preset (:mod:`clspd_geo.analysis.periods`: « 12 derniers mois »,
    « dernier mois »…) or two chosen months, always whole months: no calendar widget,
    whose month and weekday names Streamlit writes in English.
    """
    _, span, res = common.period_basis(view)
    quartiers = view.layer("quartiers")
    with st.sidebar:
        st.subheader("Filtres")
        preset = st.selectbox("Période", options=list(periods.PRESETS),
                              format_func=periods.PRESETS.get, key="filters.preset",
                              help="Mois entiers, comptés depuis le dernier mois où des faits "
                                   "sont disponibles. Les indicateurs sont comparés à la même "
                                   "période de l'année précédente.")
        if preset == "mois_choisis":
            months = periods.months_between(periods.add_months(span[0], -12), span[1])
            lo, hi = periods.resolve("douze_mois", span[1], res=res)
            first = st.selectbox("Premier mois", options=months, format_func=_month_label,
                                 index=months.index(lo) if lo in months else 0,
                                 key="filters.month_from")
            last = st.selectbox("Dernier mois", options=months, format_func=_month_label,
                                index=len(months) - 1, key="filters.month_to")
            start, end = periods.month_span(first, last)
        else:
            start, end = periods.resolve(preset, span[1], res=res)
        st.caption(f"Du {_format.date(start)} au {_format.date(end - dt.timedelta(days=1))}.")
        communes = commune_filter(view)
        shown = selection_mod.quartiers_in(quartiers, communes)
        names = dict(zip(shown["quartier_id"], shown["name"], strict=True))
        _keep_options("filters.quartiers", names)
        chosen = st.multiselect("Quartiers", options=list(names), format_func=names.get,
                                key="filters.quartiers", placeholder=(
                                    "Toutes les communes choisies" if communes
                                    else "Tout le territoire"))
        st.selectbox("Fond de carte", options=list(config.BASEMAPS),
                     format_func=lambda k: config.BASEMAPS[k]["label"],
                     index=list(config.BASEMAPS).index(config.default_basemap()),
                     key=BASEMAP_KEY, help="« Aucun » fonctionne sans accès à internet.")
        lexicon()
    french_chrome()
    # Whole months (or years) for a role that reads monthly (yearly) atoms; said below.
    start, end = role_periods.snap_period(view, start, end)
    note = view.period_note()
    if note:
        with st.sidebar:
            st.caption(f"{note} Période retenue : du {_format.date(start)} au "
                       f"{_format.date(end - dt.timedelta(days=1))}.")
    sel = selection_mod.Selection(start, end, quartiers=tuple(chosen), communes=communes)
    st.session_state[FILTERS_KEY] = sel
    return sel


def commune_filter(view: RoleView) -> tuple[str, ...]:
    """Draw « Communes » (two communes or more) and return the INSEE codes chosen.

    None chosen means every commune (empty tuple); with a single commune, nothing is drawn.
    """
    names = selection_mod.commune_names(view.layer("territoire"))
    if len(names) < 2:
        return ()
    _keep_options("filters.communes", names)
    chosen = st.multiselect("Communes", options=list(names), format_func=names.get,
                            key="filters.communes", placeholder="Toutes les communes",
                            help=f"{_format.count(len(names), 'commune')} dans le "
                                 "territoire ; aucune choisie : toutes.")
    return tuple(chosen)


def _keep_options(key: str, options: dict) -> None:
    """Drop from a multiselect's kept choice the values no longer offered (another commune)."""
    kept = st.session_state.get(key)
    if kept and any(v not in options for v in kept):
        st.session_state[key] = [v for v in kept if v in options]


# Streamlit writes the uploader's button (« Upload ») and its limit line (« 50MB per file •
# CSV… ») in English, with no setting to change them (streamlit/streamlit#13500): the button
# text is replaced by a French one and the limit line hidden, since every uploader of the app
# states its limit and types in French (label and help). Constant CSS, no user text.
_FRENCH_CHROME = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] > * {
  display: none; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]::after {
  content: "Choisir des fichiers"; font-size: 0.875rem; }
</style>"""


def french_chrome() -> None:
    """Put Streamlit's own English uploader texts in French (see ``_FRENCH_CHROME``)."""
    st.html(_FRENCH_CHROME)


def uploader_hint(*, max_mb: int, types: list[str]) -> str:
    """Return the French line an uploader shows under its label: limit and accepted types."""
    return (f"Glissez-déposez ou choisissez des fichiers : {max_mb} Mo au plus par fichier "
            f"({', '.join('.' + t for t in types)}).")


def lexicon() -> None:
    """Draw the « Lexique » (abbreviations and terms of the pages) as a folded expander."""
    with st.expander("Lexique", icon=":material/menu_book:"):
        st.markdown("\n".join(f"- **{safe.md(term)}** : {safe.md(text)}"
                              for term, text in sorted(vocab.LEXICON.items(),
                                                       key=lambda kv: kv[0].lower())))


def filters() -> selection_mod.Selection:
    """Return the shared filters drawn by ``app.py`` for this run (no category)."""
    return st.session_state[FILTERS_KEY]


def chosen_communes() -> tuple[str, ...]:
    """Return the INSEE codes chosen in the sidebar (empty: every commune)."""
    sel = st.session_state.get(FILTERS_KEY)
    return sel.communes if sel is not None else ()


def basemap() -> str:
    """Return the basemap chosen in the sidebar."""
    return st.session_state.get(BASEMAP_KEY, config.default_basemap())


def selection(categories: list[str] | tuple[str, ...]) -> selection_mod.Selection:
    """Return the shared filters with these categories.

    Categories the role reads only by year get the last whole calendar year of the period
    (:func:`clspd_geo.screens.fields.year_snapped`; the field page's head says so).
    """
    from clspd_geo.screens import fields
    from ui import data

    return fields.year_snapped(data.view(), filters().with_categories(categories))[0]


def category_filter(*, field: str | None = None, key: str) -> list[str]:
    """Draw a category multiselect in the sidebar (one action field's, or all) and return it."""
    options = vocab.category_codes(field=field)
    labels = vocab.category_labels()
    with st.sidebar:
        chosen = st.multiselect("Catégories de faits", options=options, default=options,
                                format_func=labels.get, key=key, placeholder=PLACEHOLDER)
    return chosen or options


def show_kpis(kpis: list[indicators.Kpi], *, no_comparison: str = "") -> None:
    """Show KPIs as metrics with their change against the year before (a rise is red).

    ``no_comparison``: the sentence saying why the year before is not comparable
    (:func:`clspd_geo.screens.fields.comparison_note`); the changes are then left out.
    """
    cols = st.columns(min(len(kpis), 5) or 1)
    for i, k in enumerate(kpis):
        cols[i % len(cols)].metric(k.label, _format.number(k.value),
                                   delta=None if no_comparison else k.delta_text(),
                                   delta_color="off" if k.flat else "inverse",
                                   delta_arrow="off" if k.flat else "auto")
    if no_comparison:
        st.caption(no_comparison)


def table(data: object, *, hide_index: bool | None = None, width: str | int = "stretch",
          container: object = None, decimals: int = 1, **kwargs: object) -> object:
    """Draw a read-only table with French numbers and dates, « – » for a missing value.

    A drop-in for ``st.dataframe`` (same arguments; ``container=`` draws it in a tab or a
    column): the cells go through :func:`clspd_geo._format.table` (decimal comma, narrow
    no-break spaces, ``decimals`` places), and so does the index when it is shown. A
    pandas ``Styler`` is drawn as it is (it formats its own cells).
    """
    target = container if container is not None else st
    if isinstance(data, pd.DataFrame) or not hasattr(data, "to_html"):
        df = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        shown = _format.table(df, decimals=decimals)
        if not hide_index and not isinstance(df.index, pd.MultiIndex):
            shown.index = pd.Index([_format.cell(i, decimals=decimals) for i in df.index],
                                   name=df.index.name)
        data = shown
    return target.dataframe(data, hide_index=hide_index, width=width,  # type: ignore[attr-defined]
                            **kwargs)


def time_chart(table: pd.DataFrame, *, y_label: str, x_label: str = "Mois",
               mark: str = "line") -> None:
    """Draw a monthly table on a time axis (sorted months, French labels and numbers).

    ``table`` is a monthly table of :mod:`clspd_geo.analysis.indicators` (index: French
    month labels, one column per series): see :mod:`clspd_geo.screens.charts`.
    """
    frame = charts.monthly_frame(table)
    st.vega_lite_chart(frame, charts.time_chart_spec(frame, y_label=y_label, x_label=x_label,
                                                     mark=mark), width="stretch")


def ordered_bar_chart(table: pd.DataFrame, *, x_label: str, y_label: str) -> None:
    """Draw stacked bars of a table whose index is in reading order (e.g. night hours)."""
    frame = charts.ordered_frame(table)
    st.vega_lite_chart(frame, charts.ordered_bar_spec(frame, x_label=x_label, y_label=y_label),
                       width="stretch")


def show_map(m: folium.Map | Callable[[], folium.Map], *, key: str, height: int = 560,
             shared: tuple | None = None) -> None:
    """Draw a folium map (display only: no rerun on pan or zoom).

    Parameters
    ----------
    m
        The map, or a function that builds it (called only when the map must be rendered).
    shared
        Everything besides the role view, basemap, sidebar filters and ``key`` that
        decides the map (the page's selection and widget values): the rendered map is then
        shared by every run and session asking for the same :func:`map_key`
        (:mod:`ui.map_cache`), and ``m`` is called only on a miss.
    """
    from ui import map_cache

    if shared is None or not map_cache.enabled():
        st_folium(m() if callable(m) else m, key=key, height=height,
                  use_container_width=True, returned_objects=[])
        return
    rendered = map_cache.CACHE.get_or_render(map_key(key, *shared),
                                             m if callable(m) else (lambda: m))
    map_cache.say_notes(rendered)
    map_cache.draw(rendered, key=key, height=height)


def map_key(key: str, *parts: Hashable) -> tuple:
    """Return the key of a shared map: store, role view (version, role, day), basemap,
    ``key``, the sidebar filters, then ``parts``.

    The role is always in it, so one role's map is never served to another; the filters
    are, so a selection a page derives from them (:func:`selection`) needs no listing."""
    from ui import data, map_cache

    return map_cache.key(config.store_target(), data.view().key, basemap(), key, filters(),
                         *parts)


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
