"""`bot nlu export-reviewed`: supervisors' labels from the console's review page, as NLU examples."""

from __future__ import annotations

import argparse
from pathlib import Path


def _nlu(args: argparse.Namespace) -> int:
    from bot.console.review import ReviewStore, export_reviewed

    labels = ReviewStore().labels()
    out = Path(args.out)
    report = export_reviewed(labels, out)
    print(f"已写入 {report.written} 条样例到 {out}（{report.already_in_data} 条训练数据中已有，未重复写入）")
    for conflict in report.conflicting:
        print(f"  注意：{conflict}")
    if report.written:
        print("请检查后提交；下次 make train 会用上这些样例。")
    return 0


def register(sub) -> None:
    """Add this group's commands to `sub`, the `bot` parser's subparsers."""
    nlu = sub.add_parser("nlu", help="NLU data from the console's review page")
    nlu.add_argument("action", choices=["export-reviewed"])
    nlu.add_argument("--out", default="nlu_data/reviewed.yml", help="where to write (default nlu_data/reviewed.yml)")
    nlu.set_defaults(run=_nlu)
