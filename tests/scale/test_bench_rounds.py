"""bench/load.py's ``--rounds``: more app/floor pairs, each pair still run side by side, and
the median of the pairs' ratios printed next to them."""

import pytest

from bench.load import pair_ratios, parse_args, run_order


def test_one_round_is_the_usual_order() -> None:
    a = parse_args(["--scenarios", "a,b,c"])
    assert run_order(a) == [
        ("app", ["a"]),
        ("floor", ["a"]),
        ("floor", ["a"]),
        ("app", ["a"]),
        ("app", ["b"]),
        ("floor", ["b"]),
        ("floor", ["b"]),
        ("app", ["b"]),
        ("app", ["c"]),
        ("floor", ["c"]),
    ]


def test_rounds_repeat_the_pairs_each_side_by_side() -> None:
    order = run_order(parse_args(["--scenarios", "a", "--rounds", "3"]))
    assert len(order) == 12
    app = [i for i, (kind, _) in enumerate(order) if kind == "app"]
    floor = [i for i, (kind, _) in enumerate(order) if kind == "floor"]
    # the k-th app run and the k-th floor run (the pairs ``report`` forms) are neighbours
    assert all(abs(x - y) == 1 for x, y in zip(app, floor, strict=True))


def test_rounds_below_one_are_refused() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--rounds", "0"])


def test_the_median_of_pairs_from_three_pairs_on() -> None:
    assert pair_ratios([1.2]) == ""
    assert pair_ratios([1.2, 1.6]) == "; pairs 1.20x, 1.60x"
    assert pair_ratios([1.2, 1.9, 1.3]) == "; pairs 1.20x, 1.90x, 1.30x; median of pairs 1.30x"
