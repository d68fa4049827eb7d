"""PATCH collections: batching, splitting, local refusals and LineResult parsing."""
import json

import pytest
import responses
from akeneo_unit_helpers import BASE, make_settings

from akeneo.client import AkeneoClient
from akeneo.errors import AkeneoForbiddenError
from akeneo.writer import LineError, LineResult, ProductWriter

PRODUCTS = BASE + "/api/rest/v1/products"
PRODUCTS_UUID = BASE + "/api/rest/v1/products-uuid"


def akeneo_collection(refuse: dict[str, dict] | None = None, too_large_over: int | None = None,
                      too_large_status: int = 413, key: str = "identifier"):
    """A PATCH collection endpoint: one answer line per body line; `refuse` maps a key to the
    line's error answer; batches over `too_large_over` lines are refused whole."""
    refuse = refuse or {}
    sizes = []

    def callback(request):
        assert request.headers["Content-Type"] == "application/vnd.akeneo.collection+json"
        lines = request.body.decode().split("\n")
        sizes.append(len(lines))
        if too_large_over is not None and len(lines) > too_large_over:
            return too_large_status, {}, json.dumps({"code": too_large_status,
                                                     "message": "Request Entity Too Large"})
        answers = []
        for n, line in enumerate(lines, start=1):
            product = json.loads(line)
            answer = {"line": n, key: product[key], "status_code": 204}
            answer.update(refuse.get(product[key], {}))
            answers.append(json.dumps(answer))
        return 200, {}, "\n".join(answers)

    return callback, sizes


def records(n, key="identifier"):
    return [{key: f"sku-{i:04d}", "values": {"name": [{"locale": None, "scope": None, "data": f"n{i}"}]}}
            for i in range(n)]


def test_records_go_in_batches_of_at_most_100_and_results_follow_input_order(token):
    callback, sizes = akeneo_collection()
    token.add_callback(responses.PATCH, PRODUCTS, callback=callback)
    client = AkeneoClient(make_settings(product_id_format="identifier"))
    results = client.patch_products(records(250))
    assert sorted(sizes) == [50, 100, 100]
    assert [r.index for r in results] == list(range(250))
    assert [r.identifier for r in results] == [f"sku-{i:04d}" for i in range(250)]
    assert all(r.ok and r.updated and r.status_code == 204 for r in results)


def test_smaller_batch_size_is_respected(token):
    callback, sizes = akeneo_collection()
    token.add_callback(responses.PATCH, PRODUCTS, callback=callback)
    AkeneoClient(make_settings(product_id_format="identifier")).patch_products(records(25), batch_size=10)
    assert sorted(sizes) == [5, 10, 10]


def test_batch_size_over_akeneos_limit_is_refused():
    with pytest.raises(ValueError):
        ProductWriter(AkeneoClient(make_settings()).transport, batch_size=101)


def test_every_refused_line_reports_akeneos_message_and_errors(token):
    refusal = {"status_code": 422, "message": "Validation failed.", "errors": [
        {"property": "values", "message": "The tommh value is not in the brand attribute option list.",
         "attribute": "brand", "locale": None, "scope": None},
        {"property": "values", "message": "This value is too long.", "attribute": "name",
         "locale": "en_US", "scope": "ecommerce"}]}
    callback, _ = akeneo_collection(refuse={"sku-0001": refusal,
                                            "sku-0003": {"status_code": 201}})
    token.add_callback(responses.PATCH, PRODUCTS, callback=callback)
    results = AkeneoClient(make_settings(product_id_format="identifier")).patch_products(records(4))
    refused = results[1]
    assert not refused.ok and refused.status_code == 422 and refused.sent
    assert refused.message == "Validation failed."
    assert refused.errors == (
        LineError(message="The tommh value is not in the brand attribute option list.",
                  property="values", attribute="brand"),
        LineError(message="This value is too long.", property="values", attribute="name",
                  locale="en_US", scope="ecommerce"))
    assert refused.summary == ("Validation failed. | brand: The tommh value is not in the brand "
                               "attribute option list. | name (locale en_US, scope ecommerce): "
                               "This value is too long.")
    assert results[3].created and results[3].summary == "created"
    assert [r.ok for r in results] == [True, False, True, True]


def test_uuid_format_writes_to_products_uuid_and_reports_uuids(token):
    callback, sizes = akeneo_collection(key="uuid")
    token.add_callback(responses.PATCH, PRODUCTS_UUID, callback=callback)
    results = AkeneoClient(make_settings(product_id_format="uuid")).patch_products(records(3, key="uuid"))
    assert sizes == [3]
    assert [r.uuid for r in results] == ["sku-0000", "sku-0001", "sku-0002"]


@pytest.mark.parametrize("status", [413, 403])
def test_batch_refused_as_too_large_is_split_and_resent(token, status):
    callback, sizes = akeneo_collection(too_large_over=30, too_large_status=status)
    token.add_callback(responses.PATCH, PRODUCTS, callback=callback)
    results = AkeneoClient(make_settings(product_id_format="identifier")).patch_products(records(100))
    assert all(r.ok for r in results) and len(results) == 100
    assert sizes[0] == 100
    assert sum(s for s in sizes if s <= 30) == 100  # every record finally sent in a small batch


def test_a_single_record_still_too_large_is_reported_not_retried_forever(token):
    callback, sizes = akeneo_collection(too_large_over=0)
    token.add_callback(responses.PATCH, PRODUCTS, callback=callback)
    results = AkeneoClient(make_settings(product_id_format="identifier")).patch_products(records(4))
    assert [r.status_code for r in results] == [413] * 4
    assert results[0].message == "Request Entity Too Large"
    assert sorted(sizes) == [1, 1, 1, 1, 2, 2, 4]


def test_permission_403_is_raised_not_split(token):
    token.patch(PRODUCTS, status=403, json={"code": 403, "message": "Access forbidden. You are not allowed to create or update products."})
    with pytest.raises(AkeneoForbiddenError, match="not allowed"):
        AkeneoClient(make_settings(product_id_format="identifier")).patch_products(records(10))
    assert sum(1 for c in token.calls if c.request.method == "PATCH") == 1


def test_unknown_attribute_is_refused_locally_and_not_sent(token):
    callback, sizes = akeneo_collection()
    token.add_callback(responses.PATCH, PRODUCTS, callback=callback)
    batch = records(3)
    batch[1]["values"]["colour_typo"] = [{"locale": None, "scope": None, "data": "red"}]
    results = AkeneoClient(make_settings(product_id_format="identifier")).patch_products(
        batch, known_attributes={"name", "sku"})
    assert sizes == [2]
    refused = results[1]
    assert not refused.sent and refused.status_code is None and not refused.ok
    assert refused.identifier == "sku-0001"
    assert "colour_typo" in refused.summary and "does not exist" in refused.summary
    assert refused.errors[0].attribute == "colour_typo"


def test_records_without_their_key_or_with_a_huge_line_are_refused_locally(token):
    callback, sizes = akeneo_collection()
    token.add_callback(responses.PATCH, PRODUCTS, callback=callback)
    batch = [{"values": {}}, {"identifier": "big", "values": {"text": [{"data": "x" * 1_000_001}]}},
             {"identifier": "fine", "values": {}}]
    results = AkeneoClient(make_settings(product_id_format="identifier")).patch_products(batch)
    assert sizes == [1]
    assert "has no identifier" in results[0].message and not results[0].sent
    assert "1,000,000" in results[1].message and results[1].identifier == "big"
    assert results[2].ok


def test_a_whole_batch_refused_as_invalid_reports_every_line(token):
    token.patch(PRODUCTS, status=400, json={"code": 400, "message": "Invalid json message received"})
    results = AkeneoClient(make_settings(product_id_format="identifier")).patch_products(records(3))
    assert [(r.status_code, r.message) for r in results] == [(400, "Invalid json message received")] * 3


def test_an_answer_missing_a_line_is_reported_for_that_line(token):
    token.patch(PRODUCTS, body='{"line":1,"identifier":"sku-0000","status_code":204}\n')
    results = AkeneoClient(make_settings(product_id_format="identifier")).patch_products(records(2))
    assert results[0].ok
    assert results[1].sent and results[1].status_code is None and not results[1].ok
    assert "no line" in results[1].summary


def test_line_result_summary_without_message():
    assert LineResult(0, "a", None, 500).summary == "refused (HTTP 500)"


def test_encoded_records_are_sent_byte_for_byte_and_checked_for_key_and_length(token):
    from akeneo.writer import MAX_LINE_CHARS, EncodedRecord

    bodies = []
    callback, sizes = akeneo_collection()
    token.add_callback(responses.PATCH, PRODUCTS,
                       callback=lambda request: bodies.append(request.body) or callback(request))
    line = '{"identifier":"sku-é","values":{"name":[{"locale":null,"scope":null,"data":"ü 1.50"}]}}'.encode()
    huge = json.dumps({"identifier": "sku-big", "values": {"x": "y" * MAX_LINE_CHARS}}).encode()
    client = AkeneoClient(make_settings(product_id_format="identifier"))
    results = client.writer().write([EncodedRecord("sku-é", line), EncodedRecord("", b'{"values":{}}'),
                                     EncodedRecord("sku-big", huge), {"identifier": "sku-dict", "values": {}}])
    assert bodies == [line + b'\n{"identifier":"sku-dict","values":{}}']  # as given, after the dict one encoded
    assert results[0].ok and results[0].identifier == "sku-é"
    assert not results[1].sent and "has no identifier" in results[1].message
    assert not results[2].sent and "over Akeneo's" in results[2].message
    assert results[3].ok and results[3].identifier == "sku-dict"
