"""Deterministic fuzz traffic for the live stack: `generate(count, seed)` → a Plan of `count`
REST requests, the same for the same arguments (random.Random(seed) only).

Conversations (several turns, one sender each) in users' own words — policy questions, wage-arrears
complaints with name/phone/employer/amount, callbacks, status checks with ticket numbers,
eligibility checks with ID numbers — mixed with hostile variants: phones and ID numbers in many
spellings (SPELLINGS), lone surrogates, control characters, ANSI escapes, zero-width runs, 10k-char
messages, 40-digit amounts, 5,000-digit counts, "1e400", intent shortcuts ("/restart",
"/inform{…}") that try to set slots, HTML, SQL-ish text, emoji, traditional characters and
format-string tokens; malformed bodies (MALFORMED); requests without or with a wrong bearer token.

Every phone and ID number a request carries is recorded (Request.pii, Plan.pii) in its canonical
form (11 or 18 characters, ID check character upper-case), so the checker can look for it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from bot.identifiers import id_number_check_char

# ---- requests -------------------------------------------------------------------------------------

WELL_FORMED = "message"  # the category prefix of a valid body with a string message
AUTH_KINDS = ("none", "wrong")


@dataclass(frozen=True)
class Request:
    """One POST to /webhooks/rest/webhook."""

    conversation: int  # its conversation's place in the plan
    turn: int  # 0-based within the conversation
    category: str  # "message:policy", "message:hostile:surrogate", "malformed:json_array", "auth:none", …
    payload: Any = None  # JSON-encoded as the body (its "sender" gets the run's prefix)
    raw: Optional[bytes] = None  # the body as is, instead of payload
    content_type: str = "application/json"
    stream: bool = False  # ?stream=true
    auth: str = "token"  # "token" (the stack's bearer token), "none" or "wrong"
    pii: Tuple[str, ...] = ()  # canonical phones / ID numbers in the message
    spelling: str = ""  # how they were spelled (SPELLINGS key)
    injected: Optional[Dict[str, Any]] = None  # the JSON payload of a "/intent{…}" message

    @property
    def sender(self) -> Optional[str]:
        return self.payload.get("sender") if isinstance(self.payload, dict) else None

    @property
    def message(self) -> Any:
        return self.payload.get("message") if isinstance(self.payload, dict) else None

    @property
    def well_formed(self) -> bool:
        """A valid body whose message is a string, sent with the token: it must get a text reply."""
        return self.category.startswith(WELL_FORMED) and self.auth == "token"

    def body(self, prefix: str = "") -> bytes:
        if self.raw is not None:
            return self.raw
        payload = self.payload
        if isinstance(payload, dict) and isinstance(payload.get("sender"), str):
            payload = {**payload, "sender": prefix + payload["sender"]}
        try:
            return json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: sent as its "\\ud800" escape
            return json.dumps(payload).encode("ascii")


@dataclass
class Plan:
    seed: int
    requests: List[Request] = field(default_factory=list)

    @property
    def pii(self) -> Tuple[str, ...]:
        return tuple(sorted({value for r in self.requests for value in r.pii}))

    def spellings_of(self) -> Dict[str, List[str]]:
        """{canonical value: the spellings it was sent in}."""
        found: Dict[str, List[str]] = {}
        for r in self.requests:
            for value in r.pii:
                found.setdefault(value, [])
                if r.spelling not in found[value]:
                    found[value].append(r.spelling)
        return found

    @property
    def categories(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for r in self.requests:
            counts[r.category] = counts.get(r.category, 0) + 1
        return counts


# ---- personal data ------------------------------------------------------------------------------

COUNTIES = ("520101", "510104", "341202", "410102", "430102", "360102", "500101", "420102", "330922", "330902")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗"
GIVEN = ("大力", "秀英", "建国", "小红", "志强", "海燕", "伟", "芳", "军", "丽", "磊", "洋", "婷", "勇", "娟")
EMPLOYERS = (
    "嵊泗某水产公司",
    "菜园镇海鲜加工厂",
    "嵊泗县宏达建筑工程有限公司",
    "舟山某渔业合作社",
    "南京鑫源电子厂",
    "苏州某物流公司",
    "无锡恒通机械厂",
    "嵊泗海景酒店",
    "江苏某建筑劳务公司",
)
SITES = ("菜园镇的码头", "五龙乡工地", "洋山镇的冷库", "嵊泗中心渔港", "苏州工业园区三期工地", "南京江宁的厂房")


def mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def id_number(rng: random.Random, check: Optional[str] = None) -> str:
    """A valid GB 11643 number (real county code, birth 1960–2002, correct check character);
    `check` asks for that check character (e.g. "X")."""
    while True:
        year, month, day = rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28)
        first17 = f"{rng.choice(COUNTIES)}{year:04d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
        value = first17 + id_number_check_char(first17)
        if check is None or value[-1] == check:
            return value


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
FULLWIDTH["X"] = "Ｘ"
CHINESE_DIGITS = "〇一二三四五六七八九"
GROUPS = {11: (3, 4, 4), 18: (6, 8, 4)}


def _groups(value: str) -> List[str]:
    parts, start = [], 0
    for size in GROUPS[len(value)]:
        parts.append(value[start : start + size])
        start += size
    return parts


def _joined(separator: str) -> Callable[[str, random.Random], str]:
    return lambda value, rng: separator.join(_groups(value))


def _every_digit(separator: str) -> Callable[[str, random.Random], str]:
    return lambda value, rng: separator.join(value)


def _chinese(value: str, rng: random.Random) -> str:
    return "".join((rng.choice("一幺") if c == "1" else CHINESE_DIGITS[int(c)]) if c.isdigit() else c for c in value)


def _mixed(value: str, rng: random.Random) -> str:
    """Full-width and ASCII digits, invisible characters and hyphens in one number."""
    out = []
    for i, c in enumerate(value):
        out.append(FULLWIDTH[c] if i % 2 else c)
        if i < len(value) - 1:
            out.append(rng.choice(("", "", "-", "\u200b", "\u2060", " ")))
    return "".join(out)


# How users (and attackers) spell a number. Each takes the canonical value and the generator.
SPELLINGS: Dict[str, Callable[[str, random.Random], str]] = {
    "plain": lambda value, rng: value,
    "spaces": _joined(" "),
    "hyphens": _joined("-"),
    "dots": _joined("."),
    "slashes": _joined("/"),
    "fullwidth": lambda value, rng: "".join(FULLWIDTH[c] for c in value),
    "fullwidth_hyphens": lambda value, rng: "－".join("".join(FULLWIDTH[c] for c in g) for g in _groups(value)),
    "every_digit_spaced": _every_digit(" "),
    "zero_width_space": _every_digit("\u200b"),
    "word_joiner": _joined("\u2060"),
    "byte_order_mark": _joined("\ufeff"),
    "bidi_override": _joined("\u202e"),
    "no_break_space": _joined("\u00a0"),
    "ideographic_space": _joined("\u3000"),
    "newline": _joined("\n"),
    "tab": _joined("\t"),
    "chinese_numerals": _chinese,
    "mixed": _mixed,
}
PHONE_SPELLINGS: Dict[str, Callable[[str, random.Random], str]] = {
    "plus86": lambda value, rng: rng.choice(("+86 ", "+86", "+86-", "(+86)")) + value,
    "0086": lambda value, rng: rng.choice(("0086", "0086-", "0086 ")) + value,
    "parentheses": lambda value, rng: f"({value[:3]}){value[3:7]}-{value[7:]}",
    "intent_entity": lambda value, rng: f'/inform{{"phone":"{value}"}}',  # an entity given in an intent shortcut
}
ID_SPELLINGS: Dict[str, Callable[[str, random.Random], str]] = {
    "lowercase_x": lambda value, rng: value.lower(),  # used with an ID whose check character is X
    "birth_date_apart": lambda value, rng: f"{value[:6]} {value[6:10]} {value[10:14]} {value[14:]}",
    "intent_entity": lambda value, rng: f'/check_eligibility{{"id_number":"{value}"}}',
}


def spellings(kind: str) -> Dict[str, Callable[[str, random.Random], str]]:
    return {**SPELLINGS, **(PHONE_SPELLINGS if kind == "phone" else ID_SPELLINGS)}


def _pii_value(rng: random.Random, kind: str, spelling: str) -> str:
    if kind == "phone":
        return mobile(rng)
    return id_number(rng, "X" if spelling == "lowercase_x" else None)


# ---- conversations --------------------------------------------------------------------------------


@dataclass
class Turn:
    message: str
    category: str = "message:realistic"
    pii: Tuple[str, ...] = ()
    spelling: str = ""
    stream: bool = False


def _pii_turn(template: str, rng: random.Random, kind: str, spelling: str, category: str, **fields) -> Turn:
    value = _pii_value(rng, kind, spelling)
    spelled = spellings(kind)[spelling](value, rng)
    return Turn(template.format(pii=spelled, **fields), category, (value,), spelling)


POLICY_QUESTIONS = (
    "嵊泗的留工补助怎么领？",
    "嵊泗消费券现在还能用吗",
    "外卖小哥过年留在嵊泗有补贴吗",
    "嵊泗流量大礼包送多少G",
    "舟山嵊泗公司包车接工人返岗能补多少",
    "嵊泗人力资源公司帮企业招工有奖励吗",
    "江苏的稳岗返还和培训补贴咋申请",
    "上海有没有留工补助",
    "你是机器人吗",
    "今天天气怎么样",
    "过年不回家在嵊泗上班有啥补贴",
    "春节加班工资怎么算",
    "社保减负政策有哪些",
    "找工作去哪里问",
    "生活困难能申请救助吗",
    "消费券怎么领",
    "留工补助谁能领",
    "我是快递员，留在江苏过年有补贴吗",
    "企业包车车费一共6万能补多少",
    "招了300个人能奖励多少",
    "有哪些政策",
    "防疫有什么要求",
    "失业保险降费到什么时候",
    "文旅消费券哪里领",
    "你好",
    "谢谢",
    "再见",
    "人工客服",
)
FOLLOW_UPS = (
    "那怎么领？",
    "那江苏呢",
    "一个人给多少",
    "还能用几天",
    "这条出自哪一条",
    "要啥条件",
    "嵊泗",
    "江苏",
    "社保在老家交的",
    "我们是国企",
    "好的",
    "不是",
    "是的",
)


def _ticket(rng: random.Random) -> str:
    day = rng.choice(("20230120", "20230120", "20230120", "20230115", "20230210"))
    return f"{rng.choice(('QX', 'QX', 'HD'))}-{day}-{rng.randint(1, 12):04d}"


def _amount(rng: random.Random) -> str:
    return rng.choice(("一万二", "8000元", "3个月工资共15000块", "两万", "6500元", "1.2w"))


def complaint_one_message(rng: random.Random, spelling: str) -> List[Turn]:
    return [
        _pii_turn(
            "我叫{who}，电话{pii}，{employer}欠我{months}个月工资一共{amount}",
            rng,
            "phone",
            spelling,
            "message:complaint",
            who=name(rng),
            employer=rng.choice(EMPLOYERS),
            months=rng.choice("二三四"),
            amount=_amount(rng),
        ),
        Turn(f"在{rng.choice(SITES)}上干活", "message:complaint"),
        Turn(rng.choice(("就我1个", "我们5个人", "一共十几个工友")), "message:complaint"),
        Turn(rng.choice(("确认提交", "对的，提交", "没问题")), "message:complaint"),
    ]


def complaint_step_by_step(rng: random.Random, spelling: str) -> List[Turn]:
    return [
        Turn(rng.choice(("老板拖欠我工资，我要投诉", "我要投诉欠薪", "工资被拖欠了三个月怎么办")), "message:complaint"),
        Turn(f"我叫{name(rng)}", "message:complaint"),
        _pii_turn(rng.choice(("{pii}", "手机{pii}", "我的电话是{pii}")), rng, "phone", spelling, "message:complaint"),
        Turn(rng.choice(EMPLOYERS), "message:complaint"),
        Turn(f"在{rng.choice(SITES)}", "message:complaint"),
        Turn(f"欠了{_amount(rng)}", "message:complaint"),
    ]


def callback(rng: random.Random, spelling: str) -> List[Turn]:
    return [
        Turn(rng.choice(("转人工", "我要找真人", "能不能让人给我回个电话")), "message:callback"),
        Turn(rng.choice(("需要回电", "好的，回电吧")), "message:callback"),
        _pii_turn("{pii}", rng, "phone", spelling, "message:callback"),
        Turn(rng.choice(("明天上午", "下午三点以后", "随时都行")), "message:callback"),
    ]


def callback_one_message(rng: random.Random, spelling: str) -> List[Turn]:
    return [
        _pii_turn(
            "请人工给我回个电话，手机{pii}，{when}都行",
            rng,
            "phone",
            spelling,
            "message:callback",
            when=rng.choice(("明天上午", "下午", "晚上七点前")),
        )
    ]


def eligibility(rng: random.Random, spelling: str) -> List[Turn]:
    return [
        Turn(
            rng.choice(("帮我查查我能不能领留工补助", "我是外地户口，帮我看看我符不符合条件", "查一下我能领什么补贴")),
            "message:eligibility",
        ),
        Turn(rng.choice(("同意", "可以", "好的同意")), "message:eligibility"),
        _pii_turn(
            rng.choice(("{pii}", "身份证{pii}", "我的身份证号是{pii}")), rng, "id", spelling, "message:eligibility"
        ),
    ]


def eligibility_one_message(rng: random.Random, spelling: str) -> List[Turn]:
    return [
        _pii_turn("身份证{pii}，我能领留工补助吗", rng, "id", spelling, "message:eligibility"),
        Turn(rng.choice(("同意", "那怎么领？", "谢谢")), "message:eligibility"),
    ]


def identity_message(rng: random.Random, spelling: str) -> List[Turn]:
    phone, person = _pii_value(rng, "phone", spelling), _pii_value(rng, "id", spelling)

    def spell(kind: str, value: str) -> str:
        return spellings(kind).get(spelling, SPELLINGS["plain"])(value, rng)

    text = f"我叫{name(rng)}，电话{spell('phone', phone)}，身份证{spell('id', person)}"
    return [Turn(text, "message:identity", (phone, person), spelling)]


def status_check(rng: random.Random) -> List[Turn]:
    """A ticket number (filed today or not) and one to three wrong codes."""
    ticket = _ticket(rng)
    turns = [
        Turn(
            rng.choice((f"查一下工单{ticket}", f"我的投诉{ticket}处理得怎么样了", "我的投诉处理得怎么样了")),
            "message:status",
        )
    ]
    if "工单" not in turns[0].message and ticket not in turns[0].message:
        spelled = rng.choice((ticket, ticket.lower().replace("-", ""), ticket.replace("-", " ")))
        turns.append(Turn(spelled, "message:status"))
    turns += [Turn(_code_guess(rng), "message:status") for _ in range(rng.randint(1, 3))]
    return turns


def _code_guess(rng: random.Random) -> str:
    """A wrong 查询码 (6 digits), or the last four digits of a phone as the status check once took."""
    if rng.random() < 0.2:
        return f"手机尾号{rng.randint(0, 9999):04d}"
    return rng.choice(("{:06d}", "查询码{:06d}", "查询码是 {:06d}")).format(rng.randint(0, 999_999))


def policy_chat(rng: random.Random) -> List[Turn]:
    turns = [Turn(rng.choice(POLICY_QUESTIONS), "message:policy")]
    for _ in range(rng.randint(1, 3)):
        turns.append(Turn(rng.choice(FOLLOW_UPS + POLICY_QUESTIONS), "message:policy"))
    return turns


PHONE_SCENARIOS = (complaint_one_message, complaint_step_by_step, callback, callback_one_message, identity_message)
ID_SCENARIOS = (eligibility, eligibility_one_message, identity_message)

# ---- hostile messages -----------------------------------------------------------------------------

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def _digits(rng: random.Random, count: int) -> str:
    return rng.choice("123456789") + "".join(rng.choice("0123456789") for _ in range(count - 1))


def _long(rng: random.Random) -> str:
    unit = rng.choice(("嵊泗的留工补助怎么领？", "啊", "欠薪" * 3 + "救命", "ab c"))
    return (unit * (10_000 // len(unit) + 1))[:10_000]


SHORTCUTS = (
    "/restart",
    "/nlu_fallback",
    "/session_start",
    "  /restart",
    "/inform{broken json",
    '/inform{"status_attempts":0}',
    '/inform{"status_attempts":-5,"route":"fuzz_route"}',
    '/check_complaint_status{"status_ticket":"QX-20230120-0001","status_phone4":"0000"}',
    '/complain_wage_arrears{"ticket_number":"QX-20230120-0001"}',
    '/inform{"complaint_confirmed":true,"complaint_outcome":"fuzz_outcome"}',
    '/affirm{"eligibility_consent":true,"eligibility_found":true}',
    '/inform{"benefit":"fuzz_benefit","handoff_offer":true}',
    '/ask_retention_bonus{"region":"fuzz_region","benefit":"fuzz_benefit"}',
    '/inform{"stated":{"fuzz":"injected"}}',
)

# category → variants (each a function of the generator, so long ones are built when chosen)
HOSTILE: Dict[str, Sequence[Callable[[random.Random], str]]] = {
    "surrogate": (
        lambda r: "\ud800",
        lambda r: "嵊泗\udfff消费券还能用吗",
        lambda r: "\udc00\ud800留工补助",
        lambda r: "我叫王\ud83d大力",
    ),
    "control": (
        lambda r: "\x00\x01\x02\x03",
        lambda r: "嵊泗\x07消费券\x08还能用吗\x1b",
        lambda r: "\x7f\x85\x9f留工补助",
        lambda r: "转人工\x00\x00",
    ),
    "ansi": (
        lambda r: "\x1b[31m嵊泗消费券\x1b[0m",
        lambda r: "\x1b]0;pwned\x07留工补助",
        lambda r: "\x1b[2J\x1b[H你好",
    ),
    "zero_width": (
        lambda r: "\u200b" * 50,
        lambda r: ZERO_WIDTH * 20,
        lambda r: "嵊" + "\u200b" * 30 + "泗消费券",
        lambda r: "\u2060\ufeff\u200d",
    ),
    "bidi": (lambda r: "\u202e券费消泗嵊", lambda r: "\u2066留工补助\u2069\u202d"),
    "empty": (lambda r: "", lambda r: "   ", lambda r: "\n\t\r"),
    "long_10k": (_long,),
    "amount_40_digits": (lambda r: f"老板欠我{_digits(r, 40)}元", lambda r: f"车费一共{_digits(r, 40)}块能补多少"),
    "count_5000_digits": (
        lambda r: f"我们公司招了{_digits(r, 5000)}个人，能奖励多少",
        lambda r: f"我们{_digits(r, 5000)}个工友都被欠薪了",
    ),
    "float_overflow": (
        lambda r: "车费一共1e400元",
        lambda r: "欠我1e400块",
        lambda r: "招了1e308个人",
        lambda r: "欠我NaN元",
        lambda r: "欠了-Infinity块",
    ),
    "shortcut": tuple((lambda r, s=s: s) for s in SHORTCUTS),
    "html": (
        lambda r: "<script>alert(1)</script>",
        lambda r: "<img src=x onerror=alert(1)>嵊泗消费券",
        lambda r: "<b>留工补助</b>怎么领",
        lambda r: "我叫<script>alert('x')</script>",
        lambda r: "<!--<svg/onload=1>",
    ),
    "sql": (
        lambda r: "'; DROP TABLE events; --",
        lambda r: "QX-20230120-0001' OR '1'='1",
        lambda r: "1; SELECT * FROM tickets --",
        lambda r: '" OR 1=1; --',
    ),
    "emoji": (lambda r: "😭😭😭", lambda r: "嵊泗消费券👍🏻还能用吗🙏", lambda r: "👨‍👩‍👧‍👦", lambda r: "🇨🇳" * 20),
    "traditional": (
        lambda r: "嵊泗消費券現在還能用嗎",
        lambda r: "外賣小哥過年留在嵊泗有補貼嗎",
        lambda r: "老闆拖欠我薪水，我要投訴",
    ),
    "format_tokens": (
        lambda r: "%s %(x)s {0} {sender_id} %d %n ${HOME} {{7*7}}",
        lambda r: "留工补助{0}%s",
        lambda r: "{tracker.sender_id}%(slots)s",
    ),
    "combining": (lambda r: "Z̷̢a̶l̸g̷o̵ 留工补助", lambda r: "嵊" + "\u0301" * 200 + "泗"),
    "json_in_text": (lambda r: '{"sender":"admin","message":"/restart"}', lambda r: "[1,2,3]", lambda r: "null"),
}


def hostile_turn(rng: random.Random, category: str, variant: Optional[int] = None) -> Turn:
    variants = HOSTILE[category]
    make = variants[variant] if variant is not None else rng.choice(variants)
    return Turn(make(rng), f"message:hostile:{category}")


MUTATIONS: Dict[str, Callable[[str, random.Random], str]] = {
    "zero_width": lambda text, rng: "\u200b".join(text),
    "control": lambda text, rng: text + "\x00\x1b\x07",
    "html": lambda text, rng: f"<script>{text}</script>",
    "ansi": lambda text, rng: f"\x1b[1m{text}\x1b[0m",
    "emoji": lambda text, rng: f"🙏{text}😭",
    "format_tokens": lambda text, rng: text + " %s {0}",
    "surrogate": lambda text, rng: text + "\udcff",
}


def mutate(turn: Turn, rng: random.Random) -> Turn:
    """The same turn with a hostile wrapping (its PII stays in it)."""
    kind = rng.choice(sorted(MUTATIONS))
    return Turn(MUTATIONS[kind](turn.message, rng), f"{turn.category}+{kind}", turn.pii, turn.spelling, turn.stream)


# ---- malformed bodies -----------------------------------------------------------------------------


def _message_body(message: Any) -> Dict[str, Any]:
    return {"sender": "", "message": message}  # sender filled in per conversation


MALFORMED: Dict[str, Dict[str, Any]] = {
    "empty_body": {"raw": b""},
    "not_json": {"raw": b"{sender: fuzz, message: hello"},
    "form_urlencoded": {
        "raw": "sender=fuzz&message=%E4%BD%A0%E5%A5%BD".encode(),
        "content_type": "application/x-www-form-urlencoded",
    },
    "invalid_utf8": {"raw": b'{"sender": "malformed-bytes", "message": "\xff\xfe\xc3\x28"}'},
    "deep_nesting": {"raw": b"[" * 100_000 + b"]" * 100_000},
    "json_number": {"payload": 42},
    "json_string": {"payload": "你好"},
    "json_null": {"payload": None},
    "json_true": {"payload": True},
    "json_array": {"payload": [{"sender": "malformed-array", "message": "你好"}]},
    "missing_sender": {"payload": {"message": "嵊泗消费券还能用吗"}},
    "missing_message": {"payload": {"sender": ""}},
    "missing_message_stream": {"payload": {"sender": ""}, "stream": True},
    "sender_not_string": {"payload": {"sender": 12345, "message": "你好"}},
    "body_2mb": {"payload": {"sender": "", "message": "留工补助" * (2 * 1024 * 1024 // 12)}},
}
for _kind, _value in (("int", 7), ("list", ["你好"]), ("dict", {"text": "你好"}), ("null", None)):
    MALFORMED[f"message_{_kind}"] = {"payload": _message_body(_value)}
    MALFORMED[f"message_{_kind}_stream"] = {"payload": _message_body(_value), "stream": True}


# ---- the plan -------------------------------------------------------------------------------------


@dataclass
class _Conversation:
    turns: List[Turn] = field(default_factory=list)
    malformed: Optional[str] = None
    auth: str = "token"


def _mandatory(rng: random.Random) -> List[_Conversation]:
    """At least one of everything: each malformed kind, each spelling of a phone and of an ID
    number, each hostile variant, each auth kind twice, a streamed message."""
    conversations = [_Conversation(malformed=kind) for kind in MALFORMED]
    conversations += [_Conversation([Turn(rng.choice(POLICY_QUESTIONS))], auth=kind) for kind in AUTH_KINDS * 2]
    short_phone_scenarios = tuple(f for f in PHONE_SCENARIOS if f is not complaint_step_by_step)  # 200 must fit
    for kind, scenarios in (("phone", short_phone_scenarios), ("id", ID_SCENARIOS)):
        offset = rng.randrange(len(scenarios))  # every scenario in turn: the same number of turns for any seed
        for number, spelling in enumerate(spellings(kind)):
            conversations.append(_Conversation(scenarios[(number + offset) % len(scenarios)](rng, spelling)))
    chosen = [
        (category, index)
        for category, variants in HOSTILE.items()
        for index in (range(len(variants)) if category == "shortcut" else [rng.randrange(len(variants))])
    ]
    for number, (category, index) in enumerate(chosen):  # every other one followed by a question
        conversations.append(_Conversation(_with_context(hostile_turn(rng, category, index), rng, number % 2 == 0)))
    conversations.append(
        _Conversation(
            [
                Turn(rng.choice(POLICY_QUESTIONS), "message:stream", stream=True),
                Turn(rng.choice(FOLLOW_UPS), "message:stream", stream=True),
            ]
        )
    )
    return conversations


def _with_context(turn: Turn, rng: random.Random, follow_up: Optional[bool] = None) -> List[Turn]:
    """A hostile turn where it can do harm: a shortcut naming a form's slots inside that form, then a
    turn that shows what it did; other hostile turns alone or before an ordinary question."""
    if "status" in turn.message:
        return status_check(rng)[:2] + [turn, Turn(_code_guess(rng), "message:status")]
    if "complaint" in turn.message:
        return complaint_one_message(rng, "plain")[:3] + [turn]
    if "eligibility" in turn.message:
        return eligibility(rng, "plain")[:2] + [turn]
    if follow_up is None:
        follow_up = rng.random() < 0.5
    return [turn] + ([Turn(rng.choice(POLICY_QUESTIONS), "message:policy")] if follow_up else [])


def _random_conversation(rng: random.Random) -> _Conversation:
    roll = rng.random()
    if roll < 0.03:
        return _Conversation(malformed=rng.choice(sorted(set(MALFORMED) - {"body_2mb", "deep_nesting"})))
    if roll < 0.05:
        return _Conversation([Turn(rng.choice(POLICY_QUESTIONS))], auth=rng.choice(AUTH_KINDS))
    if roll < 0.25:
        turns = policy_chat(rng)
    elif roll < 0.45:
        turns = rng.choice(PHONE_SCENARIOS)(rng, rng.choice(sorted(spellings("phone"))))
    elif roll < 0.60:
        turns = rng.choice(ID_SCENARIOS)(rng, rng.choice(sorted(spellings("id"))))
    elif roll < 0.72:
        turns = status_check(rng)
    else:
        hostile = hostile_turn(rng, rng.choice(sorted(HOSTILE)))
        turns = policy_chat(rng)[: rng.randint(0, 2)] + _with_context(hostile, rng)
    turns = [mutate(t, rng) if rng.random() < 0.12 else t for t in turns]
    if rng.random() < 0.05:
        turns = [Turn(t.message, t.category, t.pii, t.spelling, stream=True) for t in turns]
    return _Conversation(turns)


def _size(conversation: _Conversation) -> int:
    return len(conversation.turns) if conversation.malformed is None else 1


def _injected(message: str) -> Optional[Dict[str, Any]]:
    text = message.strip()
    if not text.startswith("/") or "{" not in text:
        return None
    try:
        payload = json.loads(text[text.index("{") :])
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _requests(conversation: _Conversation, index: int, seed: int) -> List[Request]:
    sender = f"fuzz-{seed}-{index:04d}"
    if conversation.malformed is not None:
        spec = MALFORMED[conversation.malformed]
        payload = spec.get("payload")
        if isinstance(payload, dict) and payload.get("sender") == "":
            payload = {**payload, "sender": sender}
        return [
            Request(
                index,
                0,
                f"malformed:{conversation.malformed}",
                payload,
                spec.get("raw"),
                spec.get("content_type", "application/json"),
                spec.get("stream", False),
            )
        ]

    def category(turn: Turn) -> str:
        return turn.category if conversation.auth == "token" else f"auth:{conversation.auth}"

    return [
        Request(
            index,
            number,
            category(turn),
            {"sender": sender, "message": turn.message},
            stream=turn.stream,
            auth=conversation.auth,
            pii=turn.pii,
            spelling=turn.spelling,
            injected=_injected(turn.message),
        )
        for number, turn in enumerate(conversation.turns)
    ]


def generate(count: int = 1000, seed: int = 0) -> Plan:
    """`count` requests from `seed`. From about 200 on, every malformed kind, phone and ID
    spelling, hostile variant and auth kind is among them at least once."""
    rng = random.Random(seed)
    conversations = _mandatory(rng)
    total = sum(map(_size, conversations))
    while total < count:
        extra = _random_conversation(rng)
        if extra.malformed is None and total + len(extra.turns) > count:
            extra.turns = extra.turns[: count - total]
        conversations.append(extra)
        total += _size(extra)
    rng.shuffle(conversations)
    plan = Plan(seed)
    for index, conversation in enumerate(conversations):
        plan.requests += _requests(conversation, index, seed)
    del plan.requests[count:]
    return plan
