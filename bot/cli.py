"""The `bot` command (also `python -m bot`).

  bot policies check               validate policies/*.yml, naming file and field of each problem
  bot policies list                the notices and their benefits
  bot answer TOPIC [--region R] [--today YYYY-MM-DD] [--text 问题]
                                   the answer the assistant gives for a topic
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
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
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
