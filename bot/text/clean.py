"""One sanitiser for what users send on every channel (REST, WeChat), before Rasa sees it.

`clean_user_text(text)`:
- drops what is not text: lone surrogates, noncharacters (U+FDD0–FDEF, U+xFFFE/xFFFF), C0 and C1
  control characters, format characters (zero-width spaces and joiners, bidi overrides, BOM, tags);
  tabs, newlines and other whitespace become one space; runs of more than MAX_MARKS combining marks
  are cut (no "zalgo" towers);
- NFC-normalises (traditional characters, emoji and full-width forms stay as typed: the NLU
  pipeline's own normaliser handles those);
- cuts the text to MAX_CHARS (1000) characters: a question never needs more, and every parser
  downstream stays fast;
- turns "<" and ">" into "＜" and "＞", so no markup travels back in a reply that quotes the user;
- removes leading slashes ("/" and the full-width "／", which the NLU normaliser turns back into
  "/"): Rasa executes a message starting with "/" as an intent shortcut ("/restart",
  '/intent{"slot": …}'); from a user it is plain text.

It never raises: anything that is not a string is "". A message that is empty after cleaning is
answered with UNREADABLE_REPLY by the channel, without going to Rasa.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List

MAX_CHARS = 1000
MAX_MARKS = 3  # combining marks kept after one base character
_RAW_LIMIT = 20 * MAX_CHARS  # read no further: enough for any run of invisible characters before text
UNREADABLE_REPLY = "没看清您的消息，请用文字再说一遍。"

_SPACES = re.compile(r"\s+")
_SHORTCUT_PREFIX = re.compile(r"^[/／\s]+")
_MARKUP = str.maketrans({"<": "＜", ">": "＞"})


def _dropped(char: str) -> bool:
    code = ord(char)
    if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
        return True  # noncharacters
    return unicodedata.category(char) in ("Cs", "Cc", "Cf")


def clean_user_text(text: Any) -> str:
    """The text a user typed, safe to hand to Rasa and to quote back (see the module docstring)."""
    if not isinstance(text, str):
        return ""
    kept: List[str] = []
    marks = 0
    for char in text[:_RAW_LIMIT]:
        if char.isspace():
            kept.append(" ")
            marks = 0
        elif _dropped(char):
            continue
        elif unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me"):
            marks += 1
            if marks <= MAX_MARKS:
                kept.append(char)
        else:
            kept.append(char)
            marks = 0
    cleaned = unicodedata.normalize("NFC", "".join(kept))
    cleaned = _SHORTCUT_PREFIX.sub("", _SPACES.sub(" ", cleaned))
    return cleaned[:MAX_CHARS].rstrip().translate(_MARKUP)


def safe_reply_text(text: Any) -> Any:
    """A bot message's text with "<" and ">" made full-width: never markup, whatever it quotes."""
    return text.translate(_MARKUP) if isinstance(text, str) else text


def safe_bot_messages(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Rasa's collected bot messages with every "text" passed through safe_reply_text."""
    return [{**m, "text": safe_reply_text(m["text"])} if isinstance(m, dict) and "text" in m else m for m in messages]
