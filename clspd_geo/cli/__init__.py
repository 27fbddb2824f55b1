"""Command line of clspd-geo: ``python -m clspd_geo <commande>``; one module per command family."""
