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


CONFLICT_MESSAGE = ("La base a changé pendant la préparation de l'import : relancez-le ; "
                    "rien n'a été écrit.")


class ConflictError(ClspdGeoError, RuntimeError):
    """A write prepared from a store version that is no longer the current one.

    Nothing was written. ``expected`` is the version the write was prepared from and
    ``current`` the version found when committing (both ``None`` when unknown).
    """

    def __init__(self, message: str = CONFLICT_MESSAGE, *, expected: str | None = None,
                 current: str | None = None) -> None:
        super().__init__(message)
        self.expected = expected
        self.current = current


class RowConflictError(ConflictError):
    """A row edit refused because the same row changed since the editor read it.

    Attributes
    ----------
    layer, row_id
        The layer and the identifier of the row.
    mine
        The row as this editor wanted to save it (``None``: a deletion).
    theirs
        The row as it is now in the store (``None``: deleted meanwhile).
    by, at
        Who changed it meanwhile and when (``None`` when the store does not know).
    """

    def __init__(self, message: str, *, layer: str, row_id: str, mine: dict | None,
                 theirs: dict | None, by: str | None = None, at: str | None = None,
                 expected: str | None = None, current: str | None = None) -> None:
        super().__init__(message, expected=expected, current=current)
        self.layer = layer
        self.row_id = row_id
        self.mine = mine
        self.theirs = theirs
        self.by = by
        self.at = at


class LockTimeoutError(ClspdGeoError, TimeoutError):
    """Another writer holds the store's lock for longer than the wait allowed."""
