"""Per-card keys: the answers of an anonymous session never reach the database in clear.

While a card is open, the stored room state carries the card's answers (who answered what)
only as a sealed blob, encrypted with a key made for that card. The key is kept in memory and
in a small key store outside the database (a file per room, or Redis when several processes
share the rooms), so a process killed mid-card comes back with the card's answers. When the
card is closed (next, skip, park, finish) or the room erased, the key is destroyed: every copy
of the blob the database may still hold (SQLite's WAL, PostgreSQL's old row versions and WAL)
is then unreadable. Message ids stored for the deduplication of an open anonymous card are
keyed with the same key (an HMAC of the player id and message id), so they cannot link a
person to a note either.

AES-256-GCM (``cryptography``) under a key derived from the card key, a random 12-byte nonce
per blob, the room (and the person, for a vote's row) as associated data: ``2.`` +
base64(nonce ‖ ciphertext ‖ tag). Older blobs (a SHAKE-256 keystream, an HMAC-SHA-256 tag: 4×
the CPU of a vote's seal, issue 15) still open. See docs/security.md.
"""

import asyncio
import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

KEY_BYTES = 32
GCM = "2."  # in front of an AES-GCM blob ("." is not in base64's alphabet: older blobs have none)
GCM_NONCE_BYTES = 12
NONCE_BYTES = 16  # older blobs: nonce and tag
TAG_BYTES = 16
PAD_BYTES = 256  # sealed texts are this long or a multiple: only open answers' size shows, coarsely
REDIS_PREFIX = "exploria:cardkey:"
REDIS_KEEP_S = 7 * 86400  # an open card abandoned for a week: its answers are not kept


class SealError(Exception):
    """A blob that does not open with the key (wrong key, or tampered with)."""


class _Keyed:
    """A card key made ready once: the AES-GCM cipher under its subkey, and the padded SHA-256
    states of HMAC-SHA-256 (RFC 2104) under the card key itself (for ``message_key``), copied
    for a message."""

    __slots__ = ("aead", "ids")

    def __init__(self, key: bytes) -> None:
        self.aead = AESGCM(hashlib.sha256(b"aes-256-gcm" + key).digest())
        self.ids = _hmac_pads(key)


_Pads = tuple["hashlib._Hash", "hashlib._Hash"]


def _hmac_pads(key: bytes) -> _Pads:
    """HMAC-SHA-256's inner and outer hashes, having absorbed the key's padded blocks (a key
    of at most 64 bytes, as all of ours are: 32)."""
    block = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    return inner, outer


def _hmac(pads: _Pads, *parts: bytes) -> bytes:
    """HMAC-SHA-256 of the concatenated ``parts`` (what ``hmac.digest`` gives)."""
    inner = pads[0].copy()
    for part in parts:
        inner.update(part)
    outer = pads[1].copy()
    outer.update(inner.digest())
    return outer.digest()


_SUBKEYS: dict[bytes, _Keyed] = {}  # every vote seals with its card's key
_MAX_SUBKEYS = 1024


def _subkeys(key: bytes) -> _Keyed:
    found = _SUBKEYS.get(key)
    if found is None:
        if len(_SUBKEYS) >= _MAX_SUBKEYS:
            _SUBKEYS.clear()
        found = _SUBKEYS[key] = _Keyed(key)
    return found


def forget_key(key: bytes) -> None:
    """A destroyed card key leaves no key derived from it in memory either."""
    _SUBKEYS.pop(key, None)


def seal(key: bytes, plaintext: bytes, context: str) -> str:
    """``plaintext`` (JSON: trailing spaces are harmless) padded to a multiple of ``PAD_BYTES``
    before it is encrypted: the cipher keeps lengths, and ``{"q1":"no"}`` is shorter than
    ``{"q1":"unsure"}`` — a person's sealed row must not tell their vote by its size.
    ``context`` (the room, and the person of a row) is authenticated with it: a blob moved to
    another person's row, or another room, does not open."""
    plaintext += b" " * (-len(plaintext) % PAD_BYTES)
    nonce = os.urandom(GCM_NONCE_BYTES)
    sealed = nonce + _subkeys(key).aead.encrypt(nonce, plaintext, context.encode())
    return GCM + binascii.b2a_base64(sealed, newline=False).decode()


def row_context(code: str, player_id: str) -> str:  # a vote row's associated data
    return f"{code}\0{player_id}"


def unseal(key: bytes, blob: str, context: str) -> bytes:
    """What ``seal`` sealed with ``key`` and ``context`` (a blob sealed before AES-GCM has
    no context)."""
    if not blob.startswith(GCM):
        return _unseal_older(key, blob)
    keyed = _subkeys(key)
    try:
        raw = binascii.a2b_base64(blob[len(GCM) :].encode(), strict_mode=True)
    except (binascii.Error, ValueError):
        raise SealError("not base64") from None
    if len(raw) < GCM_NONCE_BYTES + TAG_BYTES:
        raise SealError("too short")
    try:
        return keyed.aead.decrypt(raw[:GCM_NONCE_BYTES], raw[GCM_NONCE_BYTES:], context.encode())
    except InvalidTag:
        raise SealError("bad tag") from None


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def _unseal_older(key: bytes, blob: str) -> bytes:
    """A blob of the construction before AES-GCM (see the module's docstring): only met once,
    when a card open across the upgrade is read back, so its subkeys are not kept."""
    enc, mac = hashlib.sha256(b"enc" + key).digest(), hashlib.sha256(b"mac" + key).digest()
    try:
        raw = base64.urlsafe_b64decode(blob.encode())
    except ValueError:
        raise SealError("not base64") from None
    nonce, tag, cipher = (
        raw[:NONCE_BYTES],
        raw[NONCE_BYTES : NONCE_BYTES + TAG_BYTES],
        raw[NONCE_BYTES + TAG_BYTES :],
    )
    want = _hmac(_hmac_pads(mac), nonce, cipher)[:TAG_BYTES]
    if len(nonce) != NONCE_BYTES or not hmac.compare_digest(tag, want):
        raise SealError("bad tag")
    if not cipher:
        return b""
    return _xor(cipher, hashlib.shake_256(enc + nonce).digest(len(cipher)))


def message_key(key: bytes, player_id: str, message_id: str) -> str:
    """What is stored for an applied message of an open anonymous card (64 hex chars): the
    HMAC-SHA-256 of ``player_id``, a NUL and ``message_id`` under the card key."""
    return _hmac(_subkeys(key).ids, f"{player_id}\0{message_id}".encode()).hex()


@functools.lru_cache(maxsize=4096)  # asked at every vote, for the few cards open at a time
def card_key_id(card_id: str, drawn_at: float) -> str:
    """Which card a key belongs to (a room has at most one open card at a time)."""
    return hashlib.sha256(f"{card_id}\0{drawn_at!r}".encode()).hexdigest()[:32]


class KeyStore(Protocol):
    async def create(self, code: str, key_id: str) -> bytes: ...
    async def get(self, code: str, key_id: str) -> bytes | None: ...
    async def drop(self, code: str) -> None: ...


class FileKeyStore:
    """One file per room holding the key of its open card: written and fsynced before any
    state sealed with it is stored; overwritten with zeros, fsynced and unlinked at close."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            self.dir.chmod(0o700)

    def _path(self, code: str) -> Path:
        return self.dir / f"{code.upper()}.key"

    def _read(self, code: str) -> tuple[str, bytes] | None:
        try:
            raw = self._path(code).read_bytes()
        except OSError:
            return None
        if len(raw) != 32 + KEY_BYTES:
            return None
        return raw[:32].decode("ascii", "replace"), raw[32:]

    def _create(self, code: str, key_id: str) -> bytes:
        found = self._read(code)
        if found is not None and found[0] == key_id:
            return found[1]
        key = secrets.token_bytes(KEY_BYTES)
        path = self._path(code)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, key_id.encode("ascii") + key)
            os.fsync(fd)
        finally:
            os.close(fd)
        if found is not None:
            self._shred(path)
        os.replace(tmp, path)
        dir_fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return key

    @staticmethod
    def _shred(path: Path) -> None:
        try:
            fd = os.open(path, os.O_WRONLY)
        except OSError:
            return
        try:
            size = os.fstat(fd).st_size
            os.write(fd, b"\0" * size)
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink()

    async def create(self, code: str, key_id: str) -> bytes:
        return await asyncio.to_thread(self._create, code, key_id)

    async def get(self, code: str, key_id: str) -> bytes | None:
        found = await asyncio.to_thread(self._read, code)
        return found[1] if found is not None and found[0] == key_id else None

    async def drop(self, code: str) -> None:
        await asyncio.to_thread(self._shred, self._path(code))


class RedisKeyStore:
    """Several processes: the key lives in Redis (which must not persist to disk: see
    docs/operations.md), set only if absent so two processes agree on one key per card."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.Redis.from_url(url)

    async def _get(self, name: str) -> bytes | None:
        value = await self._redis.get(name)
        if value is None:
            return None
        return value.encode("latin-1") if isinstance(value, str) else bytes(value)

    async def create(self, code: str, key_id: str) -> bytes:
        name = REDIS_PREFIX + code.upper()
        kid = key_id.encode()
        value = kid + secrets.token_bytes(KEY_BYTES)
        async with asyncio.timeout(2):
            current = await self._get(name)
            if current is not None and current[:32] == kid:
                return current[32:]
            if current is not None:  # a key of an older card that was not dropped
                await self._redis.set(name, value, ex=REDIS_KEEP_S)
                return value[32:]
            if await self._redis.set(name, value, nx=True, ex=REDIS_KEEP_S):
                return value[32:]
            current = await self._get(name)  # another process set it first
        if current is None or current[:32] != kid:
            raise SealError("no key")
        return current[32:]

    async def get(self, code: str, key_id: str) -> bytes | None:
        async with asyncio.timeout(2):
            current = await self._get(REDIS_PREFIX + code.upper())
        if current is None or current[:32] != key_id.encode():
            return None
        return current[32:]

    async def drop(self, code: str) -> None:
        async with asyncio.timeout(2):
            await self._redis.delete(REDIS_PREFIX + code.upper())

    async def close(self) -> None:
        await self._redis.aclose()
