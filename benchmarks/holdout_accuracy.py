"""Accuracy, macro-F1 and every misclassified message of our trained model on held-out NLU sets.

    .venv/bin/python -m benchmarks.holdout_accuracy [FILE ...] [--model PATH]

FILE defaults to tests/nlu_holdout.yml, tests/nlu_holdout_users.yml and
tests/nlu_holdout_voice.yml; the model to the one `make train` built for the current data
(`python -m bot.training --print-path`). A message counts the way benchmarks/nlu.py counts ours:
its top intent, or, when the FallbackClassifier fired, the best intent under nlu_fallback (such
rows are marked "fallback"). For finding weak spots; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Dict, List, Tuple

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FILES = [
    REPO / "tests" / "nlu_holdout.yml",
    REPO / "tests" / "nlu_holdout_users.yml",
    REPO / "tests" / "nlu_holdout_voice.yml",
]


def shown(path: Path) -> Path:
    path = path.resolve()
    return path.relative_to(REPO) if path.is_relative_to(REPO) else path


def prediction(parsed: Dict) -> Tuple[str, float, bool]:
    """(intent, its confidence, whether the fallback fired)."""
    ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
    intent = parsed.get("intent") or {}
    if intent.get("name") != "nlu_fallback":
        return intent.get("name"), float(intent.get("confidence") or 0.0), False
    if not ranking:
        return "out_of_scope", 0.0, True
    return ranking[0]["name"], float(ranking[0]["confidence"]), True


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--model", type=Path, help="model archive (default: the current `make train` model)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from rasa.core.agent import Agent

    from benchmarks.nlu import load_examples, score
    from bot.training import model_path

    model = args.model or model_path()
    if not model.exists() and not args.model:
        older = sorted(model.parent.glob("wengang-*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if older:  # the data changed since the last training: say so, but still report
            print(
                f"no model for the current data ({shown(model)}); using the newest one, trained on "
                f"older data: {shown(older[-1])}",
                file=sys.stderr,
            )
            model = older[-1]
    if not model.exists():
        print(f"no trained model at {model}: run `make train` first", file=sys.stderr)
        return 1
    agent = Agent.load(str(model))
    print(f"model: {shown(model)}")

    async def parse_all(texts: List[str]) -> List[Dict]:
        return [await agent.parse_message(text) for text in texts]

    for path in args.files:
        examples = load_examples(path)
        texts, gold = [t for t, _ in examples], [i for _, i in examples]
        predicted = [prediction(p) for p in asyncio.run(parse_all(texts))]
        result = score(gold, [(intent, fell_back) for intent, _, fell_back in predicted])
        errors = sorted((g, t, p) for t, g, p in zip(texts, gold, predicted) if p[0] != g)
        print(
            f"\n== {shown(path)}: "
            f"{len(examples)} messages, accuracy {result['accuracy']:.3f}, macro-F1 {result['macro_f1']:.3f}, "
            f"{len(errors)} misclassified"
        )
        if errors:
            print("gold\tpredicted\tconfidence\ttext")
        for g, text, (intent, confidence, fell_back) in errors:
            print(f"{g}\t{intent}\t{confidence:.2f}{' fallback' if fell_back else ''}\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
