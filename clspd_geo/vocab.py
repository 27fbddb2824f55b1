"""Vocabularies of the CLSPD domain, in one place.

Action fields, CLSPD partners, incident categories (each in one action field, with a
sensitivity level and a severity weight), facility kinds (each tied to the partners and
action fields it serves), camera kinds, statuses and operators, police forces, and road
users. Codes are stable ASCII identifiers stored in the data; labels are French and only
ever shown to users. Pages take their layers and indicators from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Sensitivity = Literal["standard", "stupefiants", "sensible"]


@dataclass(frozen=True)
class ActionField:
    """One of the eight action fields of a CLSPD(R)."""

    code: str
    number: int
    label: str
    short: str
    icon: str
    question: str


@dataclass(frozen=True)
class Partner:
    """A member of the CLSPD."""

    code: str
    label: str


@dataclass(frozen=True)
class IncidentCategory:
    """An incident category.

    ``sensitivity`` is ``"sensible"`` for violence in families or couples, sexual violence,
    anything about minors or victims and radicalisation; ``"stupefiants"`` for drug
    offences; ``"standard"`` otherwise. ``severity`` is the default workload weight (1–5).
    """

    code: str
    label: str
    field: str
    sensitivity: Sensitivity
    severity: int


@dataclass(frozen=True)
class FacilityKind:
    """A kind of partner facility, with the partners and action fields it serves."""

    code: str
    label: str
    partner: str
    fields: tuple[str, ...]
    icon: str
    color: str
    confidential: bool = False


ACTION_FIELDS: tuple[ActionField, ...] = (
    ActionField("police", 1,
                "Coordination police nationale / police municipale (présence, proximité)",
                "Police", ":material/local_police:",
                "Où et quand la présence policière est-elle la plus nécessaire ?"),
    ActionField("video", 2, "Vidéoprotection", "Vidéoprotection", ":material/videocam:",
                "Que voient les caméras et où manquent-elles ?"),
    ActionField("addictions", 3, "Conduites addictives (alcool, drogues, trafic, accès aux soins)",
                "Conduites addictives", ":material/local_bar:",
                "Où se concentrent alcool et stupéfiants, et l'offre de soins est-elle proche ?"),
    ActionField("jeunesse", 4,
                "Jeunesse : citoyenneté, violences intrafamiliales, conjugales et scolaires",
                "Jeunesse et violences", ":material/school:",
                "Quels quartiers et abords d'écoles concentrent les violences ?"),
    ActionField("insertion", 5, "Insertion sociale et professionnelle, prévention de la récidive",
                "Insertion et récidive", ":material/work:",
                "Les structures d'insertion sont-elles proches des quartiers prioritaires ?"),
    ActionField("victimes", 6, "Aide aux victimes", "Aide aux victimes", ":material/volunteer_activism:",
                "Les victimes trouvent-elles une aide à proximité ?"),
    ActionField("routier", 7, "Sécurité routière", "Sécurité routière", ":material/traffic:",
                "Où et quand les accidents graves se produisent-ils ?"),
    ActionField("radicalisation", 8, "Prévention de la radicalisation (CLSPDR)",
                "Radicalisation", ":material/diversity_3:",
                "Quelles ressources de prévention et d'orientation par quartier ?"),
)

PARTNERS: tuple[Partner, ...] = (
    Partner("maire", "Maire et élus"),
    Partner("parquet", "Parquet (procureur de la République)"),
    Partner("prefet", "Préfet et délégué du préfet"),
    Partner("police_nationale", "Police nationale"),
    Partner("gendarmerie", "Gendarmerie nationale"),
    Partner("police_municipale", "Police municipale"),
    Partner("sdis", "Sapeurs-pompiers (SDIS)"),
    Partner("cohesion_sociale", "Direction de la cohésion sociale"),
    Partner("education_nationale", "Éducation nationale"),
    Partner("departement", "Département : ASE et MDS"),
    Partner("justice", "Justice : PJJ, SPIP, accès au droit"),
    Partner("associations", "Associations"),
    Partner("sante", "Santé : hôpitaux, soins en addictologie"),
    Partner("bailleurs", "Bailleurs sociaux"),
    Partner("transporteurs", "Transporteurs (bus, SNCF)"),
    Partner("aucun", "Hors CLSPD (lieu d'intérêt)"),
)

INCIDENT_CATEGORIES: tuple[IncidentCategory, ...] = (
    # 1. Police coordination: public tranquillity and property crime.
    IncidentCategory("cambriolage", "Cambriolage", "police", "standard", 3),
    IncidentCategory("vol_vehicule", "Vol de ou dans un véhicule", "police", "standard", 2),
    IncidentCategory("degradation", "Dégradation, incendie volontaire", "police", "standard", 2),
    IncidentCategory("rixe", "Rixe sur la voie publique", "police", "standard", 4),
    IncidentCategory("tapage", "Tapage, troubles de voisinage", "police", "standard", 1),
    # 2. Video-protection: events detected or used through the cameras.
    IncidentCategory("detection_csu", "Fait détecté par le CSU", "video", "standard", 2),
    IncidentCategory("requisition_images", "Réquisition judiciaire d'images", "video",
                     "standard", 2),
    # 3. Addictive behaviours.
    IncidentCategory("ivresse_publique", "Ivresse publique manifeste", "addictions", "standard", 2),
    IncidentCategory("usage_stupefiants", "Usage de stupéfiants", "addictions", "stupefiants", 2),
    IncidentCategory("trafic_stupefiants", "Trafic de stupéfiants", "addictions", "stupefiants", 5),
    IncidentCategory("point_de_deal", "Point de deal signalé", "addictions", "stupefiants", 4),
    # 4. Youth, domestic, conjugal and school violence.
    IncidentCategory("violences_intrafamiliales", "Violences intrafamiliales", "jeunesse",
                     "sensible", 5),
    IncidentCategory("violences_conjugales", "Violences conjugales", "jeunesse", "sensible", 5),
    IncidentCategory("violences_scolaires", "Violences en milieu scolaire", "jeunesse",
                     "sensible", 4),
    IncidentCategory("mineur_en_danger", "Mineur en danger", "jeunesse", "sensible", 5),
    # 5. Insertion and recidivism prevention.
    IncidentCategory("occupation_halls", "Occupation de halls d'immeubles", "insertion",
                     "standard", 1),
    IncidentCategory("recidive", "Infraction en récidive", "insertion", "sensible", 3),
    # 6. Victim support.
    IncidentCategory("vol_avec_violence", "Vol avec violence", "victimes", "standard", 4),
    IncidentCategory("coups_et_blessures", "Coups et blessures volontaires", "victimes",
                     "sensible", 4),
    IncidentCategory("violences_sexuelles", "Violences sexuelles", "victimes", "sensible", 5),
    # 7. Road safety (offences; injury accidents are their own layer).
    IncidentCategory("conduite_dangereuse", "Conduite dangereuse, alcool ou stupéfiants au volant",
                     "routier", "standard", 3),
    IncidentCategory("rodeo_motorise", "Rodéo motorisé", "routier", "standard", 3),
    # 8. Radicalisation prevention: never shown individually.
    IncidentCategory("signalement_radicalisation", "Signalement de radicalisation",
                     "radicalisation", "sensible", 5),
    IncidentCategory("atteinte_lieu_culte", "Atteinte à un lieu de culte", "radicalisation",
                     "sensible", 4),
)

FACILITY_KINDS: tuple[FacilityKind, ...] = (
    FacilityKind("mairie", "Hôtel de ville", "maire",
                 ("police", "video", "radicalisation", "insertion"), "landmark", "#1f4e79"),
    FacilityKind("mairie_annexe", "Mairie annexe", "maire", ("insertion", "victimes"),
                 "building-columns", "#1f4e79"),
    FacilityKind("tribunal", "Tribunal judiciaire", "parquet", ("insertion", "victimes"),
                 "scale-balanced", "#6a1b9a"),
    FacilityKind("prefecture", "Préfecture ou sous-préfecture", "prefet",
                 ("video", "radicalisation"), "flag", "#37474f"),
    FacilityKind("commissariat", "Commissariat de police nationale", "police_nationale",
                 ("police", "victimes"), "building-shield", "#0d47a1"),
    FacilityKind("brigade_gendarmerie", "Brigade de gendarmerie", "gendarmerie",
                 ("police", "victimes"), "shield-halved", "#283593"),
    FacilityKind("poste_police_municipale", "Poste de police municipale", "police_municipale",
                 ("police", "routier"), "shield", "#1565c0"),
    FacilityKind("csu", "Centre de supervision urbain (CSU)", "police_municipale",
                 ("video",), "video", "#00695c"),
    FacilityKind("caserne_pompiers", "Centre d'incendie et de secours", "sdis",
                 ("routier", "victimes"), "fire-extinguisher", "#c62828"),
    FacilityKind("service_social", "Service social municipal (CCAS)", "cohesion_sociale",
                 ("insertion", "victimes", "addictions"), "hand-holding-heart", "#ad1457"),
    FacilityKind("maison_quartier", "Maison de quartier, centre social", "cohesion_sociale",
                 ("jeunesse", "insertion", "radicalisation"), "people-roof", "#ad1457"),
    FacilityKind("ecole_maternelle", "École maternelle", "education_nationale",
                 ("jeunesse", "routier"), "child", "#ef6c00"),
    FacilityKind("ecole_elementaire", "École élémentaire", "education_nationale",
                 ("jeunesse", "routier"), "school", "#ef6c00"),
    FacilityKind("college", "Collège", "education_nationale",
                 ("jeunesse", "routier", "addictions", "radicalisation"), "school", "#e65100"),
    FacilityKind("lycee", "Lycée", "education_nationale",
                 ("jeunesse", "routier", "addictions", "radicalisation", "insertion"),
                 "graduation-cap", "#e65100"),
    FacilityKind("mds", "Maison départementale des solidarités (MDS)", "departement",
                 ("jeunesse", "victimes", "insertion"), "house-chimney-user", "#6d4c41"),
    FacilityKind("ase", "Aide sociale à l'enfance (ASE)", "departement", ("jeunesse",),
                 "children", "#6d4c41"),
    FacilityKind("asso_prevention", "Prévention spécialisée (éducateurs de rue)", "associations",
                 ("jeunesse", "addictions", "insertion", "radicalisation"), "people-group",
                 "#2e7d32"),
    FacilityKind("asso_aide_victimes", "Association d'aide aux victimes", "associations",
                 ("victimes", "jeunesse"), "hands-holding-child", "#2e7d32"),
    FacilityKind("hebergement_victimes", "Hébergement d'urgence pour victimes (adresse confidentielle)",
                 "associations", ("victimes", "jeunesse"), "bed", "#2e7d32", confidential=True),
    FacilityKind("intervenant_social", "Intervenant social en commissariat ou gendarmerie",
                 "associations", ("victimes", "jeunesse"), "user-nurse", "#2e7d32"),
    FacilityKind("psychologue_victimes", "Psychologue d'aide aux victimes", "associations",
                 ("victimes",), "brain", "#2e7d32"),
    FacilityKind("csapa", "CSAPA (soins en addictologie)", "sante", ("addictions",),
                 "staff-snake", "#00838f"),
    FacilityKind("caarud", "CAARUD (réduction des risques)", "sante", ("addictions",),
                 "syringe", "#00838f"),
    FacilityKind("hopital", "Hôpital, centre hospitalier", "sante", ("addictions", "victimes"),
                 "hospital", "#00838f"),
    FacilityKind("umj", "Unité médico-judiciaire (UMJ)", "sante", ("victimes",),
                 "stethoscope", "#00838f"),
    FacilityKind("mission_locale", "Mission locale", "cohesion_sociale", ("insertion",),
                 "briefcase", "#5d4037"),
    FacilityKind("atelier_insertion", "Atelier ou chantier d'insertion", "associations",
                 ("insertion",), "screwdriver-wrench", "#5d4037"),
    FacilityKind("pjj", "Protection judiciaire de la jeunesse (PJJ)", "justice",
                 ("insertion", "jeunesse"), "user-shield", "#4527a0"),
    FacilityKind("spip", "Service pénitentiaire d'insertion et de probation (SPIP)", "justice",
                 ("insertion",), "user-check", "#4527a0"),
    FacilityKind("site_tig", "Structure d'accueil de travail d'intérêt général (TIG)", "justice",
                 ("insertion",), "handshake", "#4527a0"),
    FacilityKind("acces_droit", "Point d'accès au droit, maison de justice et du droit", "justice",
                 ("victimes", "insertion"), "gavel", "#4527a0"),
    FacilityKind("referent_radicalisation", "Point de contact prévention de la radicalisation",
                 "prefet", ("radicalisation",), "comments", "#37474f"),
    FacilityKind("residence_sociale", "Résidence de logement social", "bailleurs",
                 ("police", "video", "insertion"), "building", "#757575"),
    FacilityKind("gare", "Gare ferroviaire", "transporteurs", ("police", "video", "routier"),
                 "train", "#424242"),
    FacilityKind("arret_bus", "Pôle ou arrêt de bus", "transporteurs", ("police", "routier"),
                 "bus", "#424242"),
    FacilityKind("debit_boissons", "Débit de boissons (bar)", "aucun", ("addictions", "police"),
                 "martini-glass", "#8e24aa"),
    FacilityKind("marche", "Marché", "aucun", ("police",), "store", "#8e24aa"),
)

CAMERA_KINDS: dict[str, str] = {
    "fixe": "Caméra fixe",
    "dome": "Dôme / tourelle mobile (PTZ)",
    "nomade": "Caméra nomade",
}
CAMERA_STATUSES: dict[str, str] = {
    "en_service": "En service",
    "en_panne": "En panne",
    "projet": "En projet",
}
CAMERA_OPERATORS: dict[str, str] = {
    "csu_municipal": "Commune (CSU)",
    "bailleur_social": "Bailleur social",
    "transporteur": "Transporteur (bus)",
    "sncf": "SNCF",
    "etat": "État (préfecture, police nationale)",
    "commerce": "Commerce ou établissement privé",
}
FORCES: dict[str, str] = {
    "police_nationale": "Police nationale",
    "police_municipale": "Police municipale",
    "gendarmerie": "Gendarmerie nationale",
}
FORCE_COLORS: dict[str, str] = {
    "police_nationale": "#1565c0",
    "police_municipale": "#2e7d32",
    "gendarmerie": "#6a1b9a",
}
ROAD_USERS: dict[str, str] = {
    "pieton": "Piéton",
    "velo": "Cycliste",
    "edp": "Engin de déplacement personnel (trottinette…)",
    "deux_roues_motorise": "Deux-roues motorisé",
    "vl": "Voiture",
    "vu": "Véhicule utilitaire",
    "pl": "Poids lourd",
    "tc": "Bus, car, tramway",
    "autre": "Autre",
}

SENSITIVITY_LABELS: dict[str, str] = {
    "standard": "Ordinaire",
    "stupefiants": "Infractions à la législation sur les stupéfiants",
    "sensible": "Sensible (victimes, mineurs, violences intrafamiliales, radicalisation)",
}

_FIELDS = {f.code: f for f in ACTION_FIELDS}
_CATEGORIES = {c.code: c for c in INCIDENT_CATEGORIES}
_KINDS = {k.code: k for k in FACILITY_KINDS}
_PARTNERS = {p.code: p for p in PARTNERS}


def action_field(code: str) -> ActionField:
    """Return the action field with this code (KeyError if unknown)."""
    return _FIELDS[code]


def category(code: str) -> IncidentCategory:
    """Return the incident category with this code (KeyError if unknown)."""
    return _CATEGORIES[code]


def facility_kind(code: str) -> FacilityKind:
    """Return the facility kind with this code (KeyError if unknown)."""
    return _KINDS[code]


def partner(code: str) -> Partner:
    """Return the partner with this code (KeyError if unknown)."""
    return _PARTNERS[code]


def category_codes(*, field: str | None = None, sensitivity: Sensitivity | None = None) -> list[str]:
    """Return category codes, optionally only one action field's or one sensitivity's."""
    return [c.code for c in INCIDENT_CATEGORIES
            if (field is None or c.field == field)
            and (sensitivity is None or c.sensitivity == sensitivity)]


def facility_kinds_for(field: str) -> list[str]:
    """Return the facility kind codes that serve an action field."""
    return [k.code for k in FACILITY_KINDS if field in k.fields]


def category_labels() -> dict[str, str]:
    """Return ``{code: French label}`` for every incident category."""
    return {c.code: c.label for c in INCIDENT_CATEGORIES}


def facility_labels() -> dict[str, str]:
    """Return ``{code: French label}`` for every facility kind."""
    return {k.code: k.label for k in FACILITY_KINDS}


def severity_weights() -> dict[str, int]:
    """Return the default workload weight of every incident category."""
    return {c.code: c.severity for c in INCIDENT_CATEGORIES}


LEXICON: dict[str, str] = {
    "BAAC": "Bulletin d'analyse des accidents corporels : fichier national des accidents de la "
            "route avec blessés (données ouvertes), gravité par usager (indemne, blessé léger, "
            "blessé hospitalisé, tué).",
    "CLSPD": "Conseil local de sécurité et de prévention de la délinquance : instance où le "
             "maire et ses partenaires coordonnent la prévention (CISPD : intercommunal ; "
             "CLSPDR : avec la prévention de la radicalisation).",
    "CSU": "Centre de supervision urbain : salle où les images des caméras municipales sont "
           "regardées.",
    "CV": "Coefficient de variation : écart-type rapporté à la moyenne. Pour les secteurs de "
          "patrouille, un CV de la charge sous 10 % signifie des secteurs équilibrés.",
    "DORI": "Détection, observation, reconnaissance, identification (norme EN 62676-4) : "
            "distances auxquelles une caméra permet chaque usage, selon les pixels par mètre "
            "(25 / 62 / 125 / 250 px/m).",
    "Effectifs masqués": "Les petits nombres (de 1 à k − 1 faits) ne sont pas publiés pour "
                         "les rôles qui voient des données agrégées : ils s'affichent « < k » "
                         "et sont retirés des cartes, pour qu'aucune personne ne soit "
                         "reconnaissable.",
    "Gi*": "Statistique de Getis-Ord : compare les faits d'une maille et de ses voisines à la "
           "moyenne du territoire ; une valeur élevée et significative (après contrôle des "
           "fausses découvertes) désigne un point chaud.",
    "IRIS": "Îlots regroupés pour l'information statistique : unités infra-communales de "
            "l'Insee (environ 2 000 habitants), niveau le plus fin du recensement.",
    "Lambert-93": "Projection légale de la France métropolitaine (EPSG:2154), en mètres : "
                  "toutes les distances et surfaces sont calculées dans ce système.",
    "Maille": "Carré de la grille qui découpe le territoire : les faits y sont comptés pour "
              "les cartes de chaleur et de points chauds.",
    "PAI": "Indice de précision prédictive (Predictive Accuracy Index) : part des faits tombés "
           "dans les zones désignées, divisée par la part du territoire qu'elles couvrent. "
           "PAI = 5 : cinq fois mieux qu'un choix au hasard.",
    "PEI": "Indice d'efficience prédictive : PAI obtenu rapporté au meilleur PAI possible avec "
           "la même surface (100 % : aucune zone n'aurait fait mieux).",
    "PM / PN / GN": "Police municipale, police nationale, gendarmerie nationale.",
    "QPV": "Quartier prioritaire de la politique de la ville : quartier défavorisé bénéficiant "
           "de politiques publiques ciblées.",
    "VIF": "Violences intrafamiliales.",
    "WDD": "Différence de déplacement pondérée (Weighted Displacement Difference, Bowers et "
           "Johnson 2003) : baisse des faits dans la zone filmée, corrigée de l'évolution d'une "
           "zone témoin et du report vers une zone tampon ; négative = baisse nette.",
}
"""The « Lexique »: French definitions of the abbreviations and terms the pages use."""

PAGE_TITLES: dict[str, str] = {
    "accueil": "Vue d'ensemble",
    "overview": "Vue d'ensemble",
    "communes": "Comparaison des communes",
    "police": "1. Coordination police nationale / municipale",
    "videoprotection": "2. Vidéoprotection",
    "addictions": "3. Conduites addictives",
    "jeunesse": "4. Jeunesse et violences",
    "insertion": "5. Insertion et prévention de la récidive",
    "victimes": "6. Aide aux victimes",
    "routier": "7. Sécurité routière",
    "radicalisation": "8. Prévention de la radicalisation",
    "donnees": "Données et sources",
    "administration": "Administration",
}
"""Page titles by page name (the file name under ``pages/``; ``accueil``: the default page),
for the audit journal."""
