"""What a message asks, read from its words: the facet of a measure it asks about, whether it is a
follow-up, a request for a person or for an official's contact details, a request to look up the
user's own record, and whether the user writes as an employer.

Plain functions over normalised text (`bot.text.normalize`), used by the dialogue and the forms.
The NLU gives the intent; these cues decide what the intent cannot: which measure a short
follow-up means and which part of it the user wants.
"""

from __future__ import annotations

import re
from typing import List, Optional

# Facets of a measure a question can ask about, in the order a full card shows them.
FACETS = ("amount", "who", "conditions", "time", "how", "silent", "clause")
FACET_PATTERNS = {
    "amount": re.compile(
        r"多少|金额|几块|几百|几千|几万|标准|上限|封顶|最高|最多|几G|多大|给多少|发多少|补多少|能补|"
        r"能拿多少|能领多少|能给多少|一个人给|每人|钱数|几个G|几钿|多少钞票|发多少|代发多少"
    ),
    "who": re.compile(r"谁能|谁可以|哪些人|什么人|啥人|对象|哪些员工|算进去|算不算|包括|适用"),
    "conditions": re.compile(
        r"条件|符合|资格|要求|门槛|最少|至少|起码|要满|交满|交多久|要交|几个人才|多少人才|够不够|限制|"
        r"必须|才能算|才算"
    ),
    "time": re.compile(
        r"什么时候|啥时候|几号|截止|期限|过期|有效期|哪天|多久|好久|何时|还能用|还有几天|剩几天|几天能|结束|开始|"
        r"到什么时候|到啥时候|到哪天|能用到|用到|几时|还能领|现在还|还有没有|今天还|还能\S{0,2}几天|整几天"
    ),
    "clause": re.compile(r"哪一条|哪条|条款|出处|依据|原文|第几条|出自|哪个文件|文号"),
    "silent": re.compile(r"没写|漏印|漏了|不完整|没说清|没规定"),
    "how": re.compile(
        r"怎么领|怎么申请|如何申请|如何领|去哪|哪里|找谁|材料|手续|流程|申领|办理|咋领|怎么拿|怎么弄|"
        r"在哪|怎么办|咋办|咋申请|怎么用|咋用|怎么报|谁发|谁给|打什么电话|打哪个电话|哪个部门|找哪个|问谁|代发|几时发|啥时候发|什么时候发|何时发|"
        r"啥时候给|什么时候到账|啥时候到账"
    ),
}
_QUESTION = re.compile(
    r"[?？]|吗|么|呢|伐|啥|什么|怎么|咋|多少|几|哪|谁|中不中|好不好|成不成|能不能|可不可以|可以不|行不行|是不是|有没有|能否|"
    r"算不算|给不给|管不管|不\s*$"
)
FOLLOWUP_LEAD = re.compile(r"^(?:那|那么|还有|另外|再问|顺便|对了|这个|这|它|那个|那要是|要是|如果|假如)")
_THAT_ABOUT = re.compile(r"^那?(.{1,12}?)(?:的)?呢[?？。]*$")

# Someone who wants a person: the handoff, never the topic menu.
_HUMAN = re.compile(
    r"(?<!工)人工(?!资|费|成本|智能)|真人|客服|坐席|找个人|找人(?:给|跟|和|帮)|转人工|活人|有没有人(?:管|接|回)|打(?:个)?电话给(?:我|俺)|给(?:我|俺)打(?:个)?电话|"
    r"给(?:俺|我)回(?:个)?电话|回个电话|回电话|回电"
)
# Someone asking for the contact details of an official or an office: refused, public channels instead.
_CONTACT = re.compile(r"手机号?|电话|号码|邮箱|电子邮件|e-?mail|email|微信号|联系方式|座机|固话|办公电话|分机")
_OFFICIAL = re.compile(
    r"(?:厅|局|办|委|处|中心)[^，。,]{0,6}的?(?:手机|电话|号码|邮箱)|厅|处长|科长|局长|主任|领导|负责人|联系人|那个人|工作人员|同志|老师|经办人|处室|主管部门|"
    r"你们|省里|邮箱"
)
_OWN_RECORD = re.compile(
    r"查查|查一下|查一查|帮我查|给我查|核查|核实一下|帮我看看|帮俺看看|帮俺查|查询我|看看我能|"
    r"我的记录|我的资格|按我的|身份证|信用代码"
)
_EMPLOYER = re.compile(r"企业|公司|老板|我们厂|我厂|用工|招工|员工们|工人们|包车|HR|人事|机构|中介")
_FOR_WORKERS = re.compile(
    r"(?:员工|工人|职工|工友|外地人|老乡|我|俺)[^，。,]{0,12}(?:能拿|能领|可以拿|可以领|有什么|有啥|享受|福利)|"
    r"(?:打工|上班|做事|干活)"
)
_OWN_ARREARS = re.compile(
    r"(?:欠|拖欠|扣|克扣|拖)(?:了)?(?:我|俺|我们|俺们|咱)[^，。,？?]{0,16}(?:\d|工资|工钱|钱|块|元|万)|"
    r"(?:要|想|来|我)投诉|投诉欠薪|举报|讨薪|讨工资|要工资|(?:工资|工钱)[^，,。]{0,8}(?:不发|没发|不给|没给|拖着|没结)"
)

_QUALIFIES = re.compile(
    r"影响吗|有影响|影不影响|中不中|得行不|成不成|好拿|拿伐|领伐|有我份|有份不|也发吗|也有吗|也能|能不能|能领|能拿|可以领|可以拿|能享受|算不算|算吗|符合|够不够|给不给|行不行|有没有份|有份|能补吗|"
    r"补不补|能不能补|能给吗|能申请|可以申请|管不管|包不包括|算进去|能参加"
)


def asks_if_qualifies(text: str) -> bool:
    """ "从宁波接的算不算", "她能领吗": a question whether stated facts meet a measure's conditions."""
    return bool(_QUALIFIES.search(text)) or bool(
        re.search(
            r"(?:能|可以|行)[吗嘛么不]|[有能领拿行算给补][不吗嘛么没伐]\S{0,2}$|"
            r"算\S{0,8}[不吗]$|能\S{0,2}[吗不]|能[^，。,]{0,6}[吗不]$",
            text,
        )
    )


_TO_THE_BOT = re.compile(r"^(?:那|那么|对了|请问|问一下|想问|顺便问|还有个问题|另外)|你们|你这|您")


def asks_the_bot(text: str) -> bool:
    """A question put to the assistant ("那我要是谈不拢，还能找谁"), not a statement of one's case."""
    return is_question(text) and bool(_TO_THE_BOT.search(text))


def facets(text: str) -> List[str]:
    """The facets the text asks about, in the order of FACETS."""
    return [name for name in FACETS if name in FACET_PATTERNS and FACET_PATTERNS[name].search(text)]


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text))


def is_followup(text: str) -> bool:
    """A message that only makes sense against the measure talked about before."""
    return bool(
        facets(text)
        or FOLLOWUP_LEAD.search(text)
        or _THAT_ABOUT.match(text)
        or (len(text) <= 14 and is_question(text))
        or asks_if_qualifies(text)
    )


def wants_person(text: str) -> bool:
    return bool(_HUMAN.search(text))


def asks_official_contact(text: str) -> bool:
    """ "江苏人社厅那个霍丹丹的手机号是多少", "邮箱总能给吧": personal contacts are never given."""
    lowered = text.lower()
    if not _CONTACT.search(lowered):
        return False
    if re.search(r"1[3-9]\d{9}", text):  # the user gives their own number
        return False
    if re.search(r"(?:我|俺)的(?:手机|电话|号码|邮箱)", text):
        return False
    if re.search(
        r"回(?:个)?电话|回电|(?:打|来)(?:个)?电话给(?:我|俺)|给(?:我|俺)(?:打|来)(?:个)?电话|联系(?:我|俺)", text
    ):
        return False  # "能不能让人给我回个电话": a call back, which people get (wants_person)
    return bool(_OFFICIAL.search(lowered)) or bool(
        re.search(r"(?:给|告诉|发)(?:我|俺)?.{0,8}(?:邮箱|手机|电话|座机|号码)", text)
    )


def wants_own_record_check(text: str) -> bool:
    """ "查查我能不能领", "我的身份证是…": a look-up of the user's own record, not a rule question."""
    return bool(_OWN_RECORD.search(text)) or bool(re.search(r"\d{17}[\dXx]", text))


def writes_as_employer(text: str) -> bool:
    """An employer asking for the firm; "我们厂…外地员工能享受啥" asks for the workers."""
    return bool(_EMPLOYER.search(text)) and not _FOR_WORKERS.search(text)


def reports_own_arrears(text: str) -> bool:
    """Someone reporting their own unpaid wages or asking to complain: the intake, not an answer."""
    return bool(_OWN_ARREARS.search(text)) and not re.search(r"怎么维权|如何维权|通知|规定|来电人|工人来问", text)


_REGION_SWITCH = re.compile(
    r"^(?:那|那么|还有|那要是|要是|如果是|换成|换到|再问下?)?\s*(?:在|去|到)?(.{1,12}?)"
    r"(?:的|那边|这边|那里|那儿)?(?:呢|怎么样|咋样|如何|是啥样|是什么情况)[?？。!！]*$"
)


def region_switch(text: str) -> Optional[str]:
    """ "那云屿呢", "还有江苏的呢", "嵊泗那边怎么样" → the place named; None when the message is not of
    that shape. Whether the name is a region is for the caller to decide (from the policy data)."""
    match = _REGION_SWITCH.match(text.strip())
    return match.group(1) if match else None


def that_about(text: str) -> Optional[str]:
    """ "那江苏呢" → "江苏"; None when the message is not of that shape."""
    match = _THAT_ABOUT.match(text.strip())
    return match.group(1) if match else None


# Words that name a measure beyond the benefits' own terms in policies/*.yml (which are read too).
TOPIC_WORDS = {
    "bus_subsidy": r"包车|包大巴|大巴车?|接回来|接返|返岗车|点对点",
    "recruitment_reward": r"机构\S{0,8}(?:补助|扶持|奖励)|招工奖励|招\S{0,6}奖励|帮\S{0,6}招\S{0,4}(?:奖|补)|"
    r"介绍奖励|介绍费|带老乡|带.{0,3}个老乡|招到|招了|引进员工|介绍员工|中介|"
    r"人力资源(?:服务)?(?:公司|机构)|劳务公司",
    "consumption_voucher": r"消费券|消费劵",
    "data_gift": r"流量|通讯费|话费",
    "delivery_subsidy": r"快递|外卖|骑手|送餐|跑单",
    "culture_tourism": r"文旅|景区|新嵊泗人|旅游",
    "retention_bonus": r"留工补助|留工补贴|留工|留岗补|留岗红包",
    "insurance_relief": r"失业保险|缓缴|稳岗返还|培训补贴|白名单|用电|电力|社保补贴|降费",
    "job_services": r"131|春风行动|招聘会|找工作|直播带岗|就业困难|零工|职业指导|"
    r"招工的|还在招|有在招|招人吗|有活干|找活|"
    r"企业招工|招工.{0,6}支持|缺工|用工",
    "living_assistance": r"救助|困难群众|低保|慰问",
    "holiday_work_rights": r"加班费|加班工资|调休|几倍工资|三倍工资|休假|放假|工资\S{0,6}要求|工资待遇|足额支付",
    "epidemic_prevention": r"核酸|隔离|防疫|健康码",
    "wage_arrears": r"谈不拢|还能找谁|去哪告|维权|劳动(?:保障)?监察|仲裁|欠薪",
    "policy_overview": r"(?:啥|什么|哪些)(?:福利|政策|补贴|补助|优惠政策)|"
    r"能拿啥|能领啥|好拿啥|拿点啥|(?:啥|什么)能享受|"
    r"还有(?:啥|什么)能|"
    r"有补贴吗|有没有补贴|有补贴不|有啥补贴|列一列",
}
_TOPIC_RES = {topic: re.compile(words) for topic, words in TOPIC_WORDS.items()}


_ALL_OF_THEM = re.compile(
    r"哪些(?:福利|政策|补贴)|能拿啥|能领啥|好拿啥|(?:啥|什么)能享受|还有(?:啥|什么)能|"
    r"都有啥|都有什么|"
    r"有哪些(?:福利|政策|补贴)|俩能拿|都能拿"
)


def topics_in(text: str) -> List[str]:
    """Measures the words of `text` name, most specific first; "都有啥福利/我俩能拿啥补贴" asks for
    the overview even when it names a measure on the way."""
    found = [topic for topic, pattern in _TOPIC_RES.items() if pattern.search(text)]
    if "policy_overview" in found and _ALL_OF_THEM.search(text):
        return ["policy_overview"] + [t for t in found if t != "policy_overview"]
    return found


def asks_for_all(text: str) -> bool:
    """ "都有啥/我俩能拿啥/还有啥能享受": every measure, not one."""
    return bool(_ALL_OF_THEM.search(text))


_OFF_TOPIC = re.compile(
    r"所得税|个税|增值税|税收|公积金|医保报销|驾照|船票|机票|火车票|车票|天气|刮风|快递柜|修手机|居住证"
)


def off_topic(text: str) -> bool:
    """Plainly about something these notices do not cover ("企业所得税有减免吗", "船票")."""
    return bool(_OFF_TOPIC.search(text))
