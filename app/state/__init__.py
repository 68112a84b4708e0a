"""The app's own state (debates, classrooms, a few secrets) in one database: SQLite or PostgreSQL.

`StateStore` is the one small interface: `read(fn)` and `write(fn)` run a function on a connection inside
a transaction (writes retried when the server went away), `secret(name)` keeps a value every app server
shares. `app.state.debates` and `app.state.classroom` hold the queries; `app.state.importer` brings in
data from the file-based stores of earlier versions.
"""

from app.state.store import StateStore, StoreUnavailable, open_state, sqlite_url, state_url

__all__ = ["StateStore", "StoreUnavailable", "open_state", "sqlite_url", "state_url"]
