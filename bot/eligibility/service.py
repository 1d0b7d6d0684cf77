"""The one entry point for eligibility checks, used by the CLI, the actions and the console."""

from __future__ import annotations

import asyncio
from typing import List, NoReturn, Optional

from bot.eligibility.engine import EligibilityEngine, EligibilityReport
from bot.eligibility.facts import load_firm, load_people, workers_at
from bot.identifiers import AMBIGUOUS, FIRM, PERSON, SubjectKind, classify_subject
from bot.policy.loader import policy_book
from bot.policy.model import PolicyBook
from bot.store.db import session_scope


class SubjectError(ValueError):
    """The identifier is not a valid ID number or credit code; the message says why, in Chinese."""


class AmbiguousSubjectError(SubjectError):
    """The identifier is valid as both an ID number and a credit code, and nothing tells which."""


def _raise_for(subject: SubjectKind) -> NoReturn:
    if subject.kind == AMBIGUOUS:
        raise AmbiguousSubjectError(subject.message)
    raise SubjectError(subject.message)


def subject_kind(identifier: str, hint: Optional[str] = None) -> str:
    """'person' or 'firm' by classify_subject; `hint` decides an ambiguous one; else SubjectError (Chinese)."""
    subject = classify_subject(identifier)
    if subject.decided:
        return subject.kind
    if subject.kind == AMBIGUOUS and hint in (PERSON, FIRM):
        return hint
    _raise_for(subject)


def _kinds_to_try(subject: SubjectKind, hint: Optional[str]) -> List[str]:
    if subject.decided:
        return [subject.kind]
    if subject.kind == AMBIGUOUS:
        return [hint] if hint in (PERSON, FIRM) else [PERSON, FIRM]
    _raise_for(subject)


class EligibilityService:
    def __init__(self, url: Optional[str] = None, book: Optional[PolicyBook] = None):
        self.url = url
        self.engine = EligibilityEngine(book or policy_book())

    def check(self, identifier: str, kind: Optional[str] = None) -> Optional[EligibilityReport]:
        """The report for a person (ID number) or a firm (credit code); None if not in the store.

        `kind` ('person'/'firm') only decides an identifier valid as both; without it such an identifier
        is whichever the store has, and AmbiguousSubjectError if it has both.
        """
        subject = classify_subject(identifier)
        kinds = _kinds_to_try(subject, kind)
        with session_scope(self.url) as session:
            reports = [self._report(session, k, subject.value) for k in kinds]
        found = [r for r in reports if r is not None]
        if len(found) > 1:
            _raise_for(subject)
        return found[0] if found else None

    def _report(self, session, kind: str, identifier: str) -> Optional[EligibilityReport]:
        if kind == PERSON:
            people = load_people(session, [identifier])
            return self.engine.person_report(people[identifier]) if people else None
        firm = load_firm(session, identifier)
        if firm is None:
            return None
        workers = load_people(session, workers_at(session, identifier))
        return self.engine.firm_report(firm, workers)

    async def check_async(self, identifier: str, kind: Optional[str] = None) -> Optional[EligibilityReport]:
        """Same as check(), off the event loop (for the action server)."""
        return await asyncio.to_thread(self.check, identifier, kind)
