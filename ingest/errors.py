"""One error type for every bad input, with a message fit to show a user as is."""


class IngestError(Exception):
    """A document could not be ingested; the message says why in one line."""


class NoTextLayerError(IngestError):
    """A PDF whose pages carry no text (a scan or photos of pages): there is nothing to cite until it is OCR'd."""


class EncryptedFileError(IngestError):
    """A password-protected (encrypted) PDF that cannot be opened without its password."""


class CorruptFileError(IngestError):
    """A file that does not parse as the format its name says (damaged, truncated, or renamed)."""
