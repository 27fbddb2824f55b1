"""clspd_geo.screens.fields: the analyses of the action-field pages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clspd_geo import _format, vocab
from clspd_geo.analysis import (accessibility, addictions, indicators, rates, resources,
                                road_safety, schools, victims)
from clspd_geo.errors import ClspdGeoError, EmptySelectionError
from clspd_geo.screens import fields


def _rows(view, sel):
    return indicators.select(view.incidents(), sel)


def test_school_rings_and_zones(police, elu, memoised, year):
    open_cats, _ = indicators.split_sensitive(year(police).categories)
    sel = year(police, open_cats)
    equip, epsg = police.layer("equipements"), police.metric_epsg
    memoised(lambda: fields.school_rings(police, sel),
             lambda: schools.school_surroundings(_rows(police, sel), equip, epsg=epsg))
    memoised(lambda: fields.school_zones(police, sel, k=5),
             lambda: schools.school_zone_counts(_rows(police, sel), equip, epsg=epsg,
                                                       k=5))
    # The elected officials read facts by month: no school hours to compare.
    with pytest.raises(ClspdGeoError, match="heures des faits ne sont pas disponibles"):
        fields.school_rings(elu, year(elu, open_cats))


def test_quartier_rates_use_the_role_k(police, elu, memoised, year):
    for view in (police, elu):
        sel = year(view)
        memoised(lambda v=view, s=sel: fields.quartier_rates(v, s),
                 lambda v=view, s=sel: rates.rates_by_quartier(
                     _rows(v, s), v.layer("quartiers"), k=v.small_count_k,
                     aggregated=True))  # sensitive categories are atoms for both


def test_alcohol_night(police, memoised, year):
    sel = year(police)
    memoised(lambda: fields.alcohol_night(police, sel, radius_m=150.0),
             lambda: addictions.alcohol_by_night_hour(
                 _rows(police, sel), police.layer("equipements"), epsg=police.metric_epsg,
                 radius_m=150.0))


def test_care_distance(police, memoised, year):
    # The drug categories, which the police reads at their place (as the page asks them).
    sel = year(police, vocab.category_codes(field="addictions", sensitivity="stupefiants"))

    def direct():
        spots = addictions.dense_cells(_rows(police, sel), police.layer("territoire"),
                                           epsg=police.metric_epsg)
        return spots, addictions.distance_to_care(spots, police.layer("equipements"))

    memoised(lambda: fields.care_distance(police, sel, network=False), direct)


@pytest.mark.parametrize("role", ["police", "elu"])
def test_support_access(role, police, elu, memoised, year):
    view = {"police": police, "elu": elu}[role]
    sel = year(view)
    memoised(lambda: fields.support_access(view, sel, network=False, minutes=10.0),
             lambda: victims.support_access(
                 _rows(view, sel), view.layer("quartiers"), view.layer("equipements"),
                 epsg=view.metric_epsg, k=view.small_count_k, minutes=10.0,
                 carreaux=view.layer("carreaux")))


def test_qpv_access(police, memoised):
    kinds = ("commissariat", "mairie")
    equip = police.layer("equipements")

    def direct():
        return (accessibility.qpv_access(police.layer("quartiers"), equip, kinds=list(kinds),
                                         minutes=10.0),
                accessibility.reach_zones(equip, kinds=kinds, minutes=10.0))

    try:
        direct()
    except ClspdGeoError:
        kinds = tuple(sorted(set(equip["kind"])))[:2]
    memoised(lambda: fields.qpv_access(police, kinds, minutes=10.0, network=False), direct)


def test_road_hotspots_and_school_accidents(police, memoised, year):
    sel = year(police)
    acc = indicators.accidents_in(police.layer("accidents"), sel.start, sel.end)
    memoised(lambda: fields.road_hotspots(police, sel, on_roads=False),
             lambda: road_safety.road_hotspots(acc, territory=police.layer("territoire")))
    memoised(lambda: fields.accident_school_rings(police, sel),
             lambda: schools.school_surroundings(acc, police.layer("equipements"),
                                                        epsg=police.metric_epsg))


@pytest.mark.parametrize("role", ["police", "elu"])
def test_resources_by_quartier(role, police, elu, memoised, year):
    view = {"police": police, "elu": elu}[role]
    field = vocab.ACTION_FIELDS[0].code
    sel = year(view, vocab.category_codes(field=field))
    kinds = vocab.facility_kinds_for(field)

    def direct():
        per_q = resources.resources_by_quartier(
            view.layer("quartiers"), view.layer("equipements"), view.layer("actions"),
            kinds=kinds, field=field)
        counts = _rows(view, sel)["quartier_id"].astype("string").value_counts()
        return per_q, resources.resources_sentence(per_q, counts=counts,
                                                        k=view.small_count_k)

    memoised(lambda: fields.resources_by_quartier(view, sel, field=field), direct)


@pytest.mark.parametrize("role", ["elu", "public"])
def test_aggregate_roles_read_the_figures_of_one_row_per_incident(store, role, same, year):
    from clspd_geo.access.view import RoleView

    view = RoleView(store, role, as_of=AS_OF)
    sel = year(view)
    # The pages read the weighted release (rows of several incidents), the direct calls
    # below its expansion (one row per incident).
    assert (indicators.weights(view.counts(sel)) > 1).any()
    rows, equip, epsg = _rows(view, sel), view.layer("equipements"), view.metric_epsg
    k = view.small_count_k
    same(fields.school_zones(view, sel, k=k),
         schools.school_zone_counts(rows, equip, epsg=epsg, k=k))
    same(fields.quartier_rates(view, sel),
         rates.rates_by_quartier(rows, view.layer("quartiers"), k=k,
                                 carreaux=view.layer("carreaux"),
                                 aggregated=fields.aggregated(view, sel)))
    # This role reads the drug facts by zone: the hotspots are its own released cells, and
    # with none holding enough facts (the demo's drug facts reach it by quartier) both say so.
    try:
        spots, _ = addictions.released_cells(rows, epsg=epsg, cell_size_m=view.grid_cell_m)
    except EmptySelectionError as err:
        with pytest.raises(EmptySelectionError) as got:
            fields.care_distance(view, sel, network=False)
        assert str(got.value) == str(err)
    else:
        same(fields.care_distance(view, sel, network=False),
             (spots, addictions.distance_to_care(spots, equip)))
    same(fields.support_access(view, sel, network=False, minutes=10.0),
         victims.support_access(rows, view.layer("quartiers"), equip, epsg=epsg, k=k,
                                minutes=10.0, carreaux=view.layer("carreaux"),
                                territoire=view.layer("territoire"),
                                cell_size_m=view.grid_cell_m))


# -- one figure per question -------------------------------------------------------------------
AS_OF = dt.date(2026, 11, 25)


@pytest.mark.parametrize("role", ["police", "elu", "public", "partenaire", "groupe_travail"])
def test_kpi_equals_the_sum_of_its_tables(store, role, year):
    from clspd_geo.access.role_periods import snap_period
    from clspd_geo.access.view import RoleView

    view = RoleView(store, role, as_of=AS_OF)
    for field in ("jeunesse", "police", "victimes", "radicalisation"):
        base = year(view, vocab.category_codes(field=field))
        start, end = snap_period(view, base.start, base.end)
        sel = indicators.Selection(start, end, base.categories)
        df = view.incidents()
        kpi = indicators.total_kpi(df, sel)
        per_cat = indicators.by_category(df, sel)
        assert kpi.value == per_cat["Faits"].sum()
        assert kpi.previous == per_cat["Faits N-1"].sum()
        per_q = indicators.by_quartier(df, view.layer("quartiers"), sel)
        # The quartier table misses exactly the facts published for the territory only,
        # and the page says how many.
        only = fields.outside_quartiers(view, sel)
        assert per_q["Faits"].sum() + only == kpi.value
        note = fields.publication_note(view, sel)
        if only:
            assert f"{only} faits ne sont rattachés à aucun quartier pour votre rôle" in \
                note.replace("\u202f", "")
        withheld = view.withheld(sel)
        if withheld:
            assert "faits non publiés pour votre rôle" in note


def test_quarterly_table_leaves_yearly_atoms_out(store, year):
    from clspd_geo.access.view import RoleView

    public = RoleView(store, "public", as_of=AS_OF)
    cats = vocab.category_codes(field="radicalisation")
    sel = indicators.Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1), tuple(cats))
    table, note = fields.quarterly_table(public, sel)
    rows = public.incidents(sel)
    yearly = int((rows["time_step"] == "annee").sum())
    assert set(rows["time_step"]) <= {"annee", "mois"}
    monthly = rows[rows["time_step"] != "annee"]
    expected = indicators.quarterly_counts(monthly, sel, k=public.small_count_k)
    assert table.equals(expected)
    if yearly:
        assert note.startswith(f"{yearly} faits") or note.replace("\u202f", "").startswith(
            f"{yearly} faits")
        assert "par année" in note
    else:
        assert note == ""


PRESETS = ("douze_mois", "dernier_trimestre", "annee_civile", "depuis_janvier")


def _preset_selection(view, preset: str, categories: tuple[str, ...]):
    from clspd_geo.access.role_periods import snap_period
    from clspd_geo.analysis import periods

    df = view.incidents()
    last = indicators.data_period(df)[1]
    start, end = periods.resolve(preset, last, res=periods.resolution(df["occurred_at"]))
    start, end = snap_period(view, start, end)
    return indicators.Selection(start, end, categories)


def _sign(kpi: indicators.Kpi) -> int:
    return (kpi.value > kpi.previous) - (kpi.value < kpi.previous)


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("field", ["jeunesse", "radicalisation", "police"])
def test_yearly_atoms_count_only_in_whole_years(store, preset, field):
    from clspd_geo.access.view import RoleView

    cats = tuple(vocab.category_codes(field=field))
    for role in ("public", "partenaire"):
        view = RoleView(store, role, as_of=AS_OF)
        sel = _preset_selection(view, preset, cats)
        for s in (sel, sel.previous_year()):
            rows = view.incidents(s)
            yearly = rows[(rows["time_step"] == "annee").to_numpy(dtype=bool)]
            years = pd.to_datetime(yearly["occurred_at"]).dt.year
            # A year of facts counts only when the whole year is inside the period.
            assert (years >= s.start.year).all() and (years + 1 <= s.end.year).all()
            assert all(dt.date(y + 1, 1, 1) <= s.end for y in years)


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("field", ["jeunesse", "radicalisation"])
def test_roles_never_read_opposite_trends_unsaid(store, preset, field):
    from clspd_geo.access.view import RoleView

    cats = tuple(vocab.category_codes(field=field))
    signs, notes = {}, {}
    for role in ("police", "elu", "public"):
        view = RoleView(store, role, as_of=AS_OF)
        sel = _preset_selection(view, preset, cats)
        signs[role] = _sign(indicators.total_kpi(view.incidents(), sel))
        notes[role] = fields.publication_note(view, sel).replace("\u202f", " ")
    for a, b in (("elu", "police"), ("public", "police"), ("public", "elu")):
        if signs[a] * signs[b] < 0:
            # Only a role told in words that part of the facts is left out may differ.
            assert "que par année civile entière" in notes[a], (a, b, signs, notes[a])


def test_yearly_outside_counts_the_cut_years(store):
    from clspd_geo.access.view import RoleView

    public = RoleView(store, "public", as_of=AS_OF)
    cats = tuple(vocab.category_codes(field="jeunesse"))
    rows = public.incidents()
    yearly = rows[(rows["time_step"] == "annee").to_numpy(dtype=bool)
                  & rows["category"].isin(cats).to_numpy()]
    years = pd.to_datetime(yearly["occurred_at"]).dt.year
    assert len(yearly)
    y = int(years.max())
    # A whole year: nothing left out; the same year cut at 1 July: its facts, said.
    whole = indicators.Selection(dt.date(y, 1, 1), dt.date(y + 1, 1, 1), cats)
    assert fields.yearly_outside(public, whole) == 0
    cut = indicators.Selection(dt.date(y, 7, 1), dt.date(y + 1, 7, 1), cats)
    assert fields.yearly_outside(public, cut) == int((years == y).sum())
    assert len(public.incidents(cut)) == 0 or not (
        public.incidents(cut)["time_step"] == "annee").any()
    note = fields.publication_note(public, cut).replace("\u202f", " ")
    assert f"{(years == y).sum():,}".replace(",", " ") + " faits de ces catégories" in note


def test_yearly_only_selection_moves_to_the_last_whole_year(store):
    from clspd_geo.access.view import RoleView

    public = RoleView(store, "public", as_of=AS_OF)
    police = RoleView(store, "police", as_of=AS_OF)
    sensitive = tuple(vocab.category_codes(field="jeunesse"))
    sel = _preset_selection(public, "douze_mois", sensitive)
    assert (sel.start.month, sel.end.month) != (1, 1)
    assert indicators.total_kpi(public.incidents(), sel).value == 0  # the cut years: nothing
    snapped, note = fields.year_snapped(public, sel)
    y = sel.end.year - 1
    assert (snapped.start, snapped.end) == (dt.date(y, 1, 1), dt.date(y + 1, 1, 1))
    assert snapped.categories == sensitive
    assert f"l'année {y} entière" in note
    kpi = indicators.total_kpi(public.incidents(), snapped)
    assert kpi.value > 0 and kpi.previous > 0
    assert fields.yearly_outside(public, snapped) == 0
    # Police read the same facts exactly; a whole year, or a mix with monthly facts: unchanged.
    assert fields.year_snapped(police, _preset_selection(police, "douze_mois", sensitive)) \
        == (_preset_selection(police, "douze_mois", sensitive), "")
    assert fields.year_snapped(public, snapped) == (snapped, "")
    mixed = _preset_selection(public, "douze_mois", tuple(vocab.category_codes()))
    assert fields.year_snapped(public, mixed) == (mixed, "")


def test_overview_kpis_give_yearly_fields_their_last_whole_year(store):
    from clspd_geo.access.view import RoleView

    cats = tuple(vocab.category_codes())
    police = RoleView(store, "police", as_of=AS_OF)
    sel = _preset_selection(police, "douze_mois", cats)
    kpis, note = fields.overview_kpis(police, sel)
    df = police.incidents()
    assert note == ""
    assert kpis == [indicators.total_kpi(df, sel)] + indicators.field_kpis(df, sel)[:4]
    public = RoleView(store, "public", as_of=AS_OF)
    sel = _preset_selection(public, "douze_mois", cats)
    plain = indicators.field_kpis(public.incidents(), sel)[:4]
    kpis, note = fields.overview_kpis(public, sel)
    y = sel.end.year - 1
    youth = [k for k in kpis if k.label.startswith("Jeunesse")]
    assert [k.label for k in youth] == [f"Jeunesse et violences ({y})"]
    assert youth[0].value > 0 and [k.value for k in plain if k.label.startswith("Jeunesse")] \
        == [0]
    assert f"« Jeunesse et violences » : année {y} entière" in note
    # The fields read by month keep the period's figures.
    assert [k for k in kpis[1:] if "(" not in k.label] == [
        k for k in plain if not k.label.startswith("Jeunesse")]


def test_no_comparison_with_a_year_the_records_do_not_cover(store):
    from clspd_geo.access.view import RoleView

    police = RoleView(store, "police", as_of=AS_OF)
    first = police.incidents()["occurred_at"].min().date()
    y = first.year
    cats = tuple(vocab.category_codes())
    # The year after the records began, against the year they began in: not comparable.
    sel = indicators.Selection(dt.date(y + 1, 1, 1), dt.date(y + 2, 1, 1), cats)
    note = fields.comparison_note(police, sel)
    assert note.startswith("Pas de comparaison avec l'année précédente")
    assert f"commencent en {_format.MONTHS[first.month - 1]} {y}" in note
    # Twelve months starting the month the records began, a year later: comparable.
    start = first.replace(day=1)
    later = indicators.Selection(start.replace(year=y + 1), start.replace(year=y + 2), cats)
    assert fields.comparison_note(police, later) == ""
    table = pd.DataFrame({"Catégorie": ["a"], "Faits": [3], "Faits N-1": [1],
                          "Évolution (%)": [200.0]})
    assert list(indicators.without_year_before(table).columns) == ["Catégorie", "Faits"]


def test_elu_family_table_shows_suppressed_quartiers_as_below_k(elu, year):
    sel = year(elu, ["violences_intrafamiliales", "violences_conjugales"])
    table = fields.quartier_rates(elu, sel).table()
    assert "0" not in set(table["Faits"])
    assert (table["Faits"] == "< 11").any() or table["Faits"].map(
        lambda v: v.isdigit() and int(v) >= 11).all()
