"""The `bot` command (also `python -m bot`).

bot policies check               validate policies/*.yml (and BOT_EXTRA_POLICY_DIRS), naming the folder,
                                 each notice file read, and the file and field of each problem
bot policies list                the notices and their benefits
bot policies new KEY             write policies/KEY.yml, a commented skeleton of a new notice
bot answer TOPIC [--region R] [--today YYYY-MM-DD] [--text 问题]
                                 the answer the assistant gives for a topic
bot db migrate                   create or upgrade the store's tables (DATABASE_URL)
bot db import DIR [--rejects F]  import the bureau's CSV files (docs/data-format.md)
bot db seed [--if-empty]         load the deterministic demo data set
bot eligibility ID_OR_CREDIT_CODE [--json] [--kind person|firm]
                                 every benefit that can apply, condition by condition
bot complaints list [--status S] [--kind complaint|callback] [--urgent] [--since YYYY-MM-DD]
                    [--until YYYY-MM-DD] [--firm TEXT] [--limit N] [--offset N] [--json]
                                 the ticket queue, newest first, a page at a time
bot complaints show NUMBER [--json]
                                 one ticket with its audit trail
bot complaints update NUMBER --staff NAME [--status S] [--note TEXT] [--json]
                                 change a ticket's status and/or add a note
bot complaints reset-code NUMBER --staff NAME
                                 a new 查询码 for a caller whose identity staff checked, printed
                                 once (the old one stops working, a self-service lock ends)
bot staff add NAME --role agent|supervisor [--password-stdin | --generate-password | --if-none]
                                 a console account (asks for the password twice by default)
bot staff list                   the console accounts
bot nlu export-reviewed [--out nlu_data/reviewed.yml]
                                 supervisors' labels from the console's review page, as NLU examples
bot wechat menu --print | --push [--file F]
                                 the Official Account's custom menu (bot/channels/wechat_menu.json):
                                 check it and print the menu-create body, or publish it
                                 (WECHAT_APPID, WECHAT_SECRET; WECHAT_API_BASE)
(phones are always masked: the command line never prints a full phone number; a ticket's 查询码
is printed only by reset-code, once, and shown elsewhere as 已发放/未发放)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any, List, Optional

from bot.clock import today
from bot.dialogue import PolicyDialogue, Turn
from bot.policy.loader import PolicyError, load_policies
from bot.policy.model import TOPICS


def _policies(args: argparse.Namespace) -> int:
    from bot.nlu.build import GAZETTEER, other_regions
    from bot.policy.loader import check_gazetteer
    from bot.policy.paths import policy_dirs, policy_files, seed_path

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


KIND_LABELS = {"complaint": "欠薪投诉", "callback": "回电请求"}
# to_dict() keys whose values are structured, not free text: left as they are, never masked
_UNMASKED_KEYS = {"firm_credit_code", "amount_yuan"}


def _masked(value: Any, key: Optional[str] = None) -> Any:
    """Every string inside, with phone and ID numbers masked (free text may hold them)."""
    from bot.text.mask import mask_text

    if isinstance(value, str):
        return value if key in _UNMASKED_KEYS else mask_text(value)
    if isinstance(value, dict):
        return {k: _masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _date_option(value: Optional[str], option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{option} 须为 YYYY-MM-DD 格式的日期，收到：{value!r}") from None


def _count_option(minimum: int, maximum: int):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"须为整数，收到：{value!r}") from None
        if not minimum <= number <= maximum:
            raise argparse.ArgumentTypeError(f"须在 {minimum} 到 {maximum} 之间，收到：{number}")
        return number

    return parse


def _ticket_lines(ticket) -> List[str]:
    """A ticket, every field and its audit trail, for people; the phone masked."""
    from bot.text.mask import mask_text

    def text(value) -> str:
        return "—" if value in (None, "", ()) else mask_text(str(value))

    amount = "—"
    if ticket.amount_yuan is not None:
        amount = f"{ticket.amount_yuan} 元"
        if ticket.amount_text:
            amount += f"（{mask_text(ticket.amount_text)}）"
    elif ticket.amount_text:
        amount = mask_text(ticket.amount_text)
    urgent = (
        f"是（{mask_text(ticket.urgent_reason)}）"
        if ticket.urgent and ticket.urgent_reason
        else ("是" if ticket.urgent else "否")
    )
    rows = [
        ("工单编号", ticket.number),
        ("类型", KIND_LABELS.get(ticket.kind, ticket.kind)),
        ("状态", ticket.status),
        ("紧急", urgent),
        ("渠道", text(ticket.channel)),
        ("登记日期", ticket.filed_on.isoformat()),
        ("登记时间", ticket.created_at),
        ("更新时间", ticket.updated_at),
        ("姓名", text(ticket.name)),
        ("电话", ticket.phone_masked),
        ("企业", text(ticket.firm_name)),
        ("信用代码", ticket.firm_credit_code or "—"),
        ("务工地点", text(ticket.work_site)),
        ("欠薪金额", amount),
        ("欠薪月份", "、".join(ticket.months) or "—"),
        ("欠薪月数", text(ticket.months_count)),
        ("涉及人数", text(ticket.workers)),
        ("情况说明", text(ticket.description)),
        ("回电时间", text(ticket.callback_time)),
        ("查询码", "已发放" if ticket.code_issued else "未发放"),
    ]
    lines = [f"{_pad(label, 10)}{value}" for label, value in rows]
    lines.append("处理记录（北京时间）：")
    if not ticket.events:
        lines.append("  （无）")
    for event in ticket.events:
        line = f"  {event.at}  {mask_text(event.staff)}  {event.from_status or '—'} → {event.to_status}"
        if event.note:
            line += f"  {mask_text(event.note)}"
        lines.append(line)
    return lines


def _print_ticket(ticket, as_json: bool) -> None:
    if as_json:
        print(json.dumps(_masked(ticket.to_dict()), ensure_ascii=False, indent=2))
    else:
        print("\n".join(_ticket_lines(ticket)))


def _print_list(tickets, total: int, args: argparse.Namespace) -> None:
    from bot.text.mask import mask_text

    if args.json:
        payload = {"total": total, "tickets": [ticket.to_dict() for ticket in tickets]}
        print(json.dumps(_masked(payload), ensure_ascii=False, indent=2))
        return
    header = ["工单编号", "类型", "状态", "紧急", "登记日期", "姓名", "电话", "企业"]
    rows = [
        [
            t.number,
            KIND_LABELS.get(t.kind, t.kind),
            t.status,
            "急" if t.urgent else "",
            t.filed_on.isoformat(),
            mask_text(t.name or "—"),
            t.phone_masked,
            mask_text(t.firm_name or "—"),
        ]
        for t in tickets
    ]
    widths = [max(_width(row[i]) for row in [header] + rows) for i in range(len(header))]
    if rows:
        for row in [header] + rows:
            print("  ".join(_pad(cell, width) for cell, width in zip(row, widths)).rstrip())
    if tickets:
        print(f"共 {total} 条，显示 {args.offset + 1}-{args.offset + len(tickets)}")
    elif total:
        print(f"共 {total} 条，本页（--offset {args.offset}）没有工单")
    else:
        print("共 0 条，没有符合条件的工单")


def _complaints(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.complaints.service import ComplaintService, TicketError, normalize_ticket_number
    from bot.store.db import StoreError
    from bot.text.mask import mask_text

    try:
        since = _date_option(args.since, "--since") if args.action == "list" else None
        until = _date_option(args.until, "--until") if args.action == "list" else None
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if since and until and since > until:
        print(f"--since（{since}）晚于 --until（{until}）", file=sys.stderr)
        return 2
    try:
        service = ComplaintService()
        if args.action == "list":
            tickets, total = service.list(
                status=args.status,
                kind=args.kind,
                urgent=True if args.urgent else None,
                since=since,
                until=until,
                firm=args.firm,
                limit=args.limit,
                offset=args.offset,
            )
            _print_list(tickets, total, args)
            return 0
        if args.action == "show":
            ticket = service.get(args.number)
            if ticket is None:
                print(mask_text(f"没有工单 {args.number.strip()}"), file=sys.stderr)
                return 1
        elif args.action == "reset-code":
            code = service.reset_code(args.number, args.staff)
            print(
                f"工单 {normalize_ticket_number(args.number) or args.number} 的新查询码：{code}\n"
                "只显示这一次，请告知已核实身份的来电人；旧查询码已失效，自助查询的锁定已解除。"
            )
            return 0
        else:
            ticket = service.update(args.number, args.staff, status=args.status, note=args.note)
    except TicketError as exc:
        print(mask_text(str(exc)), file=sys.stderr)
        return 2
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:  # its text may hold the SQL parameters (phones): not printed
        print(f"无法访问工单数据库（{type(exc).__name__}），请检查 DATABASE_URL", file=sys.stderr)
        return 1
    _print_ticket(ticket, args.json)
    return 0


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # closed
        return False


def _staff(args: argparse.Namespace) -> int:
    import getpass
    import secrets

    from bot.console.staff import StaffError, StaffService
    from bot.store.db import StoreError

    try:
        service = StaffService()
        if args.action == "list":
            for member in service.members():
                print(f"{member.name}\t{member.role_label}（{member.role}）")
            return 0
        if not args.name or not args.role:
            print("用法：bot staff add 姓名 --role agent|supervisor", file=sys.stderr)
            return 2
        if args.if_none and service.count():
            print("已有控制台账号，未新建")
            return 0
        if args.generate_password or args.if_none:
            password = secrets.token_urlsafe(12)
        elif args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        elif not _stdin_is_terminal():
            print(
                "没有终端可输入密码：请加 --password-stdin（从标准输入读密码）或 --generate-password（自动生成）",
                file=sys.stderr,
            )
            return 2
        else:
            password = getpass.getpass("密码（至少8位）：")
            if getpass.getpass("再输入一次：") != password:
                print("两次输入的密码不一致", file=sys.stderr)
                return 2
        member = service.add(args.name, args.role, password)
    except StaffError as exc:
        print(exc, file=sys.stderr)
        return 2
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已创建账号：{member.name}（{member.role_label}）")
    if args.generate_password or args.if_none:
        print(f"初始密码：{password}  （只显示这一次，请妥善保管）")
    return 0


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


def _wechat(args: argparse.Namespace) -> int:
    """The menu is checked before anything is sent: WeChat refuses a whole menu for one name a byte
    too long and says only "errcode 40018"."""
    import asyncio
    import os

    import aiohttp

    from bot.channels.wechat_api import WeChatApi, WeChatApiError
    from bot.channels.wechat_menu import MENU_FILE, MenuError, load_menu, menu_for_api, validate_menu

    path = Path(args.file) if args.file else MENU_FILE
    try:
        body = menu_for_api(validate_menu(load_menu(path)))
    except (OSError, ValueError, KeyError) as exc:  # MenuError and bad JSON are ValueErrors
        kind = "菜单不符合微信的要求" if isinstance(exc, MenuError) else "菜单文件无法读取"
        print(f"{kind}（{path}）：{exc}", file=sys.stderr)
        return 1
    if args.print:
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    app_id, secret = os.environ.get("WECHAT_APPID", "").strip(), os.environ.get("WECHAT_SECRET", "").strip()
    if not (app_id and secret):
        print("发布菜单需要 WECHAT_APPID 和 WECHAT_SECRET", file=sys.stderr)
        return 2
    base = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")

    async def push() -> None:
        api = WeChatApi(base, app_id, secret)
        try:
            await api.create_menu(body)
        finally:
            await api.close()

    try:
        asyncio.run(push())
    except (WeChatApiError, aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        print(f"菜单发布失败：{exc}", file=sys.stderr)
        return 1
    print(f"菜单已发布（{len(body['button'])} 个一级菜单），微信客户端几分钟内生效")
    return 0


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bot", description="稳岗留工政策助手 command line")
    sub = parser.add_subparsers(dest="command", required=True)
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
    complaints = sub.add_parser("complaints", help="the complaint and callback tickets: list, show, update, reset-code")
    actions = complaints.add_subparsers(dest="action", required=True)
    statuses = "已受理、处理中、已办结、已转办"
    listing = actions.add_parser("list", help="the tickets, newest first, a page at a time")
    listing.add_argument("--status", help=statuses)
    listing.add_argument("--kind", choices=["complaint", "callback"])
    listing.add_argument("--urgent", action="store_true", help="only the urgent tickets")
    listing.add_argument("--since", help="filed on or after YYYY-MM-DD")
    listing.add_argument("--until", help="filed on or before YYYY-MM-DD")
    listing.add_argument("--firm", help="part of the firm's name, or its credit code")
    listing.add_argument("--limit", type=_count_option(1, 500), default=50, help="page size, 1-500 (default 50)")
    listing.add_argument("--offset", type=_count_option(0, 10**9), default=0, help="tickets to skip (default 0)")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    show = actions.add_parser("show", help="one ticket with its audit trail")
    show.add_argument("number", help="e.g. QX-20230115-0007 (qx20230115-0007 works too)")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    change = actions.add_parser("update", help="change the status and/or add a note")
    change.add_argument("number", help="e.g. QX-20230115-0007")
    change.add_argument("--staff", required=True, help="经办人 (who makes the change)")
    change.add_argument("--status", help=statuses)
    change.add_argument("--note", help="备注")
    change.add_argument("--json", action="store_true", help="machine-readable output")
    code = actions.add_parser("reset-code", help="a new 查询码 for a verified caller, printed once")
    code.add_argument("number", help="e.g. QX-20230115-0007")
    code.add_argument("--staff", required=True, help="经办人 (who checked the caller's identity)")
    complaints.set_defaults(run=_complaints)
    staff = sub.add_parser("staff", help="console accounts: add, list")
    staff.add_argument("action", choices=["add", "list"])
    staff.add_argument("name", nargs="?", help="add: the person's name (their login)")
    staff.add_argument("--role", choices=["agent", "supervisor"], help="agent (坐席) or supervisor (班长)")
    how = staff.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    how.add_argument("--generate-password", action="store_true", help="make a random password and print it once")
    how.add_argument(
        "--if-none",
        action="store_true",
        help="only when there is no account yet (first start); prints a generated password",
    )
    staff.set_defaults(run=_staff)
    nlu = sub.add_parser("nlu", help="NLU data from the console's review page")
    nlu.add_argument("action", choices=["export-reviewed"])
    nlu.add_argument("--out", default="nlu_data/reviewed.yml", help="where to write (default nlu_data/reviewed.yml)")
    nlu.set_defaults(run=_nlu)
    wechat = sub.add_parser("wechat", help="the WeChat Official Account: its custom menu")
    wechat.add_argument("action", choices=["menu"])
    what = wechat.add_mutually_exclusive_group(required=True)
    what.add_argument("--print", action="store_true", help="check the menu file and print the menu-create body")
    what.add_argument("--push", action="store_true", help="check it and publish it (WECHAT_APPID, WECHAT_SECRET)")
    wechat.add_argument("--file", help="the menu file (default bot/channels/wechat_menu.json)")
    wechat.set_defaults(run=_wechat)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
