"""The one entry point for eligibility checks, used by the CLI, the actions and the console."""

from __future__ import annotations

import asyncio
from typing import Optional

from bot.eligibility.engine import EligibilityEngine, EligibilityReport
from bot.eligibility.facts import load_firm, load_people, workers_at
from bot.identifiers import credit_code_problem, id_number_problem, looks_like_credit_code
from bot.policy.loader import policy_book
from bot.policy.model import PolicyBook
from bot.store.db import session_scope


class SubjectError(ValueError):
    """The identifier is not a valid ID number or credit code; the message says why, in Chinese."""


def subject_kind(identifier: str) -> str:
    """'person' or 'firm' for a valid identifier; SubjectError (Chinese) otherwise."""
    identifier = (identifier or "").strip().upper()
    if looks_like_credit_code(identifier):
        problem = credit_code_problem(identifier)
        if problem:
            raise SubjectError(problem)
        return "firm"
    problem = id_number_problem(identifier)
    if problem:
        raise SubjectError(problem)
    return "person"


class EligibilityService:
    def __init__(self, url: Optional[str] = None, book: Optional[PolicyBook] = None):
        self.url = url
        self.engine = EligibilityEngine(book or policy_book())

    def check(self, identifier: str) -> Optional[EligibilityReport]:
        """The report for a person (ID number) or a firm (credit code); None if not in the store."""
        identifier = identifier.strip().upper()
        kind = subject_kind(identifier)
        with session_scope(self.url) as session:
            if kind == "person":
                people = load_people(session, [identifier])
                return self.engine.person_report(people[identifier]) if people else None
            firm = load_firm(session, identifier)
            if firm is None:
                return None
            workers = load_people(session, workers_at(session, identifier))
            return self.engine.firm_report(firm, workers)

    async def check_async(self, identifier: str) -> Optional[EligibilityReport]:
        """Same as check(), off the event loop (for the action server)."""
        return await asyncio.to_thread(self.check, identifier)
