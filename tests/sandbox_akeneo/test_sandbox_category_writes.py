"""Category writes: a parent must exist first (earlier lines of a collection count), no cycles,
labels merge per activated locale."""
from __future__ import annotations

import json


def lines_of(answer) -> list[dict]:
    return [json.loads(line) for line in answer.text.split("\n")]


def test_a_collection_creates_parents_first_and_refuses_a_child_before_its_parent(akeneo):
    answer = akeneo.patch_lines("/api/rest/v1/categories", [
        {"code": "orphan", "parent": "spring_collection"},
        {"code": "spring_collection", "parent": None, "labels": {"en_US": "Spring"}},
        {"code": "woman", "parent": "spring_collection"},
        {"code": "master", "labels": {"de_DE": "Stamm"}},
    ])
    assert [(line["code"], line["status_code"]) for line in lines_of(answer)] == [
        ("orphan", 422), ("spring_collection", 201), ("woman", 201), ("master", 204)]
    assert lines_of(answer)[0]["message"] == 'Category "spring_collection" does not exist.'
    woman = akeneo.get("/api/rest/v1/categories/woman").json()
    assert woman["parent"] == "spring_collection"
    master = akeneo.get("/api/rest/v1/categories/master").json()
    assert master["labels"]["de_DE"] == "Stamm" and master["labels"]["en_US"] == "Master"


def test_a_category_cannot_move_under_itself_or_use_an_inactive_locale(akeneo):
    answer = akeneo.patch("/api/rest/v1/categories/master", {"parent": "clothing"})
    assert answer.status_code == 422 and "under itself" in answer.text
    answer = akeneo.patch("/api/rest/v1/categories/new_one", {"labels": {"xx_XX": "?"}})
    assert answer.status_code == 422 and "xx_XX" in answer.text
    answer = akeneo.patch("/api/rest/v1/categories/new_one", {"parent": None, "nope": 1})
    assert answer.status_code == 422 and answer.json()["message"].startswith('Property "nope" does not exist.')
