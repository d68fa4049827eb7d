"""libyaml reads profiles exactly as PyYAML's pure-Python loader did: same data, same refusals with
the same message, line and column."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from pimflow.errors import ProfileError
from pimflow.loader import _UniqueKeyLoader, load_yaml, parse_profile

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "include" / "profiles").glob("*.yaml"))]


def outcome(read, text: str):
    try:
        return "ok", read(text)
    except Exception as exc:  # noqa: BLE001 (the kind and the words are compared)
        return type(exc).__name__, str(exc)


def pure(text: str):
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (safe loader)


def mutations(count: int, seed: int):
    """Shipped profiles with a few characters inserted, dropped, replaced or copied from elsewhere."""
    rng = random.Random(seed)
    alphabet = " \n:-[]{},'\"#&*!|>%@`?\\.=~^$;<\r\x85\u2028é\ufeff\t0"
    for _ in range(count):
        text = rng.choice(SHIPPED)
        for _ in range(rng.randint(1, 4)):
            at, roll = rng.randrange(len(text)), rng.random()
            if roll < 0.4:
                text = text[:at] + rng.choice(alphabet) + text[at:]
            elif roll < 0.6:
                text = text[:at] + text[at + 1:]
            elif roll < 0.8:
                text = text[:at] + rng.choice(alphabet) + text[at + 1:]
            else:
                start = rng.randrange(len(text))
                text = text[:at] + text[start:start + rng.randint(1, 20)] + text[at:]
        yield text


def test_mutated_profiles_read_the_same_as_with_the_pure_loader():
    different = [text for text in mutations(400, seed=5) if outcome(load_yaml, text) != outcome(pure, text)]
    assert not different, different[:3]


@pytest.mark.parametrize("text", [
    "id: x\nsource: [unclosed\n",            # libyaml words it differently: the pure loader's words are kept
    "id: x\nid: y\n",                        # a key given twice
    "a: \t1\n",                              # libyaml takes a tab here, the pure loader refuses it
    "a: {b: c?d}\n",                         # a '?' inside {...}
    "a: {b:,c}\n",                           # ':' before ',' inside {...}
    "a: b\x07c\n",                           # a control character
    "a: [1, 2]\nb: !\n",                     # a bare tag
    "a: 2026-02-30\nb: [2026-02-28 25:00:00]\n",  # shaped like timestamps, no real ones: their text
])
def test_texts_the_two_parsers_disagree_on_read_as_the_pure_loader_reads_them(text):
    assert outcome(load_yaml, text) == outcome(pure, text)


def test_a_refusal_names_the_line_and_column(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("id: x\nsource: {kind: feed\ntarget: [\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        parse_profile(path)
    [(field, reason)] = caught.value.problems
    assert (field, reason) == ("", "not valid YAML: expected ',' or '}', but got ':' (line 3, column 7)")
