"""Accounts, sessions and tokens in portable SQL (both backends)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from paperboy.models.community import ApiToken, User
from paperboy.store.portable.executor import Executor, as_datetime, now
from paperboy.store.users import UserStore

_USER = "SELECT id, email, display_name, created_at, is_admin, banned_at FROM users"
_TOKEN = "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens"


def _user(row: Sequence) -> User:
    return User(
        id=int(row[0]),
        email=row[1],
        display_name=row[2],
        created_at=as_datetime(row[3]) or now(),
        is_admin=bool(row[4]),
        banned_at=as_datetime(row[5]),
    )


def _api_token(row: Sequence) -> ApiToken:
    return ApiToken(
        id=int(row[0]),
        user_id=int(row[1]),
        name=row[2],
        created_at=as_datetime(row[3]) or now(),
        last_used_at=as_datetime(row[4]),
        revoked_at=as_datetime(row[5]),
    )


class SQLUsers(UserStore):
    def __init__(self, sql: Executor) -> None:
        self.sql = sql

    def get_or_create(self, email: str, display_name: str | None = None) -> tuple[User, bool]:
        with self.sql.write() as w:
            made = w.execute(
                "INSERT INTO users (email, display_name, created_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (email) DO NOTHING RETURNING id",
                (email, display_name or None, now()),
            )
            rows = w.execute(f"{_USER} WHERE email = %s", (email,))
        return _user(rows[0]), bool(made)

    def get_user(self, user_id: int) -> User | None:
        rows = self.sql.read(f"{_USER} WHERE id = %s", (user_id,))
        return _user(rows[0]) if rows else None

    def find_user(self, email: str) -> User | None:
        rows = self.sql.read(f"{_USER} WHERE email = %s", (email,))
        return _user(rows[0]) if rows else None

    def list_users(self, limit: int = 100, offset: int = 0) -> list[User]:
        rows = self.sql.read(f"{_USER} ORDER BY id LIMIT %s OFFSET %s", (limit, offset))
        return [_user(r) for r in rows]

    def count_users(self) -> int:
        return int(self.sql.read("SELECT count(*) FROM users")[0][0])

    def set_display_name(self, user_id: int, name: str | None) -> None:
        with self.sql.write() as w:
            w.execute("UPDATE users SET display_name = %s WHERE id = %s", (name or None, user_id))

    def set_admin(self, user_id: int, admin: bool) -> None:
        with self.sql.write() as w:
            w.execute("UPDATE users SET is_admin = %s WHERE id = %s", (admin, user_id))

    def set_banned(self, user_id: int, banned: bool) -> None:
        with self.sql.write() as w:
            w.execute(
                "UPDATE users SET banned_at = %s WHERE id = %s",
                (now() if banned else None, user_id),
            )
            if banned:
                w.execute("DELETE FROM sessions WHERE user_id = %s", (user_id,))

    # --- sessions -----------------------------------------------------------------------
    def create_session(self, user_id: int, token_hash: str, expires_at: datetime) -> None:
        with self.sql.write() as w:
            w.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
                " VALUES (%s, %s, %s, %s)",
                (token_hash, user_id, now(), expires_at),
            )

    def session_user(self, token_hash: str, now: datetime) -> User | None:
        rows = self.sql.read(
            "SELECT u.id, u.email, u.display_name, u.created_at, u.is_admin, u.banned_at"
            " FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.token_hash = %s AND s.expires_at > %s AND u.banned_at IS NULL",
            (token_hash, now),
        )
        return _user(rows[0]) if rows else None

    def end_session(self, token_hash: str) -> None:
        with self.sql.write() as w:
            w.execute("DELETE FROM sessions WHERE token_hash = %s", (token_hash,))

    def end_sessions(self, user_id: int) -> int:
        with self.sql.write() as w:
            w.execute("DELETE FROM sessions WHERE user_id = %s", (user_id,))
            return w.rowcount()

    # --- single-use tokens --------------------------------------------------------------
    def add_token(self, token_hash: str, purpose: str, subject: str, expires_at: datetime) -> None:
        with self.sql.write() as w:
            w.execute(
                "INSERT INTO one_time_tokens (token_hash, purpose, subject, created_at,"
                " expires_at) VALUES (%s, %s, %s, %s, %s)",
                (token_hash, purpose, subject, now(), expires_at),
            )

    def use_token(self, token_hash: str, purpose: str, now: datetime) -> str | None:
        with self.sql.write() as w:
            rows = w.execute(
                "UPDATE one_time_tokens SET used_at = %s WHERE token_hash = %s"
                " AND purpose = %s AND used_at IS NULL AND expires_at > %s RETURNING subject",
                (now, token_hash, purpose, now),
            )
        return rows[0][0] if rows else None

    def token_state(self, token_hash: str, purpose: str, now: datetime) -> str:
        rows = self.sql.read(
            "SELECT used_at, expires_at FROM one_time_tokens"
            " WHERE token_hash = %s AND purpose = %s",
            (token_hash, purpose),
        )
        if not rows:
            return "unknown"
        used, expires = rows[0]
        if used is not None:
            return "used"
        expires_at = as_datetime(expires)
        return "expired" if expires_at is None or expires_at <= now else "valid"

    # --- personal API tokens ------------------------------------------------------------
    def create_api_token(self, user_id: int, name: str, token_hash: str) -> ApiToken:
        with self.sql.write() as w:
            rows = w.execute(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at)"
                " VALUES (%s, %s, %s, %s)"
                " RETURNING id, user_id, name, created_at, last_used_at, revoked_at",
                (user_id, name, token_hash, now()),
            )
        return _api_token(rows[0])

    def list_api_tokens(self, user_id: int) -> list[ApiToken]:
        rows = self.sql.read(
            f"{_TOKEN} WHERE user_id = %s AND revoked_at IS NULL ORDER BY id", (user_id,)
        )
        return [_api_token(r) for r in rows]

    def revoke_api_token(self, user_id: int, token_id: int) -> bool:
        with self.sql.write() as w:
            w.execute(
                "UPDATE api_tokens SET revoked_at = %s"
                " WHERE id = %s AND user_id = %s AND revoked_at IS NULL",
                (now(), token_id, user_id),
            )
            return w.rowcount() > 0

    def api_token_user(self, token_hash: str) -> User | None:
        rows = self.sql.read(
            "SELECT u.id, u.email, u.display_name, u.created_at, u.is_admin, u.banned_at"
            " FROM api_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = %s AND t.revoked_at IS NULL AND u.banned_at IS NULL",
            (token_hash,),
        )
        return _user(rows[0]) if rows else None
