"""Sessions, CSRF and the sign-in lock-out of the operators' web application.

- The session cookie holds 32 random bytes; the ``operator_sessions`` row holds their SHA-256,
  the operator, the session's CSRF token and an absolute expiry. ``HttpOnly`` (no script reads
  it), ``SameSite=Lax`` (not sent on cross-site POSTs), ``Secure`` when the request came over
  HTTPS (directly, or through a proxy saying ``X-Forwarded-Proto: https``).
- Every POST carries a CSRF token in a form field: the session's own, or, for the sign-in form
  (no session yet), a random value also set as a short-lived cookie (double submit).
- Five wrong passwords for one account name, or from one client address, within fifteen
  minutes lock further attempts for that name or address until the oldest of them is fifteen
  minutes old. Failures are rows in ``operator_signin_failures``, so every worker sees them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import delete, func, select

from bot.db.engine import Database
from bot.db.models import Operator, OperatorSession, OperatorSignInFailure
from bot.http.operator.accounts import Role

SESSION_COOKIE = "motcua_operator"
SIGNIN_COOKIE = "motcua_operator_signin"
COOKIE_PATH = "/operator"
SESSION_LIFETIME = timedelta(hours=8)
SIGNIN_FORM_LIFETIME = timedelta(hours=1)
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
# Failure rows are kept a day for the record (the log has them too), then pruned.
FAILURE_RETENTION = timedelta(days=1)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison; a missing value never matches."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())


def is_https(request: web.Request) -> bool:
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return request.secure or forwarded.split(",")[0].strip().lower() == "https"


def client_address(request: web.Request) -> str:
    """The address the lock-out counts against.

    Behind the reverse proxy every request comes from the proxy, so the last
    ``X-Forwarded-For`` entry (the one the proxy itself appended) is the client; a client can
    only put entries before it. Without a proxy a client could send the header to spread its
    attempts over made-up addresses: the lock-out per account still holds then."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    last = forwarded.rsplit(",", 1)[-1].strip()
    return (last or request.remote or "unknown")[:64]


def set_cookie(
    response: web.StreamResponse, request: web.Request, name: str, value: str, max_age: timedelta
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=int(max_age.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        samesite="Lax",
        secure=is_https(request),
    )


def clear_cookie(response: web.StreamResponse, name: str) -> None:
    response.del_cookie(name, path=COOKIE_PATH)


@dataclass(frozen=True)
class SignedIn:
    """The operator behind a request's session cookie."""

    operator_id: int
    name: str
    role: Role
    csrf: str
    token_hash: str


async def open_session(db: Database, operator_id: int, now: datetime) -> tuple[str, str]:
    """A new session for the operator: (cookie token, CSRF token). Expired rows are pruned
    here, the one place sessions are written."""
    token, csrf = new_token(), new_token()
    async with db.transaction() as session:
        await session.execute(delete(OperatorSession).where(OperatorSession.expires_at <= now))
        session.add(
            OperatorSession(
                token_hash=token_hash(token),
                operator_id=operator_id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
    return token, csrf


async def load_session(db: Database, token: str | None, now: datetime) -> SignedIn | None:
    """The session's operator, if the token names a live session of an active account."""
    if not token or len(token) > 128:
        return None
    hashed = token_hash(token)
    async with db.read() as session:
        row = (
            await session.execute(
                select(Operator.id, Operator.name, Operator.role, OperatorSession.csrf_token)
                .join(OperatorSession, OperatorSession.operator_id == Operator.id)
                .where(
                    OperatorSession.token_hash == hashed,
                    OperatorSession.expires_at > now,
                    Operator.active.is_(True),
                )
            )
        ).first()
    if row is None:
        return None
    operator_id, name, role, csrf = row
    return SignedIn(operator_id, name, Role(role), csrf, hashed)


async def close_session(db: Database, hashed: str) -> None:
    async with db.transaction() as session:
        await session.execute(delete(OperatorSession).where(OperatorSession.token_hash == hashed))


async def is_locked(db: Database, name: str, client: str, now: datetime) -> bool:
    """Five or more failures for this name, or from this address, in the last 15 minutes."""
    since = now - LOCKOUT_WINDOW
    recent = OperatorSignInFailure.at > since
    async with db.read() as session:
        by_name, by_client = (
            await session.execute(
                select(
                    select(func.count())
                    .where(OperatorSignInFailure.name == name, recent)
                    .scalar_subquery(),
                    select(func.count())
                    .where(OperatorSignInFailure.client == client, recent)
                    .scalar_subquery(),
                )
            )
        ).one()
    return bool(by_name >= LOCKOUT_FAILURES or by_client >= LOCKOUT_FAILURES)


async def record_failure(db: Database, name: str, client: str, now: datetime) -> None:
    async with db.transaction() as session:
        await session.execute(
            delete(OperatorSignInFailure).where(OperatorSignInFailure.at < now - FAILURE_RETENTION)
        )
        session.add(OperatorSignInFailure(name=name[:64], client=client[:64], at=now))


async def forget_failures(db: Database, name: str) -> None:
    """After a successful sign-in the account's count starts again (the address's does not:
    one person guessing several accounts from one place stays counted)."""
    async with db.transaction() as session:
        await session.execute(
            delete(OperatorSignInFailure).where(OperatorSignInFailure.name == name[:64])
        )
