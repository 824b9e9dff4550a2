"""Who an entry is recorded as made by: an identity the system vouches for, never a typed name.

- On PostgreSQL (a team's shared ledger) the author is the database role of the session
  (`session_user`): the server authenticated it, so a clerk cannot record a payment as the CFO.
  A typed name (`--user`, `PRICING_USER`) is refused there (`refuse_typed_name`).
- On SQLite (one person's file) the author is the login name; a typed name is kept as "on
  behalf of", beside the login name, in the one author column: `pat (on behalf of dana)`.
  `recorded_author` writes that form and `names_of` reads it back, the one place each is done.
"""

from __future__ import annotations

ON_BEHALF = " (on behalf of "


def recorded_author(login: str, on_behalf_of: str | None = None) -> str:
    """The author an SQLite ledger records: the login name, and the name the entry was made on
    behalf of, if one was given and differs from it."""
    if on_behalf_of is None or on_behalf_of == login:
        return login
    return f"{login}{ON_BEHALF}{on_behalf_of})"


def names_of(author: str) -> tuple[str, ...]:
    """The names an author as recorded holds: the login (or database role), then the name the
    entry was made on behalf of, if any; `ledger log --user NAME` matches either."""
    login, marker, rest = author.partition(ON_BEHALF)
    if marker and rest.endswith(")"):
        return (login, rest[:-1])
    return (author,)


def refuse_typed_name(name: str) -> str:
    """Why a typed name is refused on a ledger on PostgreSQL (a usage error, exit 2)."""
    return (f"a ledger on PostgreSQL records the database role you connect as, never a typed "
            f"name: drop --user {name} (and unset PRICING_USER); to act as someone else, "
            f"connect as them")


def session_author(conn) -> str:
    """The PostgreSQL role of this session: the one the server authenticated at connection
    (`session_user`, unchanged by SET ROLE)."""
    return conn.exec_driver_sql("SELECT session_user").scalar()
