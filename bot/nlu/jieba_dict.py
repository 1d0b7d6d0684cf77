"""The project's jieba dictionary: `nlu_data/jieba/` (hand-written words plus the policy terms
that `python -m bot.nlu.build` generates). Every file in the folder is loaded, as Rasa's
JiebaTokenizer does with its `dictionary_path`.
"""

from __future__ import annotations

import threading
from pathlib import Path

import jieba

REPO_ROOT = Path(__file__).resolve().parents[2]
JIEBA_DIR = REPO_ROOT / "nlu_data" / "jieba"

_loaded: set = set()
_lock = threading.Lock()


def load_project_dictionary(directory: Path = JIEBA_DIR) -> int:
    """Load every dictionary file in `directory` into jieba once; returns files loaded."""
    count = 0
    with _lock:
        for path in sorted(Path(directory).glob("*.txt")):
            key = (str(path), path.stat().st_mtime)
            if key in _loaded:
                continue
            jieba.load_userdict(str(path))
            _loaded.add(key)
            count += 1
    return count
