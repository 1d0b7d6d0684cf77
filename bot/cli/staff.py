"""`bot staff add|list`: the console's accounts."""

from __future__ import annotations

import argparse
import sys


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


def register(sub) -> None:
    """Add this group's commands to `sub`, the `bot` parser's subparsers."""
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
