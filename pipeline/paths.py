"""Default locations, relative to the project root (the folder holding pyproject.toml)."""
from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_MODEL_DIR = DATA_DIR / "models" / "pkuseg-mixed"
DEFAULT_RULES_DIR = PROJECT_ROOT / "rules"
DEFAULT_OUT_DIR = DATA_DIR / "out"
