"""The ``users`` subcommand: local accounts for the administrator, and the retention purge.

``python -m clspd_geo users add NOM --role ROLE`` (password typed twice, or read from
stdin with ``--password-stdin``), ``disable NOM``, ``enable NOM``, ``passwd NOM``,
``role NOM ROLE``, ``list``, ``demo`` (one demo account per role, passwords printed once),
``journal`` (latest audit events), ``purge`` (delete incidents past the retention
period) and ``copy-files`` (copy the accounts and the trail of the SQLite files into the
PostgreSQL base that now keeps them). ``--store`` locates the accounts and the trail:
beside that GeoPackage, or in that ``postgresql://`` base.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from clspd_geo.access import audit, auth, policy
from clspd_geo.errors import ClspdGeoError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``users`` on the subparsers of ``python -m clspd_geo``."""
    p = subparsers.add_parser(
        "users", help="gérer les comptes locaux (administrateur) et purger les faits anciens",
        description="Comptes locaux : création, désactivation, mot de passe, rôle ; journal "
                    "d'audit ; purge des faits plus anciens que la durée de conservation. "
                    "Rôles : " + ", ".join(policy.ROLE_CODES) + ".")
    p.add_argument("--store", metavar="FICHIER|URL",
                   help="GeoPackage de l'application (les comptes et le journal sont à côté) "
                        "ou base postgresql://… (les comptes et le journal y sont)")
    sub = p.add_subparsers(dest="users_action", metavar="ACTION", parser_class=type(p))
    sub.required = True
    a = sub.add_parser("add", help="créer un compte")
    a.add_argument("username", metavar="NOM")
    a.add_argument("--role", required=True, choices=policy.ROLE_CODES)
    a.add_argument("--password-stdin", action="store_true",
                   help="lire le mot de passe sur l'entrée standard")
    for name, text in (("disable", "désactiver un compte (effet immédiat)"),
                       ("enable", "réactiver un compte et lever son verrouillage")):
        sub.add_parser(name, help=text).add_argument("username", metavar="NOM")
    pw = sub.add_parser("passwd", help="changer le mot de passe d'un compte")
    pw.add_argument("username", metavar="NOM")
    pw.add_argument("--password-stdin", action="store_true")
    r = sub.add_parser("role", help="changer le rôle d'un compte")
    r.add_argument("username", metavar="NOM")
    r.add_argument("new_role", metavar="ROLE", choices=policy.ROLE_CODES)
    sub.add_parser("list", help="lister les comptes")
    sub.add_parser("demo", help="créer un compte de démonstration par rôle (si aucun compte)")
    j = sub.add_parser("journal", help="afficher les derniers événements du journal d'audit")
    j.add_argument("--limit", type=int, default=50)
    pg = sub.add_parser("purge", help="supprimer les faits plus anciens que la durée de "
                                      "conservation (CLSPD_RETENTION_DAYS)")
    pg.add_argument("--days", type=int, help="durée de conservation en jours (sinon réglage)")
    sub.add_parser("copy-files", help="copier dans la base PostgreSQL les comptes et le journal "
                                      "des fichiers comptes.sqlite et journal.sqlite")
    p.set_defaults(func=run)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmez : ") != first:
        raise auth.AuthError("Les deux mots de passe diffèrent : rien n'a été modifié.")
    return first


def run(args: argparse.Namespace) -> int:
    """Run one ``users`` action; return the exit code."""
    if args.store is not None:
        os.environ["CLSPD_STORE"] = str(args.store)
    action = args.users_action
    who = os.environ.get("USER", "cli")
    if action == "add":
        acc = auth.create_account(args.username, role=args.role, password=_password(args))
        audit.record(who, "admin", "compte", acc.username, detail=f"création ({acc.role})")
        print(f"Compte « {acc.username} » créé avec le rôle {policy.role(acc.role).label}.")
    elif action in ("disable", "enable"):
        auth.set_disabled(args.username, action == "disable")
        audit.record(who, "admin", "compte", args.username,
                     detail="désactivation" if action == "disable" else "réactivation")
        print(f"Compte « {args.username} » " + ("désactivé : il perd l'accès à sa prochaine "
                                               "action." if action == "disable" else "réactivé."))
    elif action == "passwd":
        auth.set_password(args.username, _password(args))
        audit.record(who, "admin", "compte", args.username, detail="mot de passe changé")
        print(f"Mot de passe de « {args.username} » changé ; ses sessions sont fermées.")
    elif action == "role":
        auth.set_role(args.username, args.new_role)
        audit.record(who, "admin", "compte", args.username, detail=f"rôle {args.new_role}")
        print(f"Rôle de « {args.username} » : {policy.role(args.new_role).label}.")
    elif action == "list":
        for acc in auth.list_accounts():
            state = "désactivé" if acc.disabled else "actif"
            print(f"{acc.username}\t{acc.role}\t{state}\tdernière connexion : "
                  f"{acc.last_login or 'jamais'}")
    elif action == "demo":
        made = auth.ensure_demo_accounts()
        if not made:
            print("Des comptes existent déjà : aucun compte de démonstration créé.")
        for name, pw in made.items():
            print(f"{name}\t{pw}")
        if made:
            audit.record(who, "admin", "compte", "démo", detail=f"{len(made)} comptes")
            print("Comptes de démonstration (territoire fictif uniquement) : notez les mots de "
                  "passe, ils ne sont plus affichés.")
    elif action == "journal":
        print(audit.events(limit=args.limit).to_string(index=False))
    elif action == "purge":
        from clspd_geo import config

        n = audit.purge_incidents(config.store_target(), retention_days_=args.days, by=who)
        print(f"{n} faits supprimés." if n else "Aucun fait plus ancien que la durée de "
                                                "conservation.")
    elif action == "copy-files":
        _copy_files(who)
    else:  # pragma: no cover - argparse restricts the choices
        raise ClspdGeoError(f"action inconnue : {action}")
    return 0


def _copy_files(who: str) -> None:
    """Copy the accounts and the trail of the files in the data folder into the base."""
    from clspd_geo.access import _db

    if not _db.is_url(auth.users_location()) or not _db.is_url(audit.audit_location()):
        raise ClspdGeoError("Les comptes et le journal ne sont pas dans une base PostgreSQL : "
                            "indiquez --store postgresql://… (ou CLSPD_ACCESS_DB), sans "
                            "CLSPD_USERS ni CLSPD_AUDIT.")
    if not audit.search(limit=1).empty:  # checked first: nothing copied when it is refused
        raise ClspdGeoError("Le journal de la base a déjà des événements : rien n'a été copié. "
                            "Copiez les fichiers avant le premier démarrage sur la base.")
    n = auth.copy_accounts(auth.users_path())
    m = audit.copy_events(audit.audit_path()) if audit.audit_path().is_file() else 0
    audit.record(who, "admin", "compte", "base", detail=f"{n} comptes et {m} événements "
                                                         "copiés depuis les fichiers")
    print(f"{n} comptes et {m} événements du journal copiés dans la base ; les sessions "
          "ouvertes ne le sont pas (reconnexion).")
