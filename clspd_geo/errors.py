"""Errors a user can act on.

Every message is in French and says what went wrong, where, and how to fix it.
Pages catch :class:`ClspdGeoError` only; any other exception is a bug.
"""

from __future__ import annotations


class ClspdGeoError(Exception):
    """Base class of every error the app shows to a user."""


class SchemaError(ClspdGeoError, ValueError):
    """A layer does not follow its schema (columns, values, geometry)."""


class CrsError(ClspdGeoError, ValueError):
    """A layer has no coordinate reference system, or the wrong one."""


class EmptySelectionError(ClspdGeoError, ValueError):
    """A filter leaves nothing to compute on."""


class DataFileError(ClspdGeoError, OSError):
    """A store or data file is missing, unreadable, corrupt or foreign."""


class OptimisationError(ClspdGeoError, RuntimeError):
    """An optimisation model is infeasible or could not be solved."""
