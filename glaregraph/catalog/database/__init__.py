"""Persistence of the catalog: tables, the database handle and SQL builders (SQLAlchemy Core)."""
