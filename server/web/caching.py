"""HTTP caching of read-only data: ETags, Last-Modified and conditional 304s, from the dataset
version (:class:`imtkg.data.version.DatasetVersion`).

The data never changes while the server runs, so a response is determined by the dataset
version (a digest of the input files and the code version) and the request; its ETag is computed
*before* the query runs and a matching conditional request costs no query at all. ETags are weak
because the same representation may be sent compressed or not.
"""

from __future__ import annotations

import hashlib

from flask import Response
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response as BaseResponse

from imtkg.data.version import DatasetVersion


def etag_for(version: DatasetVersion, *parts: object) -> str:
    """Return an ETag value for a response determined by ``version`` and the request ``parts``."""
    sha = hashlib.sha256(version.digest.encode())
    for part in parts:
        sha.update(b"\0" + repr(part).encode("utf-8"))
    return sha.hexdigest()[:32]


def not_modified(request: Request, etag: str, version: DatasetVersion) -> bool:
    """Tell whether a conditional GET/HEAD already holds the current representation."""
    if request.method not in ("GET", "HEAD"):
        return False
    if not (request.if_none_match or request.if_modified_since):
        return False
    return not is_resource_modified(request.environ, etag=etag, last_modified=version.last_modified)


def not_modified_response(
    request: Request, etag: str, version: DatasetVersion, max_age: int
) -> Response | None:
    """Return the ``304 Not Modified`` (with its cache headers) that answers a conditional
    GET/HEAD already holding the representation ``etag``; ``None`` when the view must answer."""
    if not not_modified(request, etag, version):
        return None
    response = Response(status=304)
    add_cache_headers(response, etag, version, max_age)
    return response


def add_cache_headers(
    response: BaseResponse, etag: str, version: DatasetVersion, max_age: int
) -> None:
    """Set a weak ETag, Last-Modified, Cache-Control and Vary on a cacheable response."""
    response.set_etag(etag, weak=True)
    response.last_modified = version.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.vary.add("Accept")
