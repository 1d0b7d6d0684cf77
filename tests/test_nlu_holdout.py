"""Checks on the held-out NLU test sets (no trained model needed): `tests/nlu_holdout.yml`,
`tests/nlu_holdout_users.yml` (real-user style: dialect, typos, voice-to-text transcripts) and
`tests/nlu_holdout_voice.yml` (WeChat voice messages as its recogniser writes them: no punctuation,
homophones, numbers read out).

Each holdout is written separately from `nlu_data/` and never trained on; these tests keep it
loadable, complete (every domain intent, nothing outside the domain) and disjoint from the
training data.
"""

import re
from pathlib import Path
from typing import Dict, List, NamedTuple, Tuple

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]


class Holdout(NamedTuple):
    path: Path
    min_examples: int
    min_per_intent: int


HOLDOUTS = [
    Holdout(REPO_ROOT / "tests" / "nlu_holdout.yml", min_examples=300, min_per_intent=8),
    Holdout(REPO_ROOT / "tests" / "nlu_holdout_users.yml", min_examples=240, min_per_intent=6),
    Holdout(REPO_ROOT / "tests" / "nlu_holdout_voice.yml", min_examples=40, min_per_intent=2),
]
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def test_voice_holdout_reads_like_voice_to_text():
    """No punctuation (the recogniser writes none), and the slips it makes are in it."""
    from rasa.shared.nlu.training_data.loading import load_data

    texts = [text for text, _ in _examples(load_data(str(HOLDOUTS[2].path)))]
    assert not [t for t in texts if _PUNCTUATION.search(t)]
    joined = "".join(texts)
    for slip in ("流工", "生死", "胜似", "消费劝", "不贴", "社宝", "外麦", "幺", "一万二", "六万"):
        assert slip in joined, slip


_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)  # whitespace and punctuation (ASCII and full-width)


def normalise(text: str) -> str:
    return _STRIP.sub("", text).lower()


def _examples(data) -> List[Tuple[str, str]]:
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


@pytest.fixture(scope="module", params=HOLDOUTS, ids=lambda spec: spec.path.name)
def spec(request) -> Holdout:
    return request.param


@pytest.fixture(scope="module")
def holdout(spec):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(spec.path))


@pytest.fixture(scope="module")
def training() -> List[Tuple[str, str]]:
    """Every NLU example under nlu_data/ (rules.yml and stories.yml there are not NLU data, and
    `load_data("nlu_data")` refuses them, so the NLU files are picked the way `rasa train` does)."""
    import rasa.shared.data
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    files = rasa.shared.data.get_data_files([str(REPO_ROOT / "nlu_data")], rasa.shared.data.is_nlu_file)
    assert files, "no NLU training files found under nlu_data/"
    examples = _examples(TrainingData().merge(*(load_data(f) for f in files)))
    assert examples, "no training examples loaded from nlu_data/"
    return examples


@pytest.fixture(scope="module")
def domain_intents() -> List[str]:
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]]


def test_holdout_loads_with_enough_examples(holdout, spec):
    examples = _examples(holdout)
    assert len(examples) >= spec.min_examples, f"only {len(examples)} examples"
    assert all(text and intent for text, intent in examples)


def test_holdout_is_plain_text_without_entity_annotations(holdout):
    annotated = [m.get("text") for m in holdout.intent_examples if m.get("entities")]
    assert not annotated, f"entity annotations in the holdout: {annotated}"


def test_every_domain_intent_covered_and_nothing_else(holdout, spec, domain_intents):
    counts: Dict[str, int] = {}
    for _, intent in _examples(holdout):
        counts[intent] = counts.get(intent, 0) + 1
    thin = {i: counts.get(i, 0) for i in domain_intents if counts.get(i, 0) < spec.min_per_intent}
    assert not thin, f"intents with fewer than {spec.min_per_intent} holdout examples: {thin}"
    unknown = sorted(set(counts) - set(domain_intents))
    assert not unknown, f"holdout intents missing from domain.yml: {unknown}"


def test_no_holdout_message_is_a_training_message(holdout, training):
    trained = {}
    for text, intent in training:
        trained.setdefault(normalise(text), (text, intent))
    leaked = [(text, trained[normalise(text)]) for text, _ in _examples(holdout) if normalise(text) in trained]
    assert not leaked, f"holdout messages that are also training messages: {leaked}"


def test_no_duplicates_in_holdout(holdout):
    seen: Dict[str, str] = {}
    duplicates = []
    for text, _ in _examples(holdout):
        key = normalise(text)
        if key in seen:
            duplicates.append((seen[key], text))
        seen[key] = text
    assert not duplicates, f"messages that appear twice in the holdout: {duplicates}"


def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or (len(a) == len(b) and a[i + 1 :] == b[i + 1 :])


def test_no_holdout_message_is_a_near_copy_of_a_training_message(holdout, training):
    """Not a training message with one character changed, even after the pipeline's own
    normalisation (traditional → simplified, full-width → half-width, numerals → digits)."""
    from bot.text.normalize import normalize

    def canonical(text: str) -> str:
        return normalise(normalize(text))

    trained = {canonical(text) for text, _ in training}
    near = []
    for text, _ in _examples(holdout):
        mine = canonical(text)
        match = next((t for t in trained if _within_one_edit(mine, t)), None)
        if match is not None:
            near.append((text, match))
    assert not near, f"holdout messages within one edit of a training message: {near}"
