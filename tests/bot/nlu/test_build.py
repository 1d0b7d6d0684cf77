import spacy
import yaml

from bot.nlu import build
from bot.nlu.jieba_dict import load_project_dictionary


def test_entity_terms_come_from_the_policy_data(book):
    terms = build.entity_terms(book)
    assert "consumption_voucher" in terms["benefit"]["消费券"]
    assert terms["region"]["嵊泗"] == {"shengsi"} and terms["region"]["苏州"] == {"jiangsu"}
    assert terms["region"]["上海"] == set()  # uncovered place: no canonical value
    assert "快递小哥" in terms["group"]
    labels_of = {}
    for label, by_term in terms.items():
        for term in by_term:
            labels_of.setdefault(term, []).append(label)
    assert all(len(labels) == 1 for labels in labels_of.values())


def test_spacy_pipeline_finds_policy_entities(tmp_path, book):
    terms = build.entity_terms(book)
    build.write_jieba_terms(terms, tmp_path / "jieba" / "policy_terms.txt")
    load_project_dictionary(tmp_path / "jieba")
    build.build_spacy(build.ruler_patterns(terms), tmp_path / "spacy")
    nlp = spacy.load(tmp_path / "spacy")
    cases = {
        "嵊泗的留工补助怎么领": {("嵊泗", "region"), ("留工补助", "benefit")},
        "我在苏州上班，消费券能领吗": {("苏州", "region"), ("消费券", "benefit")},
        "外卖骑手过年有补贴吗": {("外卖骑手", "group")},
        "上海有没有包车补贴": {("上海", "region"), ("包车补贴", "benefit")},
    }
    for text, expected in cases.items():
        found = {(e.text, e.label_) for e in nlp(text).ents}
        assert expected <= found, text


def test_synonyms_file_is_valid_rasa_data(tmp_path, book):
    path = tmp_path / "synonyms.yml"
    build.write_synonyms(build.entity_terms(book), path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    synonyms = {item["synonym"]: item["examples"] for item in data["nlu"]}
    assert "- 嵊泗县" in synonyms["shengsi"] and "- 消费券" in synonyms["consumption_voucher"]
