"""Summarise a `rasa test nlu` run: per-intent precision/recall/F1 and macro-F1.

`python -m bot.nlu.report reports/cross-validation` reads `intent_report.json`, writes
`intent_table.md` next to it and prints the table and macro-F1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List

SUMMARY_ROWS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def load_report(directory: Path) -> Dict[str, dict]:
    path = Path(directory) / "intent_report.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} 不存在：请先运行 make eval")
    return json.loads(path.read_text(encoding="utf-8"))


def table(report: Dict[str, dict]) -> List[str]:
    rows = ["| intent | precision | recall | F1 | support | most confused with |", "|---|---|---|---|---|---|"]
    for intent in sorted(k for k in report if k not in SUMMARY_ROWS):
        r = report[intent]
        confused = ", ".join(f"{k} ({v})" for k, v in list((r.get("confused_with") or {}).items())[:2])
        rows.append(
            f"| {intent} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1-score']:.3f} "
            f"| {r['support']} | {confused} |"
        )
    return rows


def macro_f1(report: Dict[str, dict]) -> float:
    return float(report["macro avg"]["f1-score"])


def main(argv: List[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    directory = Path(argv[0] if argv else "reports/cross-validation")
    report = load_report(directory)
    rows = table(report)
    accuracy = report.get("accuracy")
    summary = f"intent macro-F1 = {macro_f1(report):.4f}" + (
        f", accuracy = {accuracy:.4f}" if isinstance(accuracy, float) else ""
    )
    (directory / "intent_table.md").write_text("\n".join(rows + ["", summary]) + "\n", encoding="utf-8")
    print("\n".join(rows))
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
