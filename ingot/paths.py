"""Where the project's own data files live (sql/, sites/, fixtures), found relative to this package."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
SITES_DIR = PROJECT_ROOT / "sites"
FIXTURE_WEB_DIR = PROJECT_ROOT / "tests" / "fixtures" / "web"
