"""The `bot` command (also `python -m bot`); one module per command group in this package.

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
from typing import List

from bot.cli import complaints, nlu, policies, staff, store, wechat


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bot", description="稳岗留工政策助手 command line")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (policies, store, complaints, staff, nlu, wechat):
        group.register(sub)
    args = parser.parse_args(argv)
    return args.run(args)
