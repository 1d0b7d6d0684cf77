"""The rule-based NLU components, on Rasa messages, without training."""

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import CueIntentOverride
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def override():
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
    [component] = [c for c in config["pipeline"] if c["name"].endswith("CueIntentOverride")]
    return CueIntentOverride(component)


def classified(text, intent, confidence=0.9):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set(
        "intent_ranking",
        [{"name": intent, "confidence": confidence}, {"name": "complain_wage_arrears", "confidence": 0.05}],
    )
    return message


@pytest.mark.parametrize(
    "text",
    [
        "我叫王大力，电话13912345678，嵊泗某水产公司欠我三个月工资一共一万二",
        "我是刘洋，公司拖欠工资两个月",
        "我叫張偉，工錢一直不給",
        "老板欠薪跑路了，我叫李四",
        "刘洋，13600571234，苏州恒通电子有限公司欠我去年11月到12月的工资",  # 11 characters in between
        "我是陈静，嵊泗华利水产有限公司拖了我3个月工资",
        "我们班组的工钱被拖了快半年",
        "从去年9月份开始就没发过工资",
    ],
)
def test_a_self_introduction_with_unpaid_wages_is_a_complaint(override, text):
    [message] = override.process([classified(text, "inform", 0.97)])
    assert message.get("intent") == {"name": "complain_wage_arrears", "confidence": 0.97}
    # The two swap places: no tie between them for the FallbackClassifier's ambiguity check.
    assert message.get("intent_ranking") == [
        {"name": "complain_wage_arrears", "confidence": 0.97},
        {"name": "inform", "confidence": 0.05},
    ]


@pytest.mark.parametrize(
    "text, predicted",
    [
        ("欠薪投诉办到哪了", "complain_wage_arrears"),
        ("我举报的那个案子有进展没", "check_eligibility"),
        ("上次反映的问题处理到哪了 有结果吗", "inform"),
    ],
)
def test_asking_about_a_complaint_already_made_is_a_status_check(override, text, predicted):
    message = classified(text, predicted, 0.6)
    message.set(
        "intent_ranking",
        [{"name": predicted, "confidence": 0.6}, {"name": "check_complaint_status", "confidence": 0.3}],
    )
    [message] = override.process([message])
    assert message.get("intent") == {"name": "check_complaint_status", "confidence": 0.6}


@pytest.mark.parametrize(
    "text, intent",
    [
        ("我叫王大力，电话13912345678", "inform"),  # no cue
        ("欠了一万二", "inform"),  # an answer inside the form: no wage word
        ("嵊泗留工补助怎么领，公司欠我工资", "ask_retention_bonus"),  # only `inform` is corrected
        ("帮我投诉一下欠薪", "complain_wage_arrears"),  # a new complaint, not a status check
        ("欠了一万二，干了四个月", "inform"),
    ],
)
def test_other_messages_are_left_alone(override, text, intent):
    [message] = override.process([classified(text, intent)])
    assert message.get("intent")["name"] == intent


# ---- ClosedClassGuard: trained on Rasa training data, stored and loaded with the model ----------


def guard_config():
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
    [component] = [c for c in config["pipeline"] if c["name"].endswith("ClosedClassGuard")]
    return component


@pytest.fixture
def trained_guard(tmp_path):
    """The guard trained on a small data set, persisted, and loaded back as Rasa would."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.components import ClosedClassGuard

    examples = {
        "affirm": ["好的", "嗯嗯", "可以", "ok"],
        "greet": ["你好", "hello"],
        "ask_retention_bonus": ["留工补助多少钱"],
        "out_of_scope": ["香蕉"],
    }
    data = TrainingData([Message(data={"text": t, "intent": i}) for i, ts in examples.items() for t in ts])
    storage, resource = LocalModelStorage(tmp_path), Resource("guard")
    context = ExecutionContext(GraphSchema({}), "test")
    ClosedClassGuard.create(guard_config(), storage, resource, context).train(data)
    return ClosedClassGuard.load(guard_config(), storage, resource, context)


@pytest.mark.parametrize("text, predicted", [("企鹅", "affirm"), ("唢呐！", "affirm"), ("葡萄", "greet")])
def test_a_short_message_with_none_of_the_intents_characters_is_out_of_scope(trained_guard, text, predicted):
    [message] = trained_guard.process([classified(text, predicted, 0.95)])
    assert message.get("intent") == {"name": "out_of_scope", "confidence": 0.95}


@pytest.mark.parametrize(
    "text, predicted",
    [
        ("好滴", "affirm"),  # shares 好 with 好的: a variant, kept
        ("OK啦", "affirm"),  # lower-cased before comparing
        ("你們好", "greet"),  # normalised (traditional → simplified) first
        ("企鹅", "ask_retention_bonus"),  # only the guarded intents are checked
        ("企鹅企鹅企鹅企鹅", "affirm"),  # longer than max_chars: left to the classifier
    ],
)
def test_other_predictions_are_kept(trained_guard, text, predicted):
    [message] = trained_guard.process([classified(text, predicted, 0.95)])
    assert message.get("intent")["name"] == predicted
