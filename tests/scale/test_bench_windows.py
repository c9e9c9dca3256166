"""bench/load.py tells a stall from a server past its rate: a step over its p99 says in how
many half-seconds the fan-out's p99 was 50 ms or more, and when."""

from bench.load import slow_windows

T0 = 100.0
SENT = [T0 + i * 0.01 for i in range(800)]  # 8 s of answers, 100 a second


def test_a_stall_is_one_slow_window() -> None:
    lat = [0.2 if 3.0 <= s - T0 < 3.5 else 0.002 for s in SENT]  # 200 ms late for half a second
    w = slow_windows(SENT, lat, T0)
    assert (w["windows"], w["slow"], w["first_s"], w["last_s"]) == (16, 1, 3.0, 3.0)


def test_a_server_past_its_rate_is_slow_in_most_windows() -> None:
    lat = [0.002 + 0.05 * (s - T0) for s in SENT]  # the backlog grows 50 ms a second
    w = slow_windows(SENT, lat, T0)
    assert (w["windows"], w["slow"], w["first_s"], w["last_s"]) == (16, 15, 0.5, 7.5)


def test_a_step_within_its_p99_has_no_slow_window() -> None:
    w = slow_windows(SENT, [0.002] * len(SENT), T0)
    assert w["slow"] == 0 and w["windows"] == 16
