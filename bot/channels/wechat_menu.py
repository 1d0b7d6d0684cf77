"""The Official Account's custom menu (自定义菜单): one file, bot/channels/wechat_menu.json, holds
both what WeChat shows (the menu-create body, `button`) and what each tap means to the bot
(`click_texts`: key → the text read as if the user had typed it), so the two cannot drift apart.

`validate_menu` checks WeChat's limits before anything is pushed: WeChat refuses a whole menu for
one name a byte too long, and says so only with an errcode.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

MENU_FILE = Path(__file__).with_name("wechat_menu.json")
MAX_TOP_BUTTONS = 3
MAX_SUB_BUTTONS = 5
MAX_TOP_NAME_BYTES = 16
MAX_SUB_NAME_BYTES = 60
MAX_KEY_BYTES = 128
# Button types of the menu-create API; "click" and "view" are the ones this menu uses.
BUTTON_TYPES = {
    "click",
    "view",
    "miniprogram",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
    "media_id",
    "article_id",
    "article_view_limited",
}
KEYED_TYPES = BUTTON_TYPES - {"view", "miniprogram", "media_id", "article_id", "article_view_limited"}


class MenuError(ValueError):
    pass


def load_menu(path: Optional[Path] = None) -> Dict[str, Any]:
    """The menu file as it is (comment and click_texts included)."""
    return json.loads(Path(path or MENU_FILE).read_text(encoding="utf-8"))


def menu_for_api(menu: Dict[str, Any]) -> Dict[str, Any]:
    """The body of /cgi-bin/menu/create: only `button`, none of our own fields."""
    return {"button": menu["button"]}


def _bytes(text: Any) -> int:
    return len(str(text).encode("utf-8"))


def _leaf_problems(button: Dict[str, Any], where: str, name_limit: int) -> List[str]:
    problems = []
    name, kind = button.get("name", ""), button.get("type")
    if not name or _bytes(name) > name_limit:
        problems.append(f"{where}: name {name!r} must be 1-{name_limit} bytes (is {_bytes(name)})")
    if kind not in BUTTON_TYPES:
        problems.append(f"{where}: unknown type {kind!r}")
    if kind in KEYED_TYPES and not (0 < _bytes(button.get("key", "")) <= MAX_KEY_BYTES):
        problems.append(f"{where}: key must be 1-{MAX_KEY_BYTES} bytes")
    if kind == "view" and not str(button.get("url", "")).startswith(("http://", "https://")):
        problems.append(f"{where}: a view button needs an http(s) url")
    return problems


def menu_problems(menu: Dict[str, Any]) -> List[str]:
    """Every way the menu breaks WeChat's menu-create rules or our click_texts; [] when valid."""
    buttons = menu.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_TOP_BUTTONS:
        return [f"button: 1-{MAX_TOP_BUTTONS} top-level buttons required"]
    problems: List[str] = []
    for i, button in enumerate(buttons):
        where = f"button[{i}]"
        subs = button.get("sub_button")
        if subs is None:
            problems += _leaf_problems(button, where, MAX_TOP_NAME_BYTES)
            continue
        name = button.get("name", "")
        if not name or _bytes(name) > MAX_TOP_NAME_BYTES:
            problems.append(f"{where}: name {name!r} must be 1-{MAX_TOP_NAME_BYTES} bytes (is {_bytes(name)})")
        if not isinstance(subs, list) or not 1 <= len(subs) <= MAX_SUB_BUTTONS:
            problems.append(f"{where}: 1-{MAX_SUB_BUTTONS} sub_button required")
            continue
        for j, sub in enumerate(subs):
            if "sub_button" in sub:
                problems.append(f"{where}.sub_button[{j}]: menus are two levels deep at most")
            problems += _leaf_problems(sub, f"{where}.sub_button[{j}]", MAX_SUB_NAME_BYTES)
    keys = click_keys(menu)
    if len(set(keys)) != len(keys):
        problems.append("the same click key is used twice")
    texts = menu.get("click_texts") or {}
    problems += [f"click key {k} has no click_texts entry" for k in keys if not str(texts.get(k, "")).strip()]
    problems += [f"click_texts has {k}, which no button sends" for k in texts if k not in keys]
    return problems


def validate_menu(menu: Dict[str, Any]) -> Dict[str, Any]:
    problems = menu_problems(menu)
    if problems:
        raise MenuError("; ".join(problems))
    return menu


def click_keys(menu: Dict[str, Any]) -> List[str]:
    """The keys of every click button, in menu order."""
    leaves = []
    for button in menu.get("button") or []:
        leaves += button.get("sub_button") or [button]
    return [leaf["key"] for leaf in leaves if leaf.get("type") == "click" and leaf.get("key")]


def click_texts(path: Optional[Path] = None) -> Dict[str, str]:
    """Menu key → the text the bot reads for a tap on it."""
    return dict(load_menu(path).get("click_texts") or {})
