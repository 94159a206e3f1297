"""Errors that the command line turns into a one-line message and a non-zero exit."""


class LfrError(Exception):
    """Base class: an expected failure with a message meant for the user."""

    exit_code = 1


class ModelNotInstalledError(LfrError):
    exit_code = 3


class SourceError(LfrError):
    """A frame source is missing, unreadable or cannot be opened."""

    exit_code = 4


class WatchlistError(LfrError):
    """A watchlist cannot be read, is empty, or holds no usable face."""

    exit_code = 5


class ContractMismatchError(WatchlistError):
    """Templates were made by a different model or preprocessing than the running embedder."""


class EnrolmentError(LfrError):
    """One enrolment image cannot be used; the message names the file and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class PermissionDeniedError(LfrError):
    """The actor's role may not do this."""

    exit_code = 6


class AuthenticationError(LfrError):
    """Wrong or unknown credentials, or a locked or disabled account."""

    exit_code = 6


class PolicyViolationError(LfrError):
    """The request breaks the force's policy (category, purpose, threshold, size...)."""

    exit_code = 7


class StateError(LfrError):
    """The action does not fit the object's current state (e.g. starting an ended deployment).

    The message names every missing condition, so an operator knows what to do next."""

    exit_code = 7


class NotFoundError(LfrError):
    exit_code = 8


class IntegrityError(LfrError):
    """Stored data failed a check: a broken audit chain, a wrong key, a tampered ciphertext."""

    exit_code = 9
