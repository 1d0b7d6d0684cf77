"""`bot wechat menu --print|--push`: the Official Account's custom menu."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


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


def register(sub) -> None:
    """Add this group's commands to `sub`, the `bot` parser's subparsers."""
    wechat = sub.add_parser("wechat", help="the WeChat Official Account: its custom menu")
    wechat.add_argument("action", choices=["menu"])
    what = wechat.add_mutually_exclusive_group(required=True)
    what.add_argument("--print", action="store_true", help="check the menu file and print the menu-create body")
    what.add_argument("--push", action="store_true", help="check it and publish it (WECHAT_APPID, WECHAT_SECRET)")
    wechat.add_argument("--file", help="the menu file (default bot/channels/wechat_menu.json)")
    wechat.set_defaults(run=_wechat)
