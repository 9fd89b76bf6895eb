"""Operator accounts: roles, names, Argon2 password hashes. Shared by ``motcua operator`` and
the web application's account pages.

Hashing is Argon2id with argon2-cffi's defaults (RFC 9106's second recommendation); a hash made
with older parameters is replaced at the next successful sign-in. Hashing takes tens of
milliseconds of CPU on purpose, so the web application runs it in a thread.
"""

from __future__ import annotations

import asyncio
import re
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Operator, OperatorSession, utcnow

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing a megabyte per attempt would be a cheap denial of service
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

_hasher = PasswordHasher()
# Compared against when the name is unknown, so an unknown name costs as long as a wrong
# password and the answer time does not tell which names exist.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class Role(StrEnum):
    """What an operator may do; each role includes the ones before it."""

    INSPECTOR = "inspector"  # sees the figures
    OFFICER = "officer"  # also answers citizens (a later feature)
    ADMIN = "admin"  # also manages accounts

    def allows(self, needed: Role) -> bool:
        return _RANK[self] >= _RANK[needed]


_RANK = {role: rank for rank, role in enumerate(Role)}


class AccountError(ValueError):
    """A name, role or password that cannot be accepted; ``code`` is a locale-key suffix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalize_name(raw: str) -> str:
    """Names are case-insensitive ASCII, so ``Lan`` and ``lan`` are one account."""
    return raw.strip().lower()


def check_name(raw: str) -> str:
    name = normalize_name(raw)
    if not NAME.fullmatch(name):
        raise AccountError(
            "bad-name", "a name is 1-64 letters a-z, digits, '.', '_' or '-', starting with one"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError("short-password", f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError("long-password", f"a password has at most {MAX_PASSWORD} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; ``None`` (no such account) is compared with a dummy."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(stored_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, stored_hash, password)


async def find(session: AsyncSession, name: str) -> Operator | None:
    found: Operator | None = await session.scalar(
        select(Operator).where(Operator.name == normalize_name(name))
    )
    return found


async def create(
    session: AsyncSession, name: str, role: str, password: str, *, password_hash: str | None = None
) -> Operator:
    """Add an account (raises AccountError for a bad or taken name, role or password)."""
    name = check_name(name)
    try:
        checked_role = Role(role)
    except ValueError:
        raise AccountError("bad-role", "role must be inspector, officer or admin") from None
    if await find(session, name) is not None:
        raise AccountError("name-taken", f"an operator named {name!r} exists")
    operator = Operator(
        name=name,
        role=checked_role.value,
        password_hash=password_hash or await hash_password_async(password),
        active=True,
    )
    session.add(operator)
    await session.flush()
    return operator


async def set_password(session: AsyncSession, operator: Operator, password: str) -> None:
    """Change the password and sign the operator out everywhere."""
    operator.password_hash = await hash_password_async(password)
    operator.password_changed_at = utcnow()
    await session.execute(delete(OperatorSession).where(OperatorSession.operator_id == operator.id))


async def set_active(session: AsyncSession, operator: Operator, active: bool) -> None:
    operator.active = active
    if not active:
        await session.execute(
            delete(OperatorSession).where(OperatorSession.operator_id == operator.id)
        )


async def all_operators(session: AsyncSession) -> list[Operator]:
    return list(await session.scalars(select(Operator).order_by(Operator.name)))
