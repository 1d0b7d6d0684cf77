"""`bot db migrate|import|seed` and `bot eligibility`: the eligibility store and a check against it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _db(args: argparse.Namespace) -> int:
    from bot.store.db import StoreError, migrate

    try:
        if args.action == "migrate":
            migrate()
            print("数据库结构已是最新")
            return 0
        if args.action == "import":
            if not args.directory:
                print("用法：bot db import DIR", file=sys.stderr)
                return 2
            from bot.store.importer import import_directory

            report = import_directory(Path(args.directory))
        else:
            from bot.store.seed import seed_store, store_is_empty

            if args.if_empty and not store_is_empty():
                print("数据库已有数据，跳过演示数据")
                return 0
            report = seed_store()
    except (FileNotFoundError, StoreError) as exc:
        print(exc, file=sys.stderr)
        return 1
    for result in report.files:
        if result.skipped:
            print(f"  {result.file:26} 未提供，跳过")
        else:
            print(f"  {result.file:26} 读取 {result.read:>8}  导入 {result.imported:>8}  拒绝 {result.rejected:>6}")
    if report.rejects:
        rejects = Path(args.rejects) if getattr(args, "rejects", None) else Path("var/import-rejects.csv")
        report.write_rejects(rejects)
        print(f"{len(report.rejects)} 行未导入，原因见 {rejects}")
        for reject in report.rejects[:5]:
            print(f"  {reject.file} 第{reject.line}行：{reject.reason}")
    print(f"共导入 {report.imported} 行")
    return 0


def _eligibility(args: argparse.Namespace) -> int:
    from bot.eligibility.render import render_report
    from bot.eligibility.service import AmbiguousSubjectError, EligibilityService, SubjectError
    from bot.identifiers import normalize_subject
    from bot.text.mask import mask_text

    try:
        report = EligibilityService().check(args.subject, kind=args.kind)
    except AmbiguousSubjectError as exc:
        print(f"{exc}（可加 --kind person 或 --kind firm 指定）", file=sys.stderr)
        return 2
    except SubjectError as exc:
        print(f"{exc}", file=sys.stderr)
        return 2
    if report is None:
        print(mask_text(f"库中没有 {normalize_subject(args.subject)} 的记录"), file=sys.stderr)
        return 3
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(render_report(report, detailed=True)))
    return 0


def register(sub) -> None:
    """Add this group's commands to `sub`, the `bot` parser's subparsers."""
    db = sub.add_parser("db", help="the eligibility store: migrate, import CSV, seed demo data")
    db.add_argument("action", choices=["migrate", "import", "seed"])
    db.add_argument("directory", nargs="?", help="import: the directory holding the CSV files")
    db.add_argument("--rejects", help="import: where to write the reject report (default var/import-rejects.csv)")
    db.add_argument("--if-empty", action="store_true", help="seed: only when the store has no people yet")
    db.set_defaults(run=_db)
    eligibility = sub.add_parser("eligibility", help="check a person (ID number) or a firm (credit code)")
    eligibility.add_argument("subject", help="身份证号 or 统一社会信用代码")
    eligibility.add_argument("--json", action="store_true", help="machine-readable output")
    eligibility.add_argument(
        "--kind", choices=["person", "firm"], help="only for a number valid as both an ID number and a credit code"
    )
    eligibility.set_defaults(run=_eligibility)
