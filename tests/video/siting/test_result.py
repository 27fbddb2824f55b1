"""Tests of a siting result: sites ranked by marginal gain, summary figures, drawn as cameras."""

from __future__ import annotations

import numpy as np
import pytest

from clspd_geo.video import cameras
from clspd_geo.video.siting import model, result

X0, Y0 = 650_000.0, 6_860_000.0


def _problem() -> model.Problem:
    # A sees 3 points (weight 1 each), B sees the same 3 plus 1: B then A adds nothing.
    demand = model.Demand(np.array([X0, X0 + 10, X0 + 20, X0 + 60]), np.full(4, Y0),
                          np.ones(4), 2154, "test")
    sites = model.Candidates(np.array([X0 + 10, X0 + 30]), np.full(2, Y0), ("A", "B"),
                             ("a", "b"), np.array([1.0, 2.0]), 2154)
    return model.prepare(demand, sites, radius_m=31.0, n_new=2)


def test_make_result_ranks_sites_by_marginal_gain():
    problem = _problem()
    res = result.make_result(problem, np.array([0, 1]), method="exact", status="optimal",
                             bound=4.0, seconds=0.5)
    assert res.sites["site_id"].tolist() == ["B", "A"]
    assert res.sites["rank"].tolist() == [1, 2]
    assert res.sites["marginal_gain"].tolist() == [4.0, 0.0]
    assert res.sites["covered_after"].tolist() == [4.0, 4.0]
    assert res.sites["cost_eur"].tolist() == [2.0, 1.0]
    assert res.covered_after == 4.0 and res.gap == 0.0 and res.share_after == 1.0
    assert res.sites.crs.to_epsg() == 4326
    assert res.message.startswith("Solution exacte (HiGHS) : 2 sites,")
    assert result.site_indices(problem, res).tolist() == [1, 0]
    assert res.summary()["methode"] == "exact" and res.summary()["ecart"] == 0.0


def test_make_result_keeps_given_order_and_raises_a_low_bound():
    problem = _problem()
    res = result.make_result(problem, np.array([0]), method="glouton", status="heuristique",
                             bound=1.0, seconds=0.0, gains=np.array([3.0]), note="Note.")
    assert res.sites["site_id"].tolist() == ["A"] and res.covered_after == 3.0
    assert res.bound == 3.0
    # The given note, then why fewer sites than the two asked are proposed.
    assert " Note. 1 site proposé au lieu de 2 : aucun autre site candidat" in res.message
    assert res.note.startswith("Note. 1 site proposé")


def test_shortfall_note_says_when_the_demand_is_too_coarse():
    problem = _problem()
    assert result.shortfall_note(problem, 2) == ""
    coarse = model.prepare(problem.demand, model.Candidates(
        np.arange(6) * 1000.0 + X0, np.full(6, Y0), tuple("ABCDEF"), tuple("abcdef"),
        np.ones(6), 2154), radius_m=31.0, n_new=5)
    note = result.shortfall_note(coarse, 2)
    assert note.startswith("Demande trop grossière : 4 points de demande seulement pour 5 "
                           "caméras demandées")
    assert "d'où 2 sites proposés au lieu de 5" in note


def test_summary_text_gives_before_after_bound_and_gap():
    text = result.summary_text("exact", 3, 10.0, 30.0, 40.0, 100.0, "Fin.")
    assert text == ("Solution exacte (HiGHS) : 3 sites, couverture de 10,0\u202f% à "
                    "30,0\u202f% de la demande ; borne prouvée 40,0\u202f%, écart à "
                    "l'optimum au plus 25,00\u202f%. Fin.")
    assert result.summary_text("glouton", 0, 0, 0, 0, 0.0) == "Aucune demande à couvrir."


def test_as_cameras_draws_domes():
    problem = _problem()
    res = result.make_result(problem, np.array([1]), method="exact", status="optimal",
                             bound=4.0, seconds=0.0)
    new = result.as_cameras(res, radius_m=31.0)
    assert new["camera_id"].tolist() == ["N1"] and new["status"].tolist() == ["projet"]
    assert new.crs.to_epsg() == 4326
    views = cameras.view_polygons(new)
    assert views["full_circle"].all()
    assert new.to_crs(2154).geometry.x.iloc[0] == pytest.approx(X0 + 30)
