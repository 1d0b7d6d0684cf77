"""A second intent classifier: logistic regression over TF-IDF character and word n-grams.

DIET and a linear model over sparse n-grams make different mistakes on short Chinese messages, so
blending their probabilities fixes more than it breaks: `make eval` and `make bench-nlu` measure
the pipeline with the blend.

Pure scikit-learn, no Rasa: `bot.nlu.components.NgramIntentBlender` adapts it to the pipeline.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Text, Tuple

import joblib
import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

Ranking = List[Dict[Text, object]]


def _words(tokens: Sequence[Text]) -> List[Text]:
    """Word features of a message: its tokens, lower-cased (the analyzer of the word vectorizer)."""
    return [t.lower() for t in tokens if t.strip()]


class NgramIntentModel:
    """TF-IDF over character n-grams of the text and word n-grams of its tokens, then
    multinomial logistic regression. Deterministic: the same data gives the same model."""

    FILE = "ngram_intents.joblib"

    def __init__(
        self, c: float = 30.0, char_ngrams: Tuple[int, int] = (1, 4), word_ngrams: Tuple[int, int] = (1, 2)
    ) -> None:
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(char_ngrams), lowercase=True, sublinear_tf=True
        )
        self.words = TfidfVectorizer(analyzer=self._word_ngrams, sublinear_tf=True)
        self.word_ngrams = tuple(word_ngrams)
        self.classifier = LogisticRegression(C=c, max_iter=5000)
        self.fitted = False

    def _word_ngrams(self, tokens: Sequence[Text]) -> List[Text]:
        words = _words(tokens)
        low, high = self.word_ngrams
        return [" ".join(words[i : i + n]) for n in range(low, high + 1) for i in range(len(words) - n + 1)]

    def _features(self, texts: Sequence[Text], tokens: Sequence[Sequence[Text]], fit: bool = False):
        if fit:
            return hstack([self.chars.fit_transform(texts), self.words.fit_transform(tokens)]).tocsr()
        return hstack([self.chars.transform(texts), self.words.transform(tokens)]).tocsr()

    def fit(
        self, texts: Sequence[Text], tokens: Sequence[Sequence[Text]], intents: Sequence[Text]
    ) -> "NgramIntentModel":
        if len(set(intents)) < 2:
            raise ValueError("NgramIntentModel needs examples of at least two intents")
        self.classifier.fit(self._features(texts, tokens, fit=True), list(intents))
        self.fitted = True
        self._prepare()
        return self

    def _prepare(self) -> None:
        """Per-message scoring without scikit-learn's sparse-matrix machinery (about 3 ms a
        message through `predict_proba`, mostly building matrices for one row): each side's
        n-gram → (column, idf) table and the weights as a dense array. Same numbers."""
        offset = len(self.chars.vocabulary_)
        self._tables = [
            (self.chars.build_analyzer(), {g: (i, self.chars.idf_[i]) for g, i in self.chars.vocabulary_.items()}),
            (
                self.words.build_analyzer(),
                {g: (offset + i, self.words.idf_[i]) for g, i in self.words.vocabulary_.items()},
            ),
        ]
        self._weights = np.ascontiguousarray(self.classifier.coef_.T)
        self._intercept = self.classifier.intercept_
        self._intents = list(self.classifier.classes_)

    def __getstate__(self) -> Dict[Text, object]:
        """Stored without the scoring tables: `_prepare` rebuilds them on load."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_tables", "_weights", "_intercept", "_intents")}

    def __setstate__(self, state: Dict[Text, object]) -> None:
        self.__dict__.update(state)
        if self.fitted:
            self._prepare()

    def _row(self, text: Text, tokens: Sequence[Text]) -> Tuple[List[int], np.ndarray]:
        """The message's non-zero feature columns and values: sublinear tf × idf, each side l2-normalised."""
        columns: List[int] = []
        values: List[float] = []
        for (analyze, table), document in zip(self._tables, (text, tokens)):
            counts = Counter(g for g in analyze(document) if g in table)
            side = [(table[g][0], (1.0 + math.log(n)) * table[g][1]) for g, n in counts.items()]
            norm = math.sqrt(sum(v * v for _, v in side)) or 1.0
            columns.extend(c for c, _ in side)
            values.extend(v / norm for _, v in side)
        return columns, np.asarray(values)

    @property
    def intents(self) -> List[Text]:
        return list(self._intents) if self.fitted else []

    def probabilities(self, texts: Sequence[Text], tokens: Sequence[Sequence[Text]]) -> List[Dict[Text, float]]:
        """One {intent: probability} per message (every intent the model knows, summing to 1)."""
        if not self.fitted:
            return [{} for _ in texts]
        out = []
        for text, words in zip(texts, tokens):
            columns, values = self._row(text, words)
            logits = values @ self._weights[columns] + self._intercept
            exp = np.exp(logits - logits.max())
            out.append(dict(zip(self._intents, map(float, exp / exp.sum()))))
        return out

    def probabilities_sklearn(self, texts: Sequence[Text], tokens: Sequence[Sequence[Text]]) -> np.ndarray:
        """The same through scikit-learn's `predict_proba` (the reference the fast path is tested against)."""
        return self.classifier.predict_proba(self._features(texts, tokens))

    def save(self, directory: Path) -> None:
        joblib.dump(self, Path(directory) / self.FILE)

    @classmethod
    def load(cls, directory: Path) -> Optional["NgramIntentModel"]:
        path = Path(directory) / cls.FILE
        return joblib.load(path) if path.exists() else None


def blend(
    ranking: Iterable[Dict[Text, object]], probabilities: Dict[Text, float], weight: float, length: int = 10
) -> Ranking:
    """(1 - weight) × the ranking's confidences + weight × `probabilities`, best first.

    An intent missing from one side counts as 0 there (DIET reports only its top intents).
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be between 0 and 1, not {weight}")
    mixed: Dict[Text, float] = {}
    for item in ranking:
        name = item.get("name")
        if name:
            mixed[name] = (1.0 - weight) * float(item.get("confidence") or 0.0)
    for name, p in probabilities.items():
        mixed[name] = mixed.get(name, 0.0) + weight * p
    ordered = sorted(mixed.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"name": name, "confidence": float(np.round(p, 6))} for name, p in ordered[:length]]
