"""OKX's request signing, checked as OKX checks it: REST headers and the WebSocket login.

REST: ``OK-ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + path[?query] +
body))`` with an ISO-8601 millisecond ``OK-ACCESS-TIMESTAMP`` within 30 seconds of the
server's clock, and the key's ``OK-ACCESS-PASSPHRASE``. WebSocket ``login``: the HMAC of
``timestamp + "GET/users/self/verify"`` with the timestamp in seconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from ...credentials import Keyring
from .errors import OkxError

MAX_SKEW_MS = 30_000
WS_VERIFY = "GET/users/self/verify"


def signature(secret: str, message: str) -> str:
    """OKX's signature of ``message``: base64 of the HMAC-SHA256 digest."""
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _iso_ms(stamp: str) -> int | None:
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None if parsed.tzinfo is None else int(parsed.timestamp() * 1000)


def check_rest(
    headers: Mapping[str, str],
    keyring: Keyring,
    exchange: str,
    signed_text: str,
    now_ms: int,
) -> str:
    """The account of a signed request; OKX's error for what is missing or wrong.

    ``signed_text`` is ``METHOD + path[?query] + body``, what OKX signs after the timestamp.
    """
    api_key = headers.get("OK-ACCESS-KEY", "")
    if not api_key:
        raise OkxError.auth("50103", 'Request header "OK-ACCESS-KEY" cannot be empty.')
    passphrase = headers.get("OK-ACCESS-PASSPHRASE", "")
    if not passphrase:
        raise OkxError.auth("50104", 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.')
    sign = headers.get("OK-ACCESS-SIGN", "")
    if not sign:
        raise OkxError.auth("50106", 'Request header "OK-ACCESS-SIGN" cannot be empty.')
    stamp = headers.get("OK-ACCESS-TIMESTAMP", "")
    if not stamp:
        raise OkxError.auth("50107", 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.')
    found = keyring.lookup(exchange, api_key)
    if found is None:
        raise OkxError.auth("50111", "Invalid OK-ACCESS-KEY.")
    account, secret = found
    stamp_ms = _iso_ms(stamp)
    if stamp_ms is None:
        raise OkxError.auth("50112", "Invalid OK-ACCESS-TIMESTAMP.")
    if abs(now_ms - stamp_ms) > MAX_SKEW_MS:
        raise OkxError("50102", "Timestamp request expired.", status=401)
    if not hmac.compare_digest(passphrase, keyring.passphrase(exchange, api_key) or ""):
        raise OkxError.auth("50105", 'Request header "OK-ACCESS-PASSPHRASE" incorrect.')
    if not hmac.compare_digest(signature(secret, stamp + signed_text), sign):
        raise OkxError.auth("50113", "Invalid Sign.")
    return account


def check_login(args: object, keyring: Keyring, exchange: str, now_ms: int) -> str:
    """The account of a WebSocket ``login`` request; OKX's WebSocket error otherwise."""
    if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
        raise OkxError("60012", "Illegal request: login needs one argument")
    arg = args[0]
    found = keyring.lookup(exchange, str(arg.get("apiKey", "")))
    if found is None:
        raise OkxError("60005", "Invalid OK-ACCESS-KEY")
    account, secret = found
    stamp = str(arg.get("timestamp", ""))
    try:
        stamp_ms = int(float(stamp) * 1000)
    except ValueError:
        raise OkxError("60004", "Invalid timestamp") from None
    if abs(now_ms - stamp_ms) > MAX_SKEW_MS:
        raise OkxError("60006", "Timestamp request expired")
    if not hmac.compare_digest(
        str(arg.get("passphrase", "")), keyring.passphrase(exchange, str(arg.get("apiKey"))) or ""
    ):
        raise OkxError("60024", "Wrong passphrase")
    if not hmac.compare_digest(signature(secret, stamp + WS_VERIFY), str(arg.get("sign", ""))):
        raise OkxError("60007", "Invalid sign")
    return account
