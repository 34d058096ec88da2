"""The store: the only package with SQL. aiosqlite, WAL, versioned migrations, repositories."""

from .connection import MigrationError, SchemaTooNewError, Store, StoreError

__all__ = ["MigrationError", "SchemaTooNewError", "Store", "StoreError"]
