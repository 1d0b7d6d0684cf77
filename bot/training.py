"""Train the Rasa model only when something it is built from has changed.

The fingerprint is a hash of the contents of config.yml, domain.yml, nlu_data/, policies/ and
the NLU code. `python -m bot.training` trains into `models/<fingerprint>.tar.gz` unless that
file exists already, and prints the model path. Old models beyond the newest few are removed.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, List

REPO_ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = REPO_ROOT / "models"
KEEP_MODELS = 3
# The NLU reads text through bot/text/normalize.py only; masking (bot/text/mask.py) is not an input.
TRAINING_INPUTS = ("config.yml", "domain.yml", "nlu_data", "policies", "bot/nlu", "bot/text/normalize.py")


def input_files(root: Path = REPO_ROOT, inputs: Iterable[str] = TRAINING_INPUTS) -> List[Path]:
    files: List[Path] = []
    for name in inputs:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(files)


def fingerprint(root: Path = REPO_ROOT, inputs: Iterable[str] = TRAINING_INPUTS) -> str:
    digest = hashlib.sha256()
    for path in input_files(root, inputs):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(models_dir: Path = MODELS_DIR) -> Path:
    return models_dir / f"wengang-{fingerprint()}.tar.gz"


def prune(models_dir: Path, keep: int = KEEP_MODELS) -> None:
    models = sorted(models_dir.glob("wengang-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in models[:-keep]:
        old.unlink()


def ensure_model(force: bool = False, models_dir: Path = MODELS_DIR) -> Path:
    target = model_path(models_dir)
    if target.exists() and not force:
        print(f"model up to date (nothing changed since it was trained): {target.relative_to(REPO_ROOT)}")
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    print(f"training data changed: training {target.name} …", flush=True)
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "nlu_data",
        "--out",
        str(models_dir),
        "--fixed-model-name",
        target.name[: -len(".tar.gz")],
    ]
    subprocess.run(command, cwd=REPO_ROOT, check=True)
    print(f"trained in {time.monotonic() - started:.0f} s: {target.relative_to(REPO_ROOT)}")
    prune(models_dir)
    return target


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the Rasa model if its inputs changed.")
    parser.add_argument("--force", action="store_true", help="train even if nothing changed")
    parser.add_argument("--print-path", action="store_true", help="only print the model path")
    args = parser.parse_args(argv)
    if args.print_path:
        print(model_path().relative_to(REPO_ROOT))
        return 0
    try:
        ensure_model(force=args.force)
    except subprocess.CalledProcessError as exc:
        print(f"训练失败 (rasa train exit {exc.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
