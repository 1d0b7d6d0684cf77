"""Mask personal data (ID numbers, mobile phones) in anything shown, stored or logged.

`mask_text(text)` is the one masking function: the tracker store, the replies that quote a user,
the staff console and every log line of every process (bot/logsafe.py) go through it. It finds

- mainland mobile numbers, 11 digits 1[3-9]…, optionally after +86, 0086 or 86 (in brackets too):
  "电话180-2992-4946" → "电话180****4946", "+86 182 9672 4934" → "+86 182****4934";
- 18-character ID numbers (17 digits and a digit or X; when spelled in groups, with a birth date
  in the middle): "410102-19870707-1437" → "410102********1437";
- 15-digit ID numbers of the old format (with a valid month and day): "410102870707143" → "410102*****7143";
- mobile and ID numbers in Chinese numerals: "幺八零二九九二四九四六" → "幺八零****四九四六", and in
  digits and numerals mixed, as voice-to-text writes them: "139一二三四五六七八" → "139****五六七八";

however they are spelled: ASCII, full-width or any other decimal digits, "X"/"x"/"Ｘ", up to three
separators between two digits (any white space incl. U+3000 and NBSP, hyphens and dashes, dots,
middle dots, underscores, slashes, "+", brackets: "(136)1622-5199"), invisible characters
anywhere (zero-width, bidi marks and overrides, soft hyphen, BOM, combining marks, other format
characters), and escaped as logs and JSON write them ("\\u200b", "\\uff11", "\\xa0", URL
"%E2%80%8B"). The rest of the text is left exactly as it was. Dates, amounts, ticket numbers
(QX-20230115-0007), landlines (0580-5081234) and hotlines (12333) are not personal data and stay as they are.

A number glued to more digits ("180299249461", 12 digits) is not a phone; digits joined by an
invisible character are one number. Masking twice changes nothing.
"""

from __future__ import annotations

import codecs
import itertools
import json
import logging
import re
import unicodedata
from typing import Any, Callable, List, Optional, Tuple

# ---- spellings ---------------------------------------------------------------------------------

# Separators that may stand between two digits of one number (at most _MAX_GAP in a row).
_SEPARATOR_CHARS = "-‐‑‒–—―−－﹣﹘⁃.·。．・･‧•∙⋅_＿/／+()（）[]【】"
_MAX_GAP = 3
_GAP = rf"[\s{re.escape(_SEPARATOR_CHARS)}]{{0,{_MAX_GAP}}}"
_CHINESE_DIGITS = "零〇一二三四五六七八九幺"
# Visible but empty: Hangul fillers and the braille blank are used to hide text like U+200B.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Cc"})


def _digits(count: int, first: str = "[0-9]") -> str:
    """`count` digits, the first one `first`, with a gap allowed between any two."""
    return first + rf"(?:{_GAP}[0-9]){{{count - 1}}}"


_MONTH = rf"(?:0{_GAP}[1-9]|1{_GAP}[0-2])"
_DAY = rf"(?:0{_GAP}[1-9]|[12]{_GAP}[0-9]|3{_GAP}[01])"
_BIRTH_DATE = rf"(?:1{_GAP}[89]|2{_GAP}0){_GAP}[0-9]{_GAP}[0-9]{_GAP}{_MONTH}{_GAP}{_DAY}"
# 18 digits in a row are an ID number whatever they hold (a mistyped one too); spelled in groups,
# only with a birth date in the middle: "180 2992 4946 182 9672 4934" is two phones.
_ID18 = (
    rf"(?<![0-9])(?:[0-9]{{17}}[0-9Xx]|{_digits(6)}{_GAP}{_BIRTH_DATE}{_GAP}{_digits(3)}{_GAP}[0-9Xx])"
    rf"(?![0-9])"
)
_ID15 = rf"(?<![0-9]){_digits(8, '[1-8]')}{_GAP}{_MONTH}{_GAP}{_DAY}{_GAP}{_digits(3)}(?![0-9])"
_COUNTRY = r"(?<![0-9])(?:[(\[（【]\s?)?(?:\+|00)?86(?:\s?[)\]）】])?"
_MOBILE = (
    rf"(?:(?P<country>{_COUNTRY}){_GAP}|(?<![0-9]))"
    rf"(?P<mobile>1{_GAP}[3-9](?:{_GAP}[0-9]){{9}})(?![0-9])"
)
# Chinese numerals, mixed with digits too ("139一二三四五六七八": voice-to-text does that); all-digit
# spellings are matched by the patterns above first.
# Voice-to-text puts commas between the groups a number is read out in ("一三九，一二三四，五六七八"),
# so these spellings allow commas and enumeration commas between digits too; a spoken X is 叉.
_CN = f"[0-9{_CHINESE_DIGITS}]"
_CN_GAP = rf"[\s,，、{re.escape(_SEPARATOR_CHARS)}]{{0,{_MAX_GAP}}}"
_CN_MOBILE = (
    rf"(?<![0-9{_CHINESE_DIGITS}])[1一幺]{_CN_GAP}[3-9三四五六七八九](?:{_CN_GAP}{_CN}){{9}}"
    rf"(?![0-9{_CHINESE_DIGITS}])"
)
_CN_ID18 = (
    rf"(?<![0-9{_CHINESE_DIGITS}]){_CN}(?:{_CN_GAP}{_CN}){{16}}{_CN_GAP}(?:{_CN}|[Xx叉])"
    rf"(?![0-9{_CHINESE_DIGITS}])"
)

# One pattern, applied to the text as _Reading reads it (ASCII digits, no invisible characters);
# the lookahead first skips, quickly, every place where none of them can start.
PERSONAL_NUMBER = re.compile(
    rf"(?=[0-9(\[（【+{_CHINESE_DIGITS}])(?:(?P<id18>{_ID18})|(?P<id15>{_ID15})"
    rf"|(?P<phone>{_MOBILE})|(?P<cn_id18>{_CN_ID18})|(?P<cn_mobile>{_CN_MOBILE}))"
)
_GROUP_START = re.compile(r"(?<![0-9])[0-9]")

# Escapes that logs, repr() and JSON write: "\u200b", "\\uff11", "\xa0", "\U0001d7cf", and URL
# escapes (only white space, separators and non-ASCII characters are read from those).
_ESCAPE = re.compile(r"\\+(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2})|(?:%[0-9A-Fa-f]{2})+")
_URL_DECODED = frozenset(" +-./_\t\n")
# A text of printable ASCII without escapes is read as it is; anything else is cleaned first.
_NEEDS_CLEANING = re.compile(r"[^\t-\r\x1c-\x7e]|[\\%]")
# Characters _canonical() returns as they are: printable ASCII, CJK ideographs, common punctuation.
_AS_IS = re.compile(
    r"[\t\n\r\x20-\x24\x26-\x5b\x5d-\x7e\u2018-\u201f\u3000-\u3029\u4e00-\u9fff"
    r"\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f]+"
)
_DIGITISH = re.compile(rf"[\d{_CHINESE_DIGITS}]")
_MIN_DIGITS = 11


def _canonical(char: str) -> Optional[str]:
    """The character as the patterns read it: None for an invisible one, "0"-"9" for any digit."""
    if " " <= char <= "~" or char in _CHINESE_DIGITS:
        return char
    category = unicodedata.category(char)
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if (category in _INVISIBLE_CATEGORIES and not char.isspace()) or char in _BLANK_LETTERS:
        return None
    if char in "Ｘｘ＋":
        return unicodedata.normalize("NFKC", char)
    return char


def may_be_in_number(char: str) -> bool:
    """Whether `char` could be part of a number's spelling (a digit, a separator, an invisible
    character, or a letter or sign of an escape): where text may be cut without splitting one."""
    seen = _canonical(char)
    return (
        seen is None
        or seen.isspace()
        or seen in _SEPARATOR_CHARS
        or seen in _CHINESE_DIGITS
        or seen in "\\%"
        or (seen.isascii() and seen.isalnum())
    )


class _Reading:
    """The text as the patterns read it, each character with the span of the text it came from."""

    def __init__(self, text: str):
        self.chars: List[str] = []
        self.starts: List[int] = []
        self.ends: List[int] = []
        position = 0
        for escape in _ESCAPE.finditer(text):
            self._plain(text, position, escape.start())
            if escape.group().startswith("%"):
                self._url_escapes(text, escape.start(), escape.end())
            else:
                code = int(escape.group().lstrip("\\")[1:], 16)
                if code <= 0x10FFFF:
                    self._add(chr(code), escape.start(), escape.end())
                else:
                    self._plain(text, escape.start(), escape.end())
            position = escape.end()
        self._plain(text, position, len(text))
        self.text = "".join(self.chars)

    def _add(self, char: str, start: int, end: int) -> None:
        seen = _canonical(char)
        if seen is not None:
            self.chars.append(seen)
            self.starts.append(start)
            self.ends.append(end)

    def _plain(self, text: str, start: int, end: int) -> None:
        position = start
        for run in _AS_IS.finditer(text, start, end):  # most of a text: taken in one go
            for index in range(position, run.start()):
                self._add(text[index], index, index + 1)
            self.chars.append(run.group())
            self.starts.extend(range(run.start(), run.end()))
            self.ends.extend(range(run.start() + 1, run.end() + 1))
            position = run.end()
        for index in range(position, end):
            self._add(text[index], index, index + 1)

    def _url_escapes(self, text: str, start: int, end: int) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")()
        char_start = start
        for byte_start in range(start, end, 3):
            byte_end = byte_start + 3
            try:
                decoded = decoder.decode(bytes([int(text[byte_start + 1 : byte_end], 16)]))
            except UnicodeDecodeError:  # not UTF-8: the escapes stay as they were written
                decoder = codecs.getincrementaldecoder("utf-8")()
                decoded = None
            if decoded == "":  # inside a multi-byte character
                continue
            if decoded is None or (decoded.isascii() and decoded not in _URL_DECODED):  # "%31" too
                self._plain(text, char_start, byte_end)
            else:
                for char in decoded:
                    self._add(char, char_start, byte_end)
            char_start = byte_end
        self._plain(text, char_start, end)


def _masked(match: re.Match) -> str:
    """What replaces one number: its first and last digits, stars between, nothing else."""
    if match.group("phone") is not None:
        digits = re.sub(r"[^0-9]", "", match.group("mobile"))
        country = match.group("country")
        lead = re.sub(r"\s", "", country) + " " if country else ""
        return lead + digits[:3] + "****" + digits[-4:]
    if match.group("cn_mobile") is not None:
        digits = re.sub(f"[^0-9{_CHINESE_DIGITS}]", "", match.group())
        return digits[:3] + "****" + digits[-4:]
    if match.group("cn_id18") is not None:
        return mask_id_number(re.sub(f"[^0-9{_CHINESE_DIGITS}Xx叉]", "", match.group()))
    return mask_id_number(re.sub(r"[^0-9Xx]", "", match.group()))


_SPOKEN_MARK = re.compile(f"[{_CHINESE_DIGITS}叉]")


# The project's own ticket numbers (bot/complaints): never personal data, and never the start of
# an ID number. "QX-20230120-0001（2023-01-20登记）" spells 202301 2000-01-20 2301 in groups.
_TICKET = re.compile(r"(?<![A-Za-z0-9])(?:QX|HD)-[0-9]{8}-[0-9]{4}(?![0-9])")


def _usable(match: re.Match, tickets: List[Tuple[int, int]]) -> bool:
    """Whether a match is a number to mask. Not when it starts inside a ticket number. An
    18-character run of Arabic digits only is an ID number by the strict pattern (a birth date in
    the middle when spelled in groups) or not at all: the loose spoken pattern counts only with a
    Chinese numeral or 叉 in it."""
    if any(start <= match.start() < end for start, end in tickets):
        return False
    return match.group("cn_id18") is None or bool(_SPOKEN_MARK.search(match.group()))


def _numbers(text: str) -> List[Tuple[int, int, str]]:
    """(start, end, replacement) of every number in `text` as _Reading reads it. Where two overlap
    (in "2023-01-15 410 102 198 707 071 437" a phone "15 410 102 198" starts in the date and ends
    inside the ID number), both are masked as one, its first 3 and last 4 digits kept."""
    found: List[Tuple[int, int, str]] = []

    def add(match: re.Match) -> None:
        if found and match.end() <= found[-1][1]:  # inside the last one
            return
        if found and match.start() < found[-1][1]:
            start = found[-1][0]
            digits = re.sub(f"[^0-9Xx{_CHINESE_DIGITS}]", "", text[start : match.end()])
            found[-1] = (start, match.end(), digits[:3] + "*" * (len(digits) - 7) + digits[-4:])
        else:
            found.append((match.start(), match.end(), _masked(match)))

    tickets = [m.span() for m in _TICKET.finditer(text)]
    for match in PERSONAL_NUMBER.finditer(text):
        if _usable(match, tickets):
            add(match)
        # A number spelled in groups: another one may start at any of its groups.
        for group in _GROUP_START.finditer(text, match.start() + 1, match.end()):
            inner = PERSONAL_NUMBER.match(text, group.start())
            if inner and _usable(inner, tickets):
                add(inner)
    return found


def mask_text(text: str) -> str:
    """Every ID number and mobile number in `text`, however spelled, masked (see the module doc)."""
    if not isinstance(text, str) or len(text) < _MIN_DIGITS:
        return text
    if sum(1 for _ in itertools.islice(_DIGITISH.finditer(text), _MIN_DIGITS)) < _MIN_DIGITS:
        return text
    reading = _Reading(text) if _NEEDS_CLEANING.search(text) else None
    numbers = _numbers(reading.text if reading else text)
    if not numbers:
        return text
    pieces, position = [], 0
    for start, end, replacement in numbers:
        if reading:
            start, end = reading.starts[start], reading.ends[end - 1]
        pieces += [text[position:start], replacement]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def mask_data(value: Any, mask: Optional[Callable[[str], str]] = None) -> Any:
    """Every string inside a JSON-like structure masked (by `mask`, mask_text by default), dict keys
    too; a number that holds a phone or an ID (a slot could) becomes its masked string. Anything
    else is returned as it is."""
    mask = mask or mask_text
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {mask_data(k, mask): mask_data(v, mask) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_data(v, mask) for v in value]
    if isinstance(value, tuple):
        return tuple(mask_data(v, mask) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 10**10:
        text = json.dumps(value)
        masked = mask(text)
        return masked if masked != text else value
    return value


# A ticket's 查询码 is shown once, in the receipt, and typed back by its owner: what is kept of a
# conversation (the tracker store) has it masked as well. Replies are not masked this way.
ACCESS_CODE = re.compile(r"(查询码[^0-9０-９]{0,6})[0-9０-９]{6}(?![0-9０-９])")


def mask_for_storage(text: str) -> str:
    """mask_text, and a 查询码 after its label: "查询码：483920" → "查询码：******"."""
    return ACCESS_CODE.sub(lambda m: m.group(1) + "******", mask_text(text))


# ---- single values -------------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """330922199001011234 → 330922********1234"""
    value = value.strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13912345678 → 139****5678"""
    value = re.sub(r"\D", "", value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """王大力 → 王**"""
    return value[:1] + "*" * (len(value) - 1)


# ---- logging -------------------------------------------------------------------------------------

# Attributes every LogRecord has; any other string attribute came from `extra=` and is masked.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_format_exception: Callable[[Any], str] = logging.Formatter().formatException


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message, exception text, stack and `extra=` strings masked (in place).
    Unchanged records keep their msg and args as they were."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the logger's problem, not ours
        message = None
    if message is not None:
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    elif record.exc_info:  # formatted here only when that masks something
        try:
            text = _format_exception(record.exc_info)
        except Exception:
            text = None
        masked = mask_text(text) if text is not None else None
        if masked != text:
            record.exc_text = masked
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    for name, value in list(vars(record).items()):
        if name not in _RECORD_ATTRIBUTES and isinstance(value, str):
            setattr(record, name, mask_text(value))
    return record


class MaskingFilter(logging.Filter):
    """A logging filter that masks ID numbers and phones in every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def add_masking_filter(filterer: logging.Filterer) -> None:
    """A MaskingFilter on a logger or handler, unless it has one."""
    if not any(isinstance(f, MaskingFilter) for f in filterer.filters):
        filterer.addFilter(MaskingFilter())


def install_masking_filter(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of `logger` (root by default)."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        add_masking_filter(handler)
    add_masking_filter(logger)
