"""`ProductWriter` / `ProductModelWriter`: send products or product models as PATCH collections
and report one `LineResult` per record.

The writer owns batching (callers never slice): at most 100 products per call
(`application/vnd.akeneo.collection+json`, one JSON product per line), several calls in flight
within the connection's cap. A batch refused as too large (413, or a 403 from the platform in
front of Akeneo) is halved and resent. Records Akeneo would refuse anyway are refused locally
and never sent: no product key (or model code), an attribute Akeneo does not know, a line over
1,000,000 chars. Records travel as given: `parent`, `associations` and `quantified_associations`
included.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import msgspec

from akeneo.errors import AkeneoForbiddenError, AkeneoRequestTooLarge, AkeneoValidationError
from akeneo.transport import Transport

log = logging.getLogger(__name__)

COLLECTION_CONTENT_TYPE = "application/vnd.akeneo.collection+json"
MAX_BATCH_SIZE = 100
MAX_LINE_CHARS = 1_000_000
# One JSON line per record, UTF-8 as Akeneo reads it (non-ASCII not escaped); what JSON has no
# type for is sent as its text.
_encode = msgspec.json.Encoder(enc_hook=str).encode
_decode = msgspec.json.Decoder().decode
PRODUCT_MODELS_PATH = "/api/rest/v1/product-models"
CATEGORIES_PATH = "/api/rest/v1/categories"
# A 403 whose message says this is Akeneo's permission check, not a platform size limit:
# splitting would only resend the same refusal many times.
PERMISSION_WORDS = ("not allowed", "access forbidden", "permission")


@dataclass(frozen=True)
class LineError:
    """One entry of Akeneo's `errors` list for a refused line."""

    message: str
    property: str | None = None
    attribute: str | None = None
    locale: str | None = None
    scope: str | None = None

    def describe(self) -> str:
        where = self.attribute or self.property
        context = ", ".join(f"{k} {v}" for k, v in (("locale", self.locale), ("scope", self.scope)) if v)
        prefix = f"{where}" + (f" ({context})" if context else "") if where else ""
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass(frozen=True)
class LineResult:
    """Outcome of the record at `index` in the writer's input. A record refused locally has
    `sent=False` and no `status_code`."""

    index: int
    identifier: str | None
    uuid: str | None
    status_code: int | None
    message: str | None = None
    errors: tuple[LineError, ...] = field(default=())
    sent: bool = True
    code: str | None = None  # product models: their code (identifier and uuid stay None)

    @property
    def ok(self) -> bool:
        return self.status_code in (200, 201, 204)

    @property
    def created(self) -> bool:
        return self.status_code == 201

    @property
    def updated(self) -> bool:
        return self.status_code == 204

    @property
    def summary(self) -> str:
        """One readable line: Akeneo's message and every error detail."""
        if self.ok:
            return "created" if self.created else "updated"
        parts = [self.message] if self.message else []
        parts += [error.describe() for error in self.errors]
        return " | ".join(parts) or f"refused (HTTP {self.status_code})"


@dataclass
class _Line:
    index: int
    key: str | None
    text: bytes  # the record as one JSON line, UTF-8


@dataclass(frozen=True, slots=True)
class EncodedRecord:
    """A record already encoded as its JSON line (UTF-8) with its key, sent as it is: the caller
    encoded it once and checked its attributes (`known_attributes` is not applied to it)."""

    key: str | None
    line: bytes


class ProductWriter:
    """Writes products through one connection's transport (see module docstring)."""

    what = "products"

    def __init__(self, transport: Transport, *, known_attributes: Iterable[str] | None = None,
                 batch_size: int = MAX_BATCH_SIZE) -> None:
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH_SIZE}")
        self.transport = transport
        self.settings = transport.settings
        self.known_attributes = frozenset(known_attributes) if known_attributes is not None else None
        self.batch_size = batch_size
        self.path = self.settings.products_path
        self.key_field = self.settings.product_key

    def write(self, records: Iterable[Mapping | EncodedRecord]) -> list[LineResult]:
        """Send every record; return one `LineResult` per record, in input order."""
        results: dict[int, LineResult] = {}
        workers = self.settings.max_concurrent_requests
        in_flight: set[Future] = set()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="akeneo-patch") as pool:
            try:
                for batch in self._batches(records, results):
                    if len(in_flight) >= 2 * workers:
                        done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                        self._collect(done, results)
                    in_flight.add(pool.submit(self._send, batch))
                done, in_flight = wait(in_flight)
                self._collect(done, results)
            except BaseException:
                for future in in_flight:
                    future.cancel()
                raise
        return [results[i] for i in sorted(results)]

    @staticmethod
    def _collect(done: Iterable[Future], results: dict[int, LineResult]) -> None:
        for future in done:
            for result in future.result():
                results[result.index] = result

    # -- local checks and batching ----------------------------------------------------------

    def _batches(self, records: Iterable[Mapping], results: dict[int, LineResult]) -> Iterator[list[_Line]]:
        batch: list[_Line] = []
        for index, record in enumerate(records):
            line_or_refusal = self._prepare(index, record)
            if isinstance(line_or_refusal, LineResult):
                results[index] = line_or_refusal
                continue
            batch.append(line_or_refusal)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _prepare(self, index: int, record: Mapping | EncodedRecord) -> _Line | LineResult:
        key_field = self.key_field
        if isinstance(record, EncodedRecord):
            if not isinstance(record.key, str) or not record.key.strip():
                return self._refuse(index, None, f"the record has no {key_field}, which the "
                                                 f"{self.path} endpoint needs")
            return self._checked_length(index, record.key, record.line)
        if not isinstance(record, Mapping):
            return self._refuse(index, None, "the record is not a JSON object")
        key = record.get(key_field)
        if not isinstance(key, str) or not key.strip():
            return self._refuse(index, None, f"the record has no {key_field}, which the "
                                             f"{self.path} endpoint needs")
        values = record.get("values") or {}
        if self.known_attributes is not None and isinstance(values, Mapping):
            unknown = sorted(values.keys() - self.known_attributes)
            if unknown:
                errors = tuple(LineError(property="values", attribute=code,
                                         message=f"attribute {code!r} does not exist in Akeneo")
                               for code in unknown)
                return self._refuse(index, key, "not sent: it writes attributes Akeneo does not "
                                                "have: " + ", ".join(unknown), errors)
        return self._checked_length(index, key, _encode(record))

    def _checked_length(self, index: int, key: str, text: bytes) -> _Line | LineResult:
        if len(text) > MAX_LINE_CHARS and (chars := len(text.decode())) > MAX_LINE_CHARS:  # bytes >= chars
            return self._refuse(index, key, f"not sent: the record is {chars:,} characters "
                                            f"as JSON, over Akeneo's {MAX_LINE_CHARS:,} per line")
        return _Line(index, key, text)

    def _refuse(self, index: int, key: str | None, message: str,
                errors: tuple[LineError, ...] = ()) -> LineResult:
        return self._result(index, key, status=None, message=message, errors=errors, sent=False)

    def _result(self, index: int, key: str | None, status: int | None, message: str | None,
                errors: tuple[LineError, ...] = (), answer: Mapping | None = None,
                sent: bool = True) -> LineResult:
        answer = answer or {}
        identifier = answer.get("identifier")
        uuid = answer.get("uuid")
        if self.key_field == "uuid":
            uuid = uuid or key
        else:
            identifier = identifier or key
        return LineResult(index=index, identifier=identifier, uuid=uuid, status_code=status,
                          message=message, errors=errors, sent=sent)

    # -- sending ----------------------------------------------------------------------------

    def _send(self, batch: list[_Line]) -> list[LineResult]:
        body = b"\n".join(line.text for line in batch)
        try:
            response = self.transport.request(
                "PATCH", self.path, data=body,
                headers={"Content-Type": COLLECTION_CONTENT_TYPE})
        except AkeneoRequestTooLarge as exc:
            return self._split(batch, exc)
        except AkeneoForbiddenError as exc:
            if _is_permission_refusal(exc.akeneo_message):
                raise
            return self._split(batch, exc)
        except AkeneoValidationError as exc:
            # The whole call was refused (e.g. malformed body): every line shares the reason.
            return [self._result(line.index, line.key, exc.status, exc.akeneo_message)
                    for line in batch]
        return self._parse(batch, response.content)

    def _split(self, batch: list[_Line], exc) -> list[LineResult]:
        if len(batch) == 1:
            line = batch[0]
            return [self._result(line.index, line.key, exc.status, exc.akeneo_message)]
        log.info("Akeneo refused a batch of %d %s as too large (HTTP %s); splitting it",
                 len(batch), self.what, exc.status)
        half = len(batch) // 2
        return self._send(batch[:half]) + self._send(batch[half:])

    def _parse(self, batch: list[_Line], text: bytes) -> list[LineResult]:
        answers: dict[int, dict] = {}
        for raw in text.splitlines():
            raw = raw.strip()
            if not raw:
                continue
            try:
                answer = _decode(raw)
            except msgspec.DecodeError:
                continue
            if isinstance(answer, dict) and isinstance(answer.get("line"), int):
                answers[answer["line"]] = answer
        results = []
        for position, line in enumerate(batch, start=1):
            answer = answers.get(position)
            if answer is None:
                results.append(self._result(line.index, line.key, None,
                                            "Akeneo's answer has no line for this record"))
                continue
            errors = tuple(_line_error(e, self.transport.clean) for e in answer.get("errors") or []
                           if isinstance(e, dict))
            message = answer.get("message")
            results.append(self._result(line.index, line.key, answer.get("status_code"),
                                        self.transport.clean(message) if message else message, errors, answer))
        return results


class ProductModelWriter(ProductWriter):
    """Writes product models (`code` is their key) to the product-models PATCH collection."""

    what = "product models"

    def __init__(self, transport: Transport, *, known_attributes: Iterable[str] | None = None,
                 batch_size: int = MAX_BATCH_SIZE) -> None:
        super().__init__(transport, known_attributes=known_attributes, batch_size=batch_size)
        self.path = PRODUCT_MODELS_PATH
        self.key_field = "code"

    def _result(self, index: int, key: str | None, status: int | None, message: str | None,
                errors: tuple[LineError, ...] = (), answer: Mapping | None = None,
                sent: bool = True) -> LineResult:
        code = (answer or {}).get("code") or key
        return LineResult(index=index, identifier=None, uuid=None, status_code=status, message=message,
                          errors=errors, sent=sent, code=code)


class CategoryWriter(ProductModelWriter):
    """Writes categories (`code` is their key) to the categories PATCH collection. Batches go out
    concurrently: write one level of a tree at a time, parents first."""

    what = "categories"

    def __init__(self, transport: Transport, *, batch_size: int = MAX_BATCH_SIZE) -> None:
        super().__init__(transport, batch_size=batch_size)
        self.path = CATEGORIES_PATH


def _line_error(raw: Mapping, clean) -> LineError:
    """One of a line's errors; its message without the connection's secrets (`clean`): it goes to
    the feedback file and the logs."""
    return LineError(message=clean(str(raw.get("message") or "")), property=raw.get("property"),
                     attribute=raw.get("attribute"), locale=raw.get("locale"), scope=raw.get("scope"))


def _is_permission_refusal(message: str | None) -> bool:
    text = (message or "").lower()
    return any(word in text for word in PERMISSION_WORDS)
