"""AWS Signature Version 4 for S3 requests: plain functions, no I/O, no clock of their own.

Small enough to read in one sitting, and the S3 API needs nothing else of an SDK: we send
PUT, GET, DELETE and a listing, each signed with the payload's SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    region: str
    service: str = "s3"


def uri_encode(value: str, keep_slash: bool = False) -> str:
    """RFC 3986 escaping as SigV4 wants it: everything but ``A-Za-z0-9-_.~`` (and ``/``)."""
    return quote(value, safe="-_.~/" if keep_slash else "-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    encoded = sorted((uri_encode(k), uri_encode(v)) for k, v in params.items())
    return "&".join(f"{k}={v}" for k, v in encoded)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signing_key(credentials: Credentials, day: str) -> bytes:
    key = _hmac(f"AWS4{credentials.secret_access_key}".encode(), day)
    for part in (credentials.region, credentials.service, "aws4_request"):
        key = _hmac(key, part)
    return key


def authorization(
    credentials: Credentials,
    method: str,
    path: str,
    params: Mapping[str, str],
    headers: Mapping[str, str],
    payload_sha256: str,
    now: datetime,
) -> dict[str, str]:
    """The headers to add to a request: ``x-amz-date``, ``x-amz-content-sha256`` and
    ``Authorization``. ``path`` is already URI-encoded; ``headers`` must include ``host``."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    signed = {k.lower(): " ".join(str(v).split()) for k, v in headers.items()}
    signed["x-amz-date"] = stamp
    signed["x-amz-content-sha256"] = payload_sha256
    names = sorted(signed)
    canonical = "\n".join([
        method,
        path,
        canonical_query(params),
        "".join(f"{name}:{signed[name]}\n" for name in names),
        ";".join(names),
        payload_sha256,
    ])
    scope = f"{day}/{credentials.region}/{credentials.service}/aws4_request"
    to_sign = "\n".join([_ALGORITHM, stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    signature = hmac.new(signing_key(credentials, day), to_sign.encode(), hashlib.sha256)
    return {
        "x-amz-date": stamp,
        "x-amz-content-sha256": payload_sha256,
        "Authorization": (f"{_ALGORITHM} Credential={credentials.access_key_id}/{scope}, "
                          f"SignedHeaders={';'.join(names)}, Signature={signature.hexdigest()}"),
    }
