"""The client message parser's quick path (pydantic's JSON reader, issue 15) gives exactly what
the step-by-step one gives: the same message and id, or the same error code and parameters."""

import pytest

from server.errors import BadMessage
from server.web.messages import AnswerMsg, parse, parse_checked

TEXTS = [
    '{"type":"answer","id":"m1","card_id":"c12","question_id":"q1","value":"yes"}',
    '{"type":"answer","card_id":"c12","question_id":"q1","value":"Nous ne savons pas"}',
    '{"type":"note","text":"caf\\u00e9 \\ud83d\\ude00"}',  # a valid surrogate pair
    '{"type":"note","text":"a\\ud800"}',  # a lone surrogate
    '{"type":"ping","x":' + "9" * 5000 + "}",  # a number Python will not convert
    '{"type":"ping","x":' + "[" * 3000 + "]" * 3000 + "}",  # deeper than the parser goes
    '{"type":"ping","x":NaN}',
    '{"type":"ping","type":"sync"}',  # a repeated key: the last one counts
    '{"type":"ping","id":""}',
    '{"type":"ping","id":"' + "x" * 65 + '"}',
    '{"type":"ping","id":7}',
    "[1]",
    "{}",
    '{"type":5}',
    '{"type":"zz","id":"m2"}',
    '{"type":"answer","id":"m3","card_id":"c12"}',
    '{"type":"answer","id":"m4","card_id":"c12","question_id":"q1","value":3}',
    '{"type":"join","protocol":2.0}',
    '{"type":"join","protocol":"2"}',
    '{"type":"join","protocol":true}',
    '{"type":"join","protocol":0}',
    '{"type":"join","name":"Ana","lang":"de"}',
    '{"type":"consensus","question_id":"q1","value":null}',
    '{"type":"draw","card_id":null,"extra":{"a":[1,2]}}',
    '{"type":"ping"} trailing',
    "",
]


def _outcome(f: object, text: str) -> object:
    try:
        msg, msg_id = f(text)  # type: ignore[operator]
    except BadMessage as exc:
        return ("error", exc.code, exc.params)
    return ("message", msg, msg_id)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("text", TEXTS)
def test_the_quick_path_says_what_the_checked_one_says(text: str) -> None:
    assert _outcome(parse, text) == _outcome(parse_checked, text)


@pytest.mark.timeout(10)
def test_a_vote_is_read_with_its_id() -> None:
    msg, msg_id = parse('{"type":"answer","id":"m9","card_id":"c1","question_id":"q2","value":"no"}')
    assert isinstance(msg, AnswerMsg)
    assert (msg.card_id, msg.question_id, msg.value, msg_id) == ("c1", "q2", "no", "m9")
