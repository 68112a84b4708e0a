"""One error type for every bad input, with a message fit to show a user as is."""


class IngestError(Exception):
    """A document could not be ingested; the message says why in one line."""
