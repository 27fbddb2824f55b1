"""The demo facilities (equipements): town services, schools, support, bars, markets."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from clspd_geo import vocab
from clspd_geo.demo import sampling, townplan

_BARS = ("Le Balto", "Café de la Paix", "Le Saint-Martin", "Bar du Commerce", "Le Diplomate",
         "L'Escale", "Le Central", "Café des Sports", "Le Penalty", "La Civette",
         "Le Longchamp", "Le Celtic", "Le Rallye", "L'Étoile", "Le Narval", "Chez Mado",
         "Le Totem", "Le Relais", "Le Fontenoy", "Le Cyrano", "Le Welcome", "Le Terminus",
         "Buffet de la Gare", "Le Bistrot du Marché", "Le Petit Zinc")
_MATERNELLES = ("Jules Ferry", "Les Petits Princes", "Pauline Kergomard", "Les Coquelicots",
                "Le Petit Bois", "Marie Curie", "Jean de La Fontaine")
_ELEMENTAIRES = ("Jules Ferry", "Jean Macé", "Victor Hugo", "Louis Pasteur", "Paul Bert",
                 "Condorcet", "Anatole France", "Jacques Prévert")
_RESIDENCES = (("Résidence Les Tilleuls", "Q03"), ("Résidence Le Chêne", "Q03"),
               ("Résidence Les Érables", "Q03"), ("Tour Rimbaud", "Q03"),
               ("Résidence Les Acacias", "Q03"), ("Résidence La Roseraie", "Q04"),
               ("Résidence Les Glycines", "Q04"), ("Résidence Le Lilas", "Q04"),
               ("Résidence Les Pivoines", "Q04"), ("Résidence du Moulin", "Q05"))


def facility_rows(town: townplan.Town,
                  rng: np.random.Generator) -> list[tuple[str, str, float, float]]:
    """Return (kind, name, x, y) rows in local metres."""
    rows: list[tuple[str, str, float, float]] = []
    seed_of = {q.quartier_id: np.array(q.seed_xy) for q in townplan.QUARTIERS}
    poly_of = dict(zip([q.quartier_id for q in townplan.QUARTIERS], town.quartiers, strict=True))

    def add(kind: str, name: str, xy: tuple[float, float], jitter_m: float = 0.0) -> None:
        x, y = xy
        if jitter_m:
            x, y = sampling.around(town, rng, np.array([xy]), 1, sd_m=jitter_m)
            x, y = float(x[0]), float(y[0])
        rows.append((kind, name, float(x), float(y)))

    def add_in(kind: str, name: str, qid: str, sd_m: float) -> None:
        """Place near a quartier's seed, but inside that quartier."""
        for _ in range(50):
            x, y = sampling.around(town, rng, seed_of[qid][None, :], 1, sd_m=sd_m)
            if poly_of[qid].contains(Point(x[0], y[0])):
                break
        else:  # the seed itself is always inside its quartier
            x, y = seed_of[qid][:1], seed_of[qid][1:]
        rows.append((kind, name, float(x[0]), float(y[0])))

    P = townplan.PLACES
    add("mairie", "Hôtel de ville de Valbourg", (20.0, 40.0))
    add("mairie_annexe", "Mairie annexe des Tilleuls", (-950.0, 880.0), 20)
    add("mairie_annexe", "Mairie annexe de la Roseraie", (430.0, -1_180.0), 20)
    add("tribunal", "Tribunal judiciaire de Valbourg", (-150.0, 180.0), 10)
    add("prefecture", "Sous-préfecture de Valbourg", (180.0, 250.0), 10)
    add("commissariat", "Commissariat de police de Valbourg", P["commissariat"])
    add("brigade_gendarmerie", "Brigade de gendarmerie de Valbourg-Campagne",
        (-1_900.0, -800.0), 30)
    add("poste_police_municipale", "Poste de police municipale", (-60.0, -90.0), 5)
    add("poste_police_municipale", "Antenne de police municipale des Tilleuls",
        (-1_050.0, 980.0), 15)
    add("csu", "Centre de supervision urbain de Valbourg", (-40.0, -120.0), 5)
    add("caserne_pompiers", "Centre d'incendie et de secours de Valbourg", (1_400.0, -300.0), 30)
    add("service_social", "CCAS de Valbourg", (100.0, 120.0), 15)
    add("maison_quartier", "Centre social des Tilleuls", (-1_000.0, 1_020.0), 20)
    add("maison_quartier", "Maison de quartier de la Roseraie", (350.0, -1_300.0), 20)
    add("maison_quartier", "Maison de quartier Saint-Martin", (-400.0, 2_000.0), 40)
    add("maison_quartier", "Espace jeunes de la Gare", (1_150.0, 700.0), 40)
    school_quartiers = ("Q01", "Q03", "Q04", "Q05", "Q06", "Q07", "Q08", "Q09")
    for i, name in enumerate(_MATERNELLES):
        add_in("ecole_maternelle", f"École maternelle {name}", school_quartiers[i], 250)
    for i, name in enumerate(_ELEMENTAIRES):
        add_in("ecole_elementaire", f"École élémentaire {name}",
               school_quartiers[(i + 3) % len(school_quartiers)], 250)
    add("college", "Collège Jean Moulin", (-800.0, 700.0), 40)
    add("college", "Collège George Sand", (-300.0, -450.0), 40)
    add("college", "Collège Émile Guillaumin", (900.0, 1_700.0), 40)
    add("lycee", "Lycée Albert Camus", (-250.0, 1_300.0), 40)
    add("lycee", "Lycée professionnel Jean Monnet", (1_400.0, 300.0), 40)
    add("mds", "Maison départementale des solidarités", (-500.0, 600.0), 30)
    add("ase", "Antenne de l'aide sociale à l'enfance", (-480.0, 660.0), 30)
    add("asso_prevention", "Prévention spécialisée – équipe des Tilleuls",
        (-900.0, 1_100.0), 30)
    add("asso_prevention", "Prévention spécialisée – équipe de la Roseraie",
        (480.0, -1_150.0), 30)
    add("asso_aide_victimes", "Association d'aide aux victimes du Valbourgeois",
        (120.0, -200.0), 15)
    add_in("hebergement_victimes", "Hébergement d'urgence pour victimes n° 1", "Q06", 400)
    add_in("hebergement_victimes", "Hébergement d'urgence pour victimes n° 2", "Q08", 400)
    cx, cy = P["commissariat"]
    add("intervenant_social", "Intervenante sociale du commissariat", (cx + 6.0, cy + 4.0))
    add("psychologue_victimes", "Consultation de psychologue d'aide aux victimes",
        (140.0, -180.0), 15)
    add("csapa", "CSAPA Le Passage", (-350.0, 450.0), 30)
    add("caarud", "CAARUD L'Embarcadère", (820.0, 300.0), 30)
    hx, hy = P["hopital"]
    add("hopital", "Centre hospitalier de Valbourg", (hx, hy))
    add("umj", "Unité médico-judiciaire du centre hospitalier", (hx + 60.0, hy + 40.0))
    add("mission_locale", "Mission locale du Valbourgeois", (300.0, 350.0), 20)
    add("atelier_insertion", "Chantier d'insertion Les Jardins de Valbourg",
        (-1_900.0, -900.0), 40)
    add("atelier_insertion", "Recyclerie d'insertion des Grands Champs", (2_200.0, -500.0), 40)
    add("pjj", "Unité éducative de milieu ouvert (PJJ)", (-250.0, 700.0), 30)
    add("spip", "Antenne du SPIP", (-160.0, 220.0), 10)
    add("site_tig", "Services techniques municipaux", (1_900.0, -800.0), 40)
    add("site_tig", "Médiathèque municipale", (-100.0, -250.0), 15)
    add("site_tig", "Serres municipales", (-1_500.0, -1_200.0), 60)
    add("site_tig", "Banque alimentaire du Valbourgeois", (600.0, -700.0), 40)
    add("acces_droit", "Maison de justice et du droit", (-880.0, 850.0), 20)
    add("referent_radicalisation",
        "Point de contact prévention de la radicalisation (sous-préfecture)", (185.0, 265.0))
    for name, qid in _RESIDENCES:
        add_in("residence_sociale", name, qid, 180)
    add("gare", "Gare de Valbourg", P["gare"])
    add("arret_bus", "Pôle d'échanges de la Gare", P["pole_bus"])
    stops = 0
    for _, road_name, kind, line in town.roads:
        if kind != "principale" or line.is_empty or stops >= 18:
            continue
        for k, dist in enumerate(np.arange(250.0, line.length - 100.0, 550.0)):
            if stops >= 18:
                break
            p = line.interpolate(dist)
            add("arret_bus", f"Arrêt {road_name.split(' (')[0]} {k + 1}", (p.x, p.y), 8)
            stops += 1
    street = next(g for rid, _, _, g in town.roads if rid == "V08")
    n_street = 20
    for i, dist in enumerate(np.linspace(20.0, street.length - 20.0, n_street)):
        p = street.interpolate(dist + rng.normal(0.0, 8.0))
        side = 1.0 if rng.random() < 0.5 else -1.0
        add("debit_boissons", _BARS[i], (p.x + side * rng.uniform(6, 14), p.y + side * 8.0))
    gx, gy = P["gare"]
    add("debit_boissons", _BARS[21], (gx - 40.0, gy - 30.0), 10)
    add("debit_boissons", _BARS[22], (gx + 25.0, gy - 15.0), 5)
    mx, my = P["marche"]
    add("debit_boissons", _BARS[23], (mx + 30.0, my + 25.0), 10)
    add("debit_boissons", _BARS[24], (-1_020.0, 900.0), 30)
    add("debit_boissons", _BARS[20], (1_300.0, 1_450.0), 30)
    add("marche", "Marché du centre (mercredi et samedi matin)", P["marche"])
    add("marche", "Marché des Tilleuls (dimanche matin)", (-980.0, 920.0), 10)
    return rows


def equipements(town: townplan.Town, rows: list[tuple[str, str, float, float]],
                rng: np.random.Generator) -> gpd.GeoDataFrame:
    confidential = {k.code: k.confidential for k in vocab.FACILITY_KINDS}
    addresses = []
    for kind, _, x, y in rows:
        if confidential[kind]:
            addresses.append(None)
            continue
        _, road = sampling.road_direction(town, x, y)
        road = road.split(" (")[0]
        addresses.append(f"{int(rng.integers(1, 120))} {road[0].lower() + road[1:]}, "
                         f"{townplan.POSTCODE_TOWN}")
    x = np.array([r[2] for r in rows])
    y = np.array([r[3] for r in rows])
    data = {"facility_id": [f"EQ-{i + 1:03d}" for i in range(len(rows))],
            "name": [r[1] for r in rows], "kind": [r[0] for r in rows], "address": addresses,
            "confidential": [confidential[r[0]] for r in rows]}
    return townplan.points_frame(data, x, y, "equipements")
