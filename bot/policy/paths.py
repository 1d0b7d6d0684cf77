"""Where the policy files and the notices' source texts are looked up.

`BOT_POLICY_DIR` (default policies/) and `BOT_EXTRA_POLICY_DIRS` (e.g. the test fixtures) hold the
notice files; `notice.source` is found next to its notice file or under `BOT_SEEDS_ROOT`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional, Sequence

from bot.policy.model import Notice

POLICY_DIR_ENV = "BOT_POLICY_DIR"
# Extra folders loaded alongside the main one (os.pathsep-separated), e.g. the test fixtures.
EXTRA_POLICY_DIRS_ENV = "BOT_EXTRA_POLICY_DIRS"
DEFAULT_POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"
SEEDS_ROOT_ENV = "BOT_SEEDS_ROOT"
DEFAULT_SEEDS_ROOT = Path(__file__).resolve().parents[3] / "shared"


def seed_roots() -> List[Path]:
    """Where `notice.source` is looked up after the notice file's own folder: `BOT_SEEDS_ROOT`
    (os.pathsep-separated), else the shared folder next to the checkout (`../shared`)."""
    raw = os.environ.get(SEEDS_ROOT_ENV, "")
    roots = [Path(p) for p in raw.split(os.pathsep) if p.strip()]
    return roots or [DEFAULT_SEEDS_ROOT]


def seed_path(notice: Notice) -> Optional[Path]:
    """The source text a notice names in `notice.source`: relative to the notice file's folder,
    then to each of `seed_roots()`. None when it is not found."""
    if not notice.source:
        return None
    candidates = (
        [Path(notice.source)]
        if Path(notice.source).is_absolute()
        else [Path(notice.path).parent / notice.source, *(root / notice.source for root in seed_roots())]
    )
    return next((c for c in candidates if c.is_file()), None)


def policy_dir() -> Path:
    return Path(os.environ.get(POLICY_DIR_ENV) or DEFAULT_POLICY_DIR)


def extra_policy_dirs() -> List[Path]:
    raw = os.environ.get(EXTRA_POLICY_DIRS_ENV, "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def policy_dirs(directory: Optional[Path] = None, extra: Optional[Sequence[Path]] = None) -> List[Path]:
    """The folders read: `directory` (default: `BOT_POLICY_DIR` or policies/) then the extra ones
    (default: `BOT_EXTRA_POLICY_DIRS`)."""
    main = Path(directory) if directory else policy_dir()
    more = [Path(d) for d in extra] if extra is not None else extra_policy_dirs()
    return list(dict.fromkeys([main, *more]))


def policy_files(directories: Sequence[Path]) -> List[Path]:
    return [p for d in directories for p in sorted(Path(d).glob("*.yml")) if not p.name.startswith("_")]
