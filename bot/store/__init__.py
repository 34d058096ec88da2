"""The store: the only package with SQL. Two engines (SQLite, PostgreSQL), versioned migrations, repositories."""

from .connection import Store, available_migrations
from .engine import Conflict, MigrationError, SchemaTooNewError, StoreError, StoreUnavailable
from .failures import write_failure

__all__ = ["Conflict", "MigrationError", "SchemaTooNewError", "Store", "StoreError", "StoreUnavailable",
           "available_migrations", "write_failure"]
