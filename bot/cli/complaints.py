"""`bot complaints list|show|update|reset-code`: the complaint and callback tickets, phones masked."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import unicodedata
from typing import Any, List, Optional

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


def register(sub) -> None:
    """Add this group's commands to `sub`, the `bot` parser's subparsers."""
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
