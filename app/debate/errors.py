"""Errors the debate core raises with messages fit for users."""


class CounterpointError(Exception):
    """Something the user can act on; the message is shown as is."""


class BackendError(CounterpointError):
    """The chat model could not answer (endpoint down, timeout, wrong key, model file missing)."""
