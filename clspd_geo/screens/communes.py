"""The « Comparaison des communes » page: the comparison table and its small-multiples maps."""

from __future__ import annotations

import geopandas as gpd

from clspd_geo import _format
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import communes, indicators
from clspd_geo.reports import static_maps
from clspd_geo.screens import fields

MIN_COMMUNES = 2
"""A comparison needs an intercommunal territory: at least this many communes."""


def n_communes(view: RoleView) -> int:
    """Return the number of communes of the territory."""
    return len(view.layer("territoire"))


def single_commune_note(view: RoleView) -> str:
    """Return the French sentence the page shows when there is nothing to compare ("" else)."""
    n = n_communes(view)
    if n >= MIN_COMMUNES:
        return ""
    have = "ne compte aucune commune" if n == 0 else "ne compte qu'une commune"
    return (f"Cette page compare les communes d'un territoire intercommunal (CISPD) ; le "
            f"territoire de ce tableau de bord {have}. Importez les limites de chaque "
            "commune (page « Données et sources »), ou, pour essayer, créez la démonstration "
            "intercommunale : « python -m clspd_geo demo --communes 3 ».")


def comparison(view: RoleView, sel: indicators.Selection) -> communes.CommuneComparison:
    """Return the communes compared on the selection, as the role sees it (memoised).

    Categories the role never sees are left out of the indicators (they would read 0).
    Read from the weighted release (:meth:`RoleView.counts`): the comparison weighs rows.
    """
    seen = sel.with_categories(c for c in sel.categories
                               if view.category_rule(c).access != "never")
    return view.memo(("communes.comparison", seen), lambda: communes.compare(
        view.counts(), view.layer("territoire"), view.layer("quartiers"), seen,
        k=view.small_count_k, epsg=view.metric_epsg, statistiques=view.layer("statistiques"),
        aggregated=fields.aggregated(view, seen)))


def rate_layers(frame: gpd.GeoDataFrame, *, unit: str, k: int) -> list[static_maps.MapLayer]:
    """Return the layers of one small map: classes of ``valeur``, masked and empty communes.

    Parameters
    ----------
    frame
        :meth:`clspd_geo.analysis.communes.CommuneComparison.map_frame`.
    unit
        Unit of ``valeur`` in words (« faits pour 1 000 hab. »).
    k
        The small-count threshold, for the masked communes' legend line.
    """
    masked = frame["masque"].to_numpy(dtype=bool)
    zero = ~masked & (frame["valeur"].to_numpy(dtype=float) <= 0)
    # Values shown are rates (or counts of at least k): no class of them is withheld.
    layers = static_maps.class_layers(frame[~masked & ~zero], value_col="valeur", k=1,
                                      unit=unit, edge="#212121")
    if zero.any():
        layers.append(static_maps.MapLayer(frame[zero], "aucun fait", face="white",
                                           edge="#212121", width=0.6))
    if masked.any():
        layers.append(static_maps.MapLayer(
            frame[masked], f"moins de {k} faits : masqué", face=static_maps.SUPPRESSED_COLOR,
            edge="#212121", width=0.6))
    layers.append(static_maps.MapLayer(frame, None, edge="#212121", width=0.6,
                                       label_col="affiche", text_size=6.5))
    return layers


def rate_maps(view: RoleView, sel: indicators.Selection) -> list[tuple[str, bytes]]:
    """Return one small choropleth (PNG) per indicator of the communes' rates (memoised).

    Returns
    -------
    list
        ``(indicator label, PNG bytes)``, in the order of the comparison's indicators.
    """
    def compute() -> list[tuple[str, bytes]]:
        result = comparison(view, sel)
        # A short source line: the page's caption names the layers' sources in full.
        period = f"du {_format.date(sel.start)} au {_format.date(sel.end)}"
        out = []
        for ind in result.indicators:
            frame = result.map_frame(ind.code)
            png = static_maps.render(
                result.communes, rate_layers(frame, unit=result.unit(), k=result.k),
                epsg=view.metric_epsg, source=f"faits enregistrés {period}",
                legend_title=ind.label, size_in=(2.6, 2.6), legend_loc="right")
            out.append((ind.label, png))
        return out
    return view.memo(("communes.rate_maps", sel), compute)
