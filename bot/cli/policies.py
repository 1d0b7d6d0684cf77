"""`bot policies check|list|new` and `bot answer`: the policy notices and the answers built from them."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Optional

from bot.clock import today
from bot.dialogue import PolicyDialogue, Turn
from bot.policy.loader import PolicyError, check_gazetteer, load_policies
from bot.policy.model import TOPICS
from bot.policy.paths import policy_dirs, policy_files, seed_path


def _policies(args: argparse.Namespace) -> int:
    from bot.nlu.build import GAZETTEER, other_regions

    directories = policy_dirs()
    if args.action == "new":
        return _new_policy(args.key, directories[0])
    for directory in directories:
        print(f"读取文件夹：{directory.resolve()}（{len(policy_files([directory]))} 个通知文件）")
    try:
        book = load_policies()
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 1
    for notice in book.notices:
        print(
            f"{Path(notice.path).name}: {notice.number}  {notice.region.name}  "
            f"{len(notice.clauses)} 条款  {len(notice.benefits)} 项措施"
        )
        if args.action == "list":
            for benefit in notice.benefits:
                print(f"  {benefit.key:36} {benefit.name}  [{', '.join(benefit.topics)}]")
    if args.action == "check":
        for notice in book.notices:
            if seed_path(notice) is None:
                print(
                    f"注意：{Path(notice.path).name}: notice.source: 找不到通知原文 {notice.source!r}"
                    "（测试会因此失败：每个数字和日期都要能在原文中找到）"
                )
        listed = check_gazetteer(book, other_regions(GAZETTEER))
        if listed:
            print(f"注意：{GAZETTEER.name} 把已覆盖的地区列为“未覆盖地区”：{'、'.join(listed)}；这些行已被忽略，请删除")
        print("政策数据校验通过")
    return 0


def _new_policy(key: Optional[str], directory: Path) -> int:
    import re

    from bot.policy.skeleton import skeleton

    if not key or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        print(f"KEY 只能用小写字母、数字和下划线，且以字母开头：{key!r}", file=sys.stderr)
        return 2
    path = directory / f"{key}.yml"
    if path.exists():
        print(f"{path} 已存在，未改动", file=sys.stderr)
        return 1
    path.write_text(skeleton(key), encoding="utf-8")
    print(f"已写入 {path}：按注释填写（格式见 docs/policy-format.md），然后运行 bot policies check")
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


def register(sub) -> None:
    """Add this group's commands to `sub`, the `bot` parser's subparsers."""
    policies = sub.add_parser("policies", help="check or list the policy notices")
    policies.add_argument("action", choices=["check", "list", "new"])
    policies.add_argument("key", nargs="?", help="new: the new notice's key, e.g. daishan_2023_1")
    policies.set_defaults(run=_policies)
    answer = sub.add_parser("answer", help="render the answer for a topic")
    answer.add_argument("topic", help=", ".join(TOPICS))
    answer.add_argument("--region", help="region key, e.g. shengsi or jiangsu")
    answer.add_argument("--today", help="YYYY-MM-DD (default: BOT_TODAY or the system date)")
    answer.add_argument("--text", help="the user's question, to pick the asked aspect")
    answer.set_defaults(run=_answer)
