"""The store: the only package with SQL. Two engines (SQLite, PostgreSQL), versioned migrations, repositories."""

from .connection import Store, available_migrations
from .engine import (
    Conflict,
    DatabaseFault,
    DiskFull,
    MigrationError,
    SchemaTooNewError,
    StoreError,
    StoreUnavailable,
)
from .failures import write_failure
from .urls import DatabaseUrlError

__all__ = ["Conflict", "DatabaseFault", "DatabaseUrlError", "DiskFull", "MigrationError", "SchemaTooNewError",
           "Store", "StoreError", "StoreUnavailable", "available_migrations", "write_failure"]
