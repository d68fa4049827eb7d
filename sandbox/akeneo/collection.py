"""PATCH collections (`application/vnd.akeneo.collection+json`): one JSON resource per line in,
one JSON answer per line out, like Akeneo's StreamResourceResponse."""
from __future__ import annotations

import json
from typing import Callable

from starlette.requests import Request
from starlette.responses import Response

from sandbox.akeneo.errors import ApiError
from sandbox.akeneo.web import check_content_type

COLLECTION_TYPE = "application/vnd.akeneo.collection+json"
MAX_RESOURCES = 100
MAX_LINE_LENGTH = 1_000_000


def collection_line(number: int, line: bytes, key_name: str, apply: Callable[[str, dict], tuple]) -> dict:
    """The answer to one line; `apply(key, payload)` returns (record, created) or raises ApiError."""
    if len(line) > MAX_LINE_LENGTH:
        return {"line": number, "status_code": 413, "message": "Line is too long."}
    try:
        payload = json.loads(line)
    except ValueError:
        return {"line": number, "status_code": 400, "message": "Invalid json message received"}
    key = payload.get(key_name) if isinstance(payload, dict) else None
    if key is not None and not isinstance(key, str):
        return {"line": number, "status_code": 422, "message": f"{key_name} must be of type string."}
    if key is None or not key.strip():
        return {"line": number, "status_code": 422, "message": f"{key_name.capitalize()} is missing."}
    answer: dict = {"line": number, key_name: key}
    try:
        _, created = apply(key, payload)
        answer["status_code"] = 201 if created else 204
    except ApiError as error:
        body = error.body()
        answer["status_code"] = body.pop("code")
        answer.update(body)
    return answer


async def patch_collection(request: Request, key_name: str, apply: Callable[[str, dict], tuple]) -> Response:
    check_content_type(request, COLLECTION_TYPE)
    lines = (await request.body()).split(b"\n")
    if lines and not lines[-1].strip():
        lines.pop()
    if len(lines) > MAX_RESOURCES:
        raise ApiError(413, f"Too many resources to process, {MAX_RESOURCES} is the maximum allowed.")
    answers = [json.dumps(collection_line(number, line.rstrip(b"\r"), key_name, apply), ensure_ascii=False)
               for number, line in enumerate(lines, start=1)]
    return Response("\n".join(answers).encode(), media_type=COLLECTION_TYPE)
