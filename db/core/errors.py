"""Errors a person can fix, told apart from bugs.

A `UserError` carries a Vietnamese message that names the field or the file; the window and the
command line show it as it is. Anything else escaping `db/` is a bug and is shown as one.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the officer can fix: bad input, a locked or foreign file, a full disk."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(UserError):
    """One or more fields of a form are wrong; `errors` maps field name to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        first_field = next(iter(self.errors))
        super().__init__("; ".join(self.errors.values()), field=first_field)


class RegisterFileError(UserError):
    """The register file cannot be used: missing, not a register, newer, locked, damaged."""

    exit_code = 3


class RegisterLocked(RegisterFileError):
    """Another program holds the register's write lock."""


class DiskFull(UserError):
    """The disk holding the register is full."""

    exit_code = 4


class NotFound(UserError):
    """A record asked for by id does not exist (or was deleted)."""


class PasswordRequired(RegisterFileError):
    """The register is encrypted and no password (or key) was given."""


class WrongPassword(RegisterFileError):
    """The login name or the password does not unlock the register."""


class TooManyAttempts(RegisterFileError):
    """Too many wrong passwords in a row: the next try must wait."""

    def __init__(self, message: str, *, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class WrongRecoveryCode(RegisterFileError):
    """The recovery code is mistyped or belongs to another register."""


class KeysFileError(RegisterFileError):
    """The key file beside an encrypted register is missing, damaged or of another register."""


class BackupDamaged(RegisterFileError):
    """A backup file does not open or fails its integrity check."""


class NotAllowed(UserError):
    """The signed-in account's role may not do this (only the station chief may)."""

    exit_code = 5


class RegisterDamaged(RegisterFileError):
    """The register file is damaged (or its key file belongs to another): restore a backup."""
