"""The `bot` command (also `python -m bot`).

  bot policies check               validate policies/*.yml, naming file and field of each problem
  bot policies list                the notices and their benefits
  bot answer TOPIC [--region R] [--today YYYY-MM-DD] [--text 问题]
                                   the answer the assistant gives for a topic
  bot db migrate                   create or upgrade the store's tables (DATABASE_URL)
  bot db import DIR [--rejects F]  import the bureau's CSV files (docs/data-format.md)
  bot db seed [--if-empty]         load the deterministic demo data set
  bot eligibility ID_OR_CREDIT_CODE [--json]
                                   every benefit that can apply, condition by condition
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import List

from bot.clock import today
from bot.dialogue import PolicyDialogue, Turn
from bot.policy.loader import PolicyError, load_policies
from bot.policy.model import TOPICS


def _policies(args: argparse.Namespace) -> int:
    try:
        book = load_policies()
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 1
    for notice in book.notices:
        print(f"{notice.number}  {notice.region.name}  {len(notice.clauses)} 条款  {len(notice.benefits)} 项措施")
        if args.action == "list":
            for benefit in notice.benefits:
                print(f"  {benefit.key:36} {benefit.name}  [{', '.join(benefit.topics)}]")
    if args.action == "check":
        print("政策数据校验通过")
    return 0


def _answer(args: argparse.Namespace) -> int:
    if args.topic not in TOPICS:
        print(f"未知主题 {args.topic!r}，可选：{', '.join(TOPICS)}", file=sys.stderr)
        return 2
    day = dt.date.fromisoformat(args.today) if args.today else today()
    intent = "complain_wage_arrears" if args.topic == "wage_arrears" else f"ask_{args.topic}"
    reply = PolicyDialogue(load_policies()).respond(Turn(intent, args.text or "", region=args.region), day)
    print("\n\n".join(reply.messages))
    return 0


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
    from bot.eligibility.service import EligibilityService, SubjectError
    from bot.text.mask import mask_text

    try:
        report = EligibilityService().check(args.subject)
    except SubjectError as exc:
        print(f"{exc}", file=sys.stderr)
        return 2
    if report is None:
        print(mask_text(f"库中没有 {args.subject.strip().upper()} 的记录"), file=sys.stderr)
        return 3
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(render_report(report, detailed=True)))
    return 0


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bot", description="稳岗留工政策助手 command line")
    sub = parser.add_subparsers(dest="command", required=True)
    policies = sub.add_parser("policies", help="check or list the policy notices")
    policies.add_argument("action", choices=["check", "list"])
    policies.set_defaults(run=_policies)
    answer = sub.add_parser("answer", help="render the answer for a topic")
    answer.add_argument("topic", help=", ".join(TOPICS))
    answer.add_argument("--region", help="region key, e.g. shengsi or jiangsu")
    answer.add_argument("--today", help="YYYY-MM-DD (default: BOT_TODAY or the system date)")
    answer.add_argument("--text", help="the user's question, to pick the asked aspect")
    answer.set_defaults(run=_answer)
    db = sub.add_parser("db", help="the eligibility store: migrate, import CSV, seed demo data")
    db.add_argument("action", choices=["migrate", "import", "seed"])
    db.add_argument("directory", nargs="?", help="import: the directory holding the CSV files")
    db.add_argument("--rejects", help="import: where to write the reject report (default var/import-rejects.csv)")
    db.add_argument("--if-empty", action="store_true", help="seed: only when the store has no people yet")
    db.set_defaults(run=_db)
    eligibility = sub.add_parser("eligibility", help="check a person (ID number) or a firm (credit code)")
    eligibility.add_argument("subject", help="身份证号 or 统一社会信用代码")
    eligibility.add_argument("--json", action="store_true", help="machine-readable output")
    eligibility.set_defaults(run=_eligibility)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
