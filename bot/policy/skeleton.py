"""`bot policies new KEY`: a commented skeleton of a notice file (format: docs/policy-format.md).

Every required value is left empty, so `bot policies check` lists what is still to fill in, file
and field by field, until the notice is complete.
"""

from __future__ import annotations

from bot.policy.model import TOPICS

SKELETON = """\
# {key}: 《通知标题》（发文机关，印发日期）——整理为稳岗留工政策助手的数据文件。
# Format: docs/policy-format.md (every field, with a worked example). Check with `bot policies check`.
# Every amount, date, condition and channel below must be printed in the notice text named in
# notice.source; where the notice says nothing, leave the value null and list the gap in silent_on.

notice:
  key: {key}                      # this file's key, unique across files: [a-z][a-z0-9_]*
  number:                         # 文号, e.g. 岱人社发〔2023〕1号 (used in every citation)
  title:                          # the notice's title
  issuers: []                     # [发文机关1, 发文机关2]
  issued:                         # YYYY-MM-DD
  source:                         # the notice text: a path relative to this file's folder or to the
                                  # shared folder (e.g. seeds/001_xxx.txt); the tests check every figure against it
  scope:                          # optional: the period the notice is about, in its own words
  # period: {{start: YYYY-MM-DD, end: YYYY-MM-DD, text: 即日起至3月31日, clause: "二"}}   # optional

region:
  key:                            # unique across files, [a-z][a-z0-9_]*, e.g. daishan
  name:                           # full name, e.g. 浙江省舟山市岱山县
  short_name:                     # used in answers, e.g. 岱山县
  code: ""                        # GB/T 2260 code, 6 digits, as a string; unique across files
  aliases: []                     # names that mean THIS region only: [岱山, 岱山县, 高亭镇]
  shared_aliases: []              # names of a larger area with other covered regions, e.g. [舟山, 舟山市]:
                                  # every file using such a name must list it here; the bot then asks which county

channels:                         # PUBLIC channels only: never a named official's phone or e-mail
  - name: 12333人社服务热线
    contact: "12333"

clauses:                          # every clause a benefit rests on, text as printed
  - id: "1"                       # as the notice numbers it: "1", "五(一)"
    cite: 第1条                    # how a citation names it
    section:                      # optional: the heading it sits under
    heading:                      # a short heading
    text: |
      （条款原文）

benefits:                         # one entry per measure; the overview is built from these
  - key:                          # unique across ALL files, e.g. daishan_retention_bonus
    name:                         # e.g. 一次性留工补助
    topics: []                    # one or more of: {topics}
    terms: []                     # words users type for this measure (optional)
    summary:                      # one line, <= 40 characters
    amount: null                  # text ("每人800元"), or null when the notice gives none
    amount_yuan: null             # number, or null
    cap: null                     # text ("每家企业最高不超过8万元"), or null
    cap_yuan: null                # number, or null
    who: null                     # who qualifies, in the notice's terms
    # eligibility: {{subject: person, amount: fixed}}   # optional: self-check against stated facts / the store
    conditions: []                # each condition separately, shown in every answer about the measure:
    #  - key: at_least_15_workers
    #    text: 组织返岗的外来员工15人及以上
    #    clause: "3"
    #    check: {{rule: charter_min_passengers, min: 15}}   # optional, rules in bot/eligibility/rules.py
    #    question: 每趟包车载员工15人及以上吗？              # optional, asked by the self-check
    windows: []                   # every date window the notice gives:
    #  - label: 消费券使用时间
    #    start: 2023-01-18        # or null
    #    end: 2023-02-10          # or null
    #    text: 2023年1月18日—2月10日
    #    clause: "2"
    how_to_claim: null            # text, or null when the notice does not say
    clauses: []                   # the clauses it rests on, main one first
    silent_on: []                 # what the notice does not say: [申领材料, 申领截止日期]
"""


def skeleton(key: str) -> str:
    return SKELETON.format(key=key, topics=", ".join(t for t in TOPICS))
