import logging

from bot.text.mask import MaskingFilter, mask_id_number, mask_phone, mask_text


def test_mask_id_and_phone():
    assert mask_id_number("330922199001011234") == "330922********1234"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("139-1234-5678") == "139****5678"


def test_mask_text_masks_every_occurrence():
    text = "身份证330922199001011234，电话13912345678，另一个11010519491231002X"
    masked = mask_text(text)
    assert "199001011234" not in masked and "12345678" not in masked
    assert "330922********1234" in masked and "139****5678" in masked
    assert "110105********002X" in masked


def test_logging_filter_masks_records(caplog):
    logger = logging.getLogger("test.mask")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="test.mask"):
        logger.info("user said %s", "我的电话是13912345678")
    assert "13912345678" not in caplog.text
    assert "139****5678" in caplog.text


def test_an_id_number_right_after_latin_letters_is_masked_too():
    assert mask_text("ID330922199001011234，手机号码13912345678") == "ID330922********1234，手机号码139****5678"
