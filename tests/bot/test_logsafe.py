"""`python -m bot.logsafe <module>`: what a process writes (prints, logs configured before and after
the start, Rasa's warnings and structlog lines, access lines, exceptions, forked workers) never
holds a phone or an ID number whole, whichever spelling of tests/bot/test_mask_spellings.py."""

import io
import json
import subprocess
import sys
import textwrap

from bot.logsafe import LINE_LIMIT, MaskingStream
from tests.bot.test_mask_spellings import SPELLINGS, assert_masked
from tests.conftest import REPO_ROOT

APP = textwrap.dedent('''
    """Leaks every spelling it is given in every way a server process writes."""
    import json
    import logging
    import logging.config
    import multiprocessing
    import sys
    import warnings

    early = logging.getLogger("early")  # a handler made before the start, on the real stderr
    early.addHandler(logging.StreamHandler(sys.__stderr__))
    early.propagate = False

    path, log_file = sys.argv[1], sys.argv[2]
    spellings = json.load(open(path, encoding="utf-8"))
    print("argv", sys.argv[0])

    # Logging configured after the start, as Rasa and Sanic do it.
    import structlog
    from rasa.shared.utils.io import raise_warning
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.INFO)
    configure_structlog(logging.INFO)
    logging.config.dictConfig({"version": 1, "incremental": False, "disable_existing_loggers": False,
        "formatters": {"access": {"format": "%(request)s %(message)s"}},
        "handlers": {"file": {"class": "logging.FileHandler", "filename": log_file, "encoding": "utf-8"},
                     "access": {"class": "logging.StreamHandler", "formatter": "access",
                                "stream": "ext://sys.stdout"}},
        "loggers": {"rasa.late": {"handlers": ["file"], "level": "INFO"},
                    "sanic.access": {"handlers": ["access"], "level": "INFO", "propagate": False}}})
    late, access = logging.getLogger("rasa.late"), logging.getLogger("sanic.access")

    def child(text):
        print("child", text[:3], end="")
        sys.stdout.write(text[3:] + "\\n")
        logging.getLogger("rasa.core.run").warning("worker got %s", text)

    for index, text in enumerate(spellings):
        print("print", text)
        sys.stdout.write("parts " + text[:4])
        sys.stdout.write(text[4:] + "\\n")
        early.error("early %s", text)
        late.info("late %s", text)
        access.info("", extra={"request": "POST /webhooks/rest/webhook?q=" + text})
        structlog.get_logger().info("processor.message", user_text=text)
        raise_warning(f"Failed to parse arguments in line '/inform{{\\"phone\\": \\"{text}\\"}}'.")
        warnings.warn(f"plain warning {index} {text}")
        logging.getLogger("rasa.core.actions.action").error(
            "Failed to run custom action. Error: " + json.dumps({"tracker": {"latest_message": {"text": text}}}))
        try:
            raise ValueError(f"bad value {text}")
        except ValueError:
            logging.getLogger("rasa.core.processor").exception("exception %s", index)
    worker = multiprocessing.get_context("fork").Process(target=child, args=(spellings[0],))
    worker.start()
    worker.join()
    print("done", flush=True)
    raise RuntimeError("the last words: " + spellings[-1])
''')


def test_nothing_a_process_writes_holds_a_number_whole(tmp_path):
    (tmp_path / "leaky_app.py").write_text(APP, encoding="utf-8")
    data = tmp_path / "spellings.json"
    data.write_text(json.dumps([text for text, _ in SPELLINGS], ensure_ascii=False), encoding="utf-8")
    log_file = tmp_path / "late.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{tmp_path}:{REPO_ROOT}",
        "PYTHONIOENCODING": "utf-8",
        "LOG_LEVEL": "INFO",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.logsafe", "leaky_app", str(data), str(log_file)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
    )
    stdout, stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    written = stdout + stderr + log_file.read_text(encoding="utf-8")
    assert done.returncode == 1 and "RuntimeError: the last words" in stderr, stderr[-2000:]
    assert "leaky_app.py\n" in stdout and "done" in stdout and "child " in stdout  # argv[0] as with -m
    for marker in (
        "print ",
        "parts ",
        "early ",
        "late ",
        "POST /webhooks",
        "processor.message",
        "Failed to parse arguments",
        "plain warning",
        "Failed to run custom action",
        "ValueError: bad value",
        "worker got",
    ):
        assert written.count(marker) >= len(SPELLINGS) or marker == "worker got", marker
    for text, numbers in SPELLINGS:
        assert_masked(written, numbers)
    assert written.count("****") >= 10 * len(SPELLINGS)


def test_without_a_module_it_says_how_to_use_it():
    done = subprocess.run([sys.executable, "-m", "bot.logsafe"], cwd=REPO_ROOT, capture_output=True, timeout=60)
    assert done.returncode == 2 and b"usage: python -m bot.logsafe <module>" in done.stderr


def test_the_module_exit_status_is_the_process_exit_status(tmp_path):
    (tmp_path / "exits.py").write_text("import sys\nprint('电话180 2992 4946')\nsys.exit(3)\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot.logsafe", "exits"],
        cwd=tmp_path,
        capture_output=True,
        env={"PYTHONPATH": f"{tmp_path}:{REPO_ROOT}", "PYTHONIOENCODING": "utf-8"},
        timeout=60,
    )
    assert done.returncode == 3 and done.stdout.decode("utf-8") == "电话180****4946\n"


def test_a_line_written_in_pieces_is_masked_whole():
    out = io.StringIO()
    stream = MaskingStream(out)
    for piece in ["电话1", "80-29", "92-4", "946", "，身份证410102-1987", "0707-1437", "\n", "尾巴1802992"]:
        stream.write(piece)
    assert out.getvalue() == "电话180****4946，身份证410102********1437\n"
    stream.write("4946")
    stream.flush()
    assert out.getvalue().endswith("尾巴180****4946")


def test_a_long_line_is_written_in_parts_between_numbers():
    out = io.StringIO()
    stream = MaskingStream(out)
    stream.write("字" * (LINE_LIMIT - 5) + "电话180 2992 4946" + "，" + "180 2992")
    assert out.getvalue() == "字" * (LINE_LIMIT - 5) + "电话180****4946，"
    stream.write(" 4946\n")
    assert out.getvalue().endswith("，180****4946\n")
