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
