"""The n-gram logistic regression and the blend with DIET's ranking (scikit-learn only), and its
Rasa component trained, stored and loaded back as Rasa does."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.ngram_intents import NgramIntentModel, blend

EXAMPLES = {
    "ask_retention_bonus": ["留工补助多少钱", "留工补助怎么领", "一次性留工补助发多少", "春节留下来有补助吗"],
    "ask_consumption_voucher": ["消费券怎么领", "消费券还能用吗", "在哪里抢消费券", "消费券有多少钱"],
    "thank": ["谢谢", "多谢了", "谢谢你啊", "感谢"],
}


def split(examples):
    texts = [t for ts in examples.values() for t in ts]
    return texts, [list(t) for t in texts], [i for i, ts in examples.items() for _ in ts]


@pytest.fixture(scope="module")
def model():
    return NgramIntentModel().fit(*split(EXAMPLES))


def test_it_learns_each_intent_from_its_ngrams(model):
    texts = ["留工补助能发多少", "消费券哪里领", "太谢谢了"]
    predicted = [max(p, key=p.get) for p in model.probabilities(texts, [list(t) for t in texts])]
    assert predicted == ["ask_retention_bonus", "ask_consumption_voucher", "thank"]


def test_probabilities_cover_every_intent_and_sum_to_one(model):
    [p] = model.probabilities(["随便说点什么"], [["随便", "说", "点", "什么"]])
    assert set(p) == set(EXAMPLES)
    assert sum(p.values()) == pytest.approx(1.0)


def test_word_ngrams_come_from_the_tokens_not_the_characters(model):
    """The same characters tokenised differently give different features, so different scores."""
    [a, b] = model.probabilities(["留工补助"] * 2, [["留工", "补助"], ["留", "工补", "助"]])
    assert a != b


def test_the_fast_scoring_gives_scikit_learns_probabilities(model):
    texts = ["留工补助能发多少", "消费券哪里领", "太谢谢了", "完全没见过的话", ""]
    tokens = [list(t) for t in texts]
    fast = [p[i] for p in model.probabilities(texts, tokens) for i in model.intents]
    assert fast == pytest.approx(model.probabilities_sklearn(texts, tokens).ravel().tolist(), abs=1e-12)


def test_one_intent_is_refused():
    with pytest.raises(ValueError):
        NgramIntentModel().fit(["谢谢", "多谢"], [["谢谢"], ["多谢"]], ["thank", "thank"])


def test_saved_and_loaded_model_scores_the_same(model, tmp_path):
    model.save(tmp_path)
    again = NgramIntentModel.load(tmp_path)
    texts = ["消费券哪里领"]
    assert again.probabilities(texts, [list(texts[0])]) == model.probabilities(texts, [list(texts[0])])
    assert NgramIntentModel.load(tmp_path / "missing") is None


def test_blend_mixes_by_weight_and_ranks():
    diet = [{"name": "a", "confidence": 0.6}, {"name": "b", "confidence": 0.4}]
    ranking = blend(diet, {"a": 0.1, "b": 0.7, "c": 0.2}, weight=0.5)
    assert [r["name"] for r in ranking] == ["b", "a", "c"]
    assert [r["confidence"] for r in ranking] == pytest.approx([0.55, 0.35, 0.1])
    assert blend(diet, {"a": 0.1, "b": 0.9}, weight=0.0)[0] == {"name": "a", "confidence": 0.6}
    assert len(blend(diet, {"c": 0.5, "d": 0.5}, weight=0.5, length=3)) == 3
    with pytest.raises(ValueError):
        blend(diet, {}, weight=1.5)


# ---- the Rasa component -------------------------------------------------------------------------


def tokenized(text, intent=None):
    from rasa.nlu.tokenizers.tokenizer import Token

    message = Message(data={"text": text, **({"intent": intent} if intent else {})})
    message.set("text_tokens", [Token(c, i) for i, c in enumerate(text)])
    return message


@pytest.fixture
def storage(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    return LocalModelStorage(tmp_path), Resource("blender"), ExecutionContext(GraphSchema({}), "test")


def test_the_component_overrules_a_wrong_classifier_when_its_own_model_is_sure(storage):
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.components import NgramIntentBlender

    model_storage, resource, context = storage
    data = TrainingData([tokenized(t, i) for i, ts in EXAMPLES.items() for t in ts])
    NgramIntentBlender.create({"weight": 0.6}, model_storage, resource, context).train(data)
    blender = NgramIntentBlender.load({"weight": 0.6}, model_storage, resource, context)

    message = tokenized("消费券哪里领")
    message.set("intent", {"name": "thank", "confidence": 0.55})
    message.set(
        "intent_ranking",
        [{"name": "thank", "confidence": 0.55}, {"name": "ask_consumption_voucher", "confidence": 0.45}],
    )
    [out] = blender.process([message])
    assert out.get("intent")["name"] == "ask_consumption_voucher"
    assert out.get("intent") == out.get("intent_ranking")[0]
    confidences = [r["confidence"] for r in out.get("intent_ranking")]
    assert confidences == sorted(confidences, reverse=True) and sum(confidences) == pytest.approx(1.0, abs=1e-4)


def test_an_untrained_component_leaves_the_ranking_alone(storage):
    from bot.nlu.components import NgramIntentBlender

    model_storage, resource, context = storage
    blender = NgramIntentBlender.load({}, model_storage, resource, context)
    message = tokenized("你好")
    message.set("intent", {"name": "greet", "confidence": 0.9})
    [out] = blender.process([message])
    assert out.get("intent") == {"name": "greet", "confidence": 0.9}
