"""Rasa custom NLU components (thin adapters over bot.text and bot.nlu.patterns).

- `TextNormalizer` goes first in the pipeline: traditional → simplified, full-width →
  half-width, Chinese numerals → digits, before tokenising.
- `PatternEntityExtractor` adds phone, id_number, credit_code, ticket_id, amount and date entities.
- `RareWordsCountVectorsFeaturizer`: word counts that train rare words as the OOV token.
- `NgramIntentBlender`: blends DIET's intent ranking with an n-gram logistic regression.
- `CueIntentOverride`: corrects the classifier where a cue in the text is unmistakable.
- `ClosedClassGuard`: a short message with none of the characters of affirm/deny/greet/thank/
  goodbye's training examples is not one of them (it is out of scope).

`RasaSpeedUps`, the first component of config.yml's pipeline, installs bot.rasa_speedups when
the model is built or loaded; loading a trained component freezes the loaded model's objects out
of full garbage collections. Importing this module loads the project's jieba dictionary, so that
spaCy's jieba segmenter (used by the EntityRuler pipeline that `SpacyNLP` loads) segments policy terms the
same way at build time, training and run time.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.jieba_dict import load_project_dictionary
from bot.nlu.ngram_intents import NgramIntentModel, blend
from bot.nlu.patterns import find_entities
from bot.rasa_speedups import freeze_heap_after_loading
from bot.rasa_speedups import install as install_rasa_speedups
from bot.text.normalize import normalize

load_project_dictionary()


class ConfiguredComponent(GraphComponent):
    """A component that needs only its config: nothing trained, nothing stored."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)


class StoredComponent(GraphComponent):
    """A component that learns from the training data: its config merged over the defaults, and
    what it learnt (`learnt`) written to Rasa's model storage by `train` and read back by `read`.
    A model trained without NLU data has nothing stored: the component then gets `learnt=None`."""

    def __init__(
        self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, learnt: Any = None
    ) -> None:
        self._config = {**self.get_default_config(), **(config or {})}
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, model_storage, resource)

    @staticmethod
    def read(directory: Path) -> Any:
        raise NotImplementedError

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GraphComponent:
        try:
            with model_storage.read_from(resource) as directory:
                learnt = cls.read(directory)
        except ValueError:  # not trained (an NLU-less model)
            learnt = None
        freeze_heap_after_loading()  # once the whole model is loaded (bot.rasa_speedups)
        return cls(config, model_storage, resource, learnt)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class RasaSpeedUps(ConfiguredComponent):
    """Installs bot.rasa_speedups (on Rasa 3.6.21 only) when Rasa builds or loads the model; passes
    messages through unchanged. The one place where this project patches Rasa."""

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self.installed = install_rasa_speedups()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormalizer(ConfiguredComponent):
    """Rewrites the message text into the canonical form the rest of the pipeline sees."""

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        pass  # nothing to configure

    @staticmethod
    def _normalize(message: Message, keep_length: bool) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and text and not text.startswith("/"):
            message.set(TEXT, normalize(text, keep_length=keep_length), add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            # Annotated entity offsets refer to the original text: keep lengths there.
            self._normalize(example, keep_length=bool(example.get(ENTITIES)))
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message, keep_length=False)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class PatternEntityExtractor(ConfiguredComponent, EntityExtractorMixin):
    """phone, id_number, ticket_id, amount, date: found by pattern, not learned."""

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self._config = config or {}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            found = [
                {"entity": f.entity, "value": f.value, "start": f.start, "end": f.end, "confidence_entity": 1.0}
                for f in find_entities(text)
            ]
            if found:
                found = self.add_extractor_name(found)
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class RareWordsCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Word counts in which words seen in fewer than `rare_below` training messages are trained
    as the OOV token.

    At run time every word the model has not seen becomes the OOV token; training on rare words
    the same way shows the classifier what unfamiliar wording looks like (a lone "长颈鹿" is
    out of scope, not "affirm" just because it is short).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**CountVectorsFeaturizer.get_default_config(), "OOV_token": "oov", "rare_below": 2}

    def train(self, training_data: TrainingData, model: Any = None) -> Resource:
        frequency: Counter = Counter()
        for example in training_data.training_examples:
            if example.get(TEXT) is None:
                continue
            tokens = self._process_tokens(self._get_message_tokens_by_attribute(example, TEXT), TEXT)
            frequency.update(set(tokens))
        rare = {t for t, n in frequency.items() if n < int(self._config["rare_below"]) and t != self.OOV_token}
        self.OOV_words = sorted(set(self.OOV_words) | rare)
        return super().train(training_data, None)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CueIntentOverride(ConfiguredComponent):
    """Corrects the classifier where a message carries an unmistakable cue of another intent.

    Configured in config.yml as `rules: [{intent, from: [intents], pattern: regex}]`: when the
    predicted intent is in `from` and the normalised text matches `pattern`, `intent` becomes the
    prediction with the same confidence. Example: "我叫王大力，电话…，某公司欠我三个月工资" reads
    like a self-introduction (inform) to the classifier, but it is a wage-arrears complaint.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"rules": []}

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self._rules = [
            (rule["intent"], set(rule["from"]), re.compile(rule["pattern"])) for rule in (config or {}).get("rules", [])
        ]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            predicted = message.get("intent") or {}
            text = message.get(TEXT)
            if not predicted or not isinstance(text, str):
                continue
            name = predicted.get("name")
            rules = [(intent, pattern) for intent, sources, pattern in self._rules if name in sources]
            if not rules:
                continue  # most messages: no rule applies, no work
            flat = normalize(text)  # in the pipeline already normalised; idempotent when used alone
            for intent, pattern in rules:
                if pattern.search(flat):
                    swap_intent(message, predicted, intent)
                    break
        return messages


def swap_intent(message: Message, predicted: Dict[Text, Any], intent: Text) -> None:
    """`intent` takes the predicted intent's confidence and place; the predicted one takes what
    `intent` had, so the ranking stays a ranking (no tie for the fallback to see)."""
    ranking = [dict(r) for r in message.get("intent_ranking") or []]
    own = next((r.get("confidence") for r in ranking if r.get("name") == intent), 0.0)
    for item in ranking:
        if item.get("name") == predicted.get("name"):
            item["confidence"] = own
    ranking = [r for r in ranking if r.get("name") != intent]
    top = {"name": intent, "confidence": predicted.get("confidence")}
    ranking = [top, *sorted(ranking, key=lambda r: -(r.get("confidence") or 0.0))]
    message.set(INTENT, dict(top), add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ClosedClassGuard(StoredComponent):
    """Keeps unfamiliar short messages out of the small closed-vocabulary intents.

    affirm, deny, greet, thank and goodbye are said with a small set of words ("好的", "不用了",
    "你好", "谢谢", "再见"). A short message that shares no character at all with any training
    example of the intent the classifier picked ("香蕉", "企鹅", "唢呐") is not one of them, however
    sure the classifier is: it becomes `to` (out_of_scope), swapped in the ranking as the cue
    override does. The characters of each guarded intent are learnt from the training data and
    stored with the model. Built on the cross-validation errors: in leave-one-out over the training
    examples of these intents, no example would be moved.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intents": ["affirm", "deny", "greet", "thank", "goodbye"], "to": "out_of_scope", "max_chars": 6}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        learnt: Optional[Dict[Text, List[Text]]] = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._vocabulary = {intent: set(chars) for intent, chars in (learnt or {}).items()}

    @staticmethod
    def read(directory: Path) -> Dict[Text, List[Text]]:
        return json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))

    @staticmethod
    def characters(text: Text) -> List[Text]:
        """Letters and digits of the normalised, lower-cased text (punctuation and spaces dropped)."""
        return [c for c in normalize(text).lower() if c.isalnum()]

    def train(self, training_data: TrainingData) -> Resource:
        guarded = set(self._config["intents"])
        vocabulary: Dict[Text, set] = {intent: set() for intent in guarded}
        for example in training_data.intent_examples:
            intent = example.get(INTENT)
            if intent in guarded and isinstance(example.get(TEXT), str):
                vocabulary[intent].update(self.characters(example.get(TEXT)))
        self._vocabulary = vocabulary
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "vocabulary.json").write_text(
                json.dumps({k: sorted(v) for k, v in vocabulary.items()}, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            predicted = message.get(INTENT) or {}
            known = self._vocabulary.get(predicted.get("name"))
            text = message.get(TEXT)
            if known is None or not isinstance(text, str):
                continue
            chars = self.characters(text)
            if chars and len(chars) <= int(self._config["max_chars"]) and not known.intersection(chars):
                swap_intent(message, predicted, self._config["to"])
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NgramIntentBlender(StoredComponent):
    """Blends the intent ranking of the classifier before it (DIET) with a logistic regression
    over TF-IDF character and word n-grams (`bot.nlu.ngram_intents`), trained on the same data.

    `weight` is the regression's share of the blended confidence. The model is stored with the
    Rasa model; a model trained without NLU data leaves the ranking as it is.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"weight": 0.7, "C": 30.0, "char_ngrams": [1, 4], "word_ngrams": [1, 2], "ranking_length": 10}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        learnt: Optional[NgramIntentModel] = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._model = learnt

    @staticmethod
    def read(directory: Path) -> Optional[NgramIntentModel]:
        return NgramIntentModel.load(directory)

    @staticmethod
    def _tokens(message: Message) -> List[Text]:
        return [t.text for t in message.get(TOKENS_NAMES[TEXT]) or []]

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if isinstance(e.get(TEXT), str)]
        if len({e.get(INTENT) for e in examples}) >= 2:
            self._model = NgramIntentModel(
                c=float(self._config["C"]),
                char_ngrams=self._config["char_ngrams"],
                word_ngrams=self._config["word_ngrams"],
            )
            self._model.fit(
                [e.get(TEXT) for e in examples], [self._tokens(e) for e in examples], [e.get(INTENT) for e in examples]
            )
            with self._model_storage.write_to(self._resource) as directory:
                self._model.save(directory)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        scored = [
            m
            for m in messages
            if isinstance(m.get(TEXT), str) and m.get(TEXT) and not m.get(TEXT).startswith("/") and m.get(INTENT)
        ]
        if not scored:
            return messages
        probabilities = self._model.probabilities([m.get(TEXT) for m in scored], [self._tokens(m) for m in scored])
        for message, p in zip(scored, probabilities):
            ranking = blend(
                message.get(INTENT_RANKING_KEY) or [message.get(INTENT)],
                p,
                float(self._config["weight"]),
                int(self._config["ranking_length"]),
            )
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
