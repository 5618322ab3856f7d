"""The second factor: a TOTP code (RFC 6238: 6 digits, 30 s) from an authenticator app.

The secret is made here, shown once as a QR code (an SVG drawn on the server, so no script
or image service sees it) and, once the member has typed a code from it, stored sealed:
AES-256-GCM under the member's own key in the key store, with the member's id as associated
data, so the event log alone does not give the secret away. A code is accepted one step
either side of now (a phone's clock a little off).
"""

from __future__ import annotations

import base64
import io
import secrets
from datetime import datetime
from uuid import UUID

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from application.vault.keystore import KeyStore

ISSUER = "caseledger"


def new_secret() -> str:
    return pyotp.random_base32()


def code_matches(secret: str, code: str, at: datetime) -> bool:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    return bool(pyotp.TOTP(secret).verify(code, for_time=at, valid_window=1))


def code_at(secret: str, at: datetime) -> str:
    """The code an authenticator shows at `at` (the tests' phone)."""
    return str(pyotp.TOTP(secret).at(at))


def qr_svg(secret: str, username: str) -> str:
    """The enrolment QR code as an SVG element (no inline style: the screens' CSP holds)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, xmldecl=False, svgclass="qr")
    return out.getvalue().decode()


def seal(keys: KeyStore, staff_id: UUID, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(keys.get_or_create(staff_id)).encrypt(nonce, secret.encode(), staff_id.bytes)
    return base64.b64encode(nonce + sealed).decode()


def unseal(keys: KeyStore, staff_id: UUID, sealed: str) -> str | None:
    """The secret, or None if it cannot be opened (the key is gone or the value altered)."""
    key = keys.get(staff_id)
    if key is None:
        return None
    raw = base64.b64decode(sealed)
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], staff_id.bytes).decode()
    except (InvalidTag, ValueError):
        return None
