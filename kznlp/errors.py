"""Errors kznlp raises on purpose; each carries a message a user can act on.

    KznlpError
    ├── InputError      unusable input (empty, binary, undecodable, too large)
    ├── ModelError      a model directory or hub id that cannot be loaded
    ├── ArchiveError    an archive database that cannot be opened or written
    └── FetchError      a page that cannot be fetched (carries its url)
        └── BlockedError    robots.txt disallows it, or it lies off the crawled hosts
"""

from __future__ import annotations


class KznlpError(Exception):
    """Base class: the CLI prints the message and exits non-zero, without a traceback."""


class InputError(KznlpError):
    pass


class ModelError(KznlpError):
    pass


class ArchiveError(KznlpError):
    pass


class FetchError(KznlpError):
    def __init__(self, message: str, url: str):
        super().__init__(message)
        self.url = url


class BlockedError(FetchError):
    """Not fetched on purpose: robots.txt disallows the URL, or its host is not one being crawled."""
