"""docs/openapi.yaml and the daemon agree: every documented operation is called for real and its
answer checked against the documented schema; every route the daemon serves is documented."""
import os
import time
from decimal import Decimal

import yaml

from conftest import ADMIN, ALICE, BOB

SPEC = yaml.safe_load(open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.yaml")))


def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        path = node["$ref"].lstrip("#/").split("/")
        node = SPEC
        for part in path:
            node = node[part]
    return node


def check(value, schema, where):
    """A small JSON-schema check: types, required fields, enums, nullable, arrays, oneOf."""
    schema = resolve(schema)
    if value is None:
        assert schema.get("nullable"), f"{where}: null where {schema} is not nullable"
        return
    if "oneOf" in schema:
        errors = []
        for option in schema["oneOf"]:
            try:
                check(value, option, where)
                return
            except AssertionError as e:
                errors.append(str(e))
        raise AssertionError(f"{where}: matches none of {errors}")
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool,
             "integer": int, "number": (int, Decimal)}
    if kind:
        assert isinstance(value, types[kind]) and not (kind in ("integer", "number") and isinstance(value, bool)), \
            f"{where}: {value!r} is not {kind}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if kind == "object":
        for name in schema.get("required", []):
            assert name in value, f"{where}: missing {name}"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                check(value[name], sub, f"{where}.{name}")
    if kind == "array":
        for i, item in enumerate(value):
            check(item, schema["items"], f"{where}[{i}]")


# How to call each documented operation: (key, path, body, headers).
def examples(order_id, open_order_id):
    return {
        "submitOrder": (ALICE, "/v1/order", {"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit",
                                              "price": "30000000", "quantity": "0.01"}, {}),
        "cancelOrderByBody": (ALICE, "/v1/order/cancel", {"order_id": open_order_id}, {}),
        "getOrder": (BOB, "/v1/order/" + order_id, None, {}),
        "getOrderByClientId": (ALICE, "/v1/order?client_order_id=openapi-resting", None, {}),
        "cancelOrder": (ALICE, "/v1/order/" + order_id, None, {}),
        "amendOrder": (ALICE, "/v1/order/{amendable}", {"price": "21000000", "quantity": "0.02"}, {}),
        "cancelAllOrders": (BOB, "/v1/orders?symbol=ETH-KRW", None, {}),
        "haltMarket": (None, "/v1/admin/markets/ETH-KRW/halt", None, {"X-Admin-Token": ADMIN}),
        "resumeMarket": (None, "/v1/admin/markets/ETH-KRW/resume", None, {"X-Admin-Token": ADMIN}),
        "listOrders": (ALICE, "/v1/orders?status=all", None, {}),
        "listExecutions": (BOB, "/v1/execution?symbol=BTC-KRW&limit=10", None, {}),
        "getBalances": (ALICE, "/v1/account/balances", None, {}),
        "deposit": (None, "/v1/admin/deposit", {"account_id": 2, "asset": "KRW", "amount": "1000"},
                    {"X-Admin-Token": ADMIN}),
        "listAccounts": (None, "/v1/admin/accounts", None, {"X-Admin-Token": ADMIN}),
        "createAccount": (None, "/v1/admin/accounts", {"name": "erin"}, {"X-Admin-Token": ADMIN}),
        "issueKey": (None, "/v1/admin/accounts/3/keys", {"scope": "read_only"}, {"X-Admin-Token": ADMIN}),
        "revokeKey": (None, "/v1/admin/keys/{key_id}", None, {"X-Admin-Token": ADMIN}),
        "listAlerts": (None, "/v1/admin/alerts?symbol=BTC-KRW&limit=10", None, {"X-Admin-Token": ADMIN}),
        "dailyReport": (None, "/v1/admin/reports/daily?date=" + time.strftime("%Y-%m-%d", time.gmtime()), None,
                        {"X-Admin-Token": ADMIN}),
        "listMarkets": (None, "/api/v1/markets", None, {}),
        "getOrderBook": (None, "/api/v1/orderbook/BTC-KRW?depth=5", None, {}),
        "listPublicTrades": (None, "/api/v1/executions/BTC-KRW?limit=5", None, {}),
        "getStatistics": (None, "/api/v1/statistics/BTC-KRW", None, {}),
        "getKlines": (None, "/api/v1/klines/BTC-KRW/1m?limit=5", None, {}),
        "getPipelines": (None, "/api/v1/system/pipelines", None, {}),
        "health": (None, "/health", None, {}),
        "ready": (None, "/ready", None, {}),
        "metrics": (None, "/metrics", None, {}),
        "webRoot": (None, "/", None, {}),
    }


def operations():
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "delete", "put", "patch"):
                yield path, method, op


def test_every_documented_operation_answers_as_documented(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    # Something to look at: a trade between bob and alice, and an open order of alice's.
    _, sell, _ = bob.order(side="Sell", price="40000000", quantity="0.02")
    alice.order(side="Buy", price="40000000", quantity="0.02")
    _, resting, _ = alice.order(side="Buy", price="20000000", quantity="0.01",
                                client_order_id="openapi-resting")
    _, other, _ = bob.order(side="Buy", price="20000000", quantity="0.01")
    _, amendable, _ = alice.order(side="Buy", price="20000000", quantity="0.01")
    bob.order(symbol="ETH-KRW", side="Sell", price="9000000", quantity="0.1")

    calls = examples(sell["order_id"], resting["order_id"])
    documented = {op["operationId"] for _, _, op in operations()}
    assert documented == set(calls), "operations without a call here, or calls for no operation"
    for path, method, op in operations():
        key, target, body, headers = calls[op["operationId"]]
        if op["operationId"] == "cancelOrder":
            key, target = BOB, "/v1/order/" + other["order_id"]
        target = target.replace("{amendable}", amendable["order_id"])
        if op["operationId"] == "revokeKey":  # a key issued for the purpose
            issued = daemon.client().post("/v1/admin/accounts/3/keys", {}, headers=headers)[1]
            target = target.replace("{key_id}", issued["key_id"])
        status, answer, res = daemon.client(key).request(method.upper(), target, body, headers=headers)
        responses = op["responses"]
        assert str(status) in responses, f"{method} {path}: {status} is not documented"
        assert status in (200, 201), f"{method} {path}: {status} {answer}"
        content = resolve(responses[str(status)]).get("content", {})
        media = next(iter(content))
        assert res.getheader("Content-Type").startswith(media), (path, res.getheader("Content-Type"))
        if media == "application/json":
            check(answer, content[media]["schema"], f"{method} {path}")


def test_errors_are_documented_with_the_error_schema(daemon):
    alice = daemon.client(ALICE)
    cases = [
        ("post", "/v1/order", ALICE, {"symbol": "NOPE"}, 400),
        ("post", "/v1/order", None, {"symbol": "BTC-KRW"}, 401),
        ("post", "/v1/order", ALICE, {"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit",
                                      "price": "9000000000", "quantity": "1000"}, 402),
        ("get", "/v1/order/{order_id}", ALICE, None, 404),
        ("get", "/api/v1/orderbook/{symbol}", None, None, 404),
    ]
    for method, path, key, body, expected in cases:
        target = path.replace("{order_id}", "999999").replace("{symbol}", "NOPE")
        status, answer, _ = daemon.client(key).request(method.upper(), target, body)
        assert status == expected, (path, status, answer)
        documented = SPEC["paths"][path][method]["responses"]
        assert str(status) in documented, (path, status)
        check(answer, resolve(documented[str(status)])["content"]["application/json"]["schema"], path)
    assert alice.get("/v1/order/abc")[0] == 400


SCHEMATHESIS = os.path.join(os.path.dirname(__file__), "..", "..", ".state", "venv", "bin", "schemathesis")


def test_schemathesis_finds_no_difference_between_the_daemon_and_the_document(daemon):
    """Every check of schemathesis (PyPI) against docs/openapi.yaml: documented statuses, schemas,
    content types, headers, schema-valid data accepted and invalid data refused. Installed by
    scripts/test.sh into .state/venv."""
    import subprocess
    assert os.path.exists(SCHEMATHESIS), "schemathesis is missing: scripts/test.sh installs it"
    here = os.path.dirname(__file__)
    result = subprocess.run(
        [SCHEMATHESIS, "--config-file", os.path.join(here, "schemathesis.toml"), "run",
         os.path.join(here, "..", "..", "docs", "openapi.yaml"), "--url", f"http://127.0.0.1:{daemon.port}",
         "--checks", "all", "-H", f"X-API-Key: {ALICE}", "-H", f"X-Admin-Token: {ADMIN}",
         "--max-examples", "50", "--seed", "1", "--generation-database", "none", "--no-color"],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert daemon.client().get("/health")[0] == 200
