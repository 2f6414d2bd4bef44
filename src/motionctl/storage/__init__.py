"""Blob storage: content-addressed files under the data dir, and signed, expiring URLs to them."""

from motionctl.storage.local import LocalStorage
from motionctl.storage.signing import UrlSigner

__all__ = ["LocalStorage", "UrlSigner"]
