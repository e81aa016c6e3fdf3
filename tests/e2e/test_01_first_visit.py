"""Day one: the server as shipped, GraphiQL without internet, registration with every error at
once, real-name verification reviewed by staff, a bank card, and top-ups three ways."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from .client import PASSWORD, TOP_UP, TX_FIELDS, Api, Staff, key, next_phone

BALANCE_CHANGED = "subscription { balanceChanged { delta available transaction { transactionNo type } } }"
TRANSACTION = f"query($no: String!) {{ transaction(transactionNo: $no) {{ {TX_FIELDS} }} }}"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.integrity: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        for name in ("src", "href"):
            link = given.get(name)
            if link:
                self.links.append(link)
                if given.get("integrity"):
                    self.integrity[link] = given["integrity"] or ""


async def test_graphiql_is_served_by_fenpay_itself(api: Api) -> None:
    page = await api.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    parser = _Links()
    parser.feed(page.text)
    assets = [link for link in parser.links if not link.startswith("data:")]
    assert len(assets) >= 7, assets  # react, react-dom, js-cookie, graphiql js+css, explorer js+css
    external = [link for link in assets if re.match(r"^(https?:)?//", link)]
    assert not external, f"GraphiQL must load nothing from outside fenpay: {external}"
    for link in assets:
        asset = await api.http.get(link)
        assert asset.status_code == 200, link
        # byte for byte the pinned npm release the page names (its sha384 integrity)
        digest = "sha384-" + base64.b64encode(hashlib.sha384(asset.content).digest()).decode()
        assert parser.integrity.get(link) == digest, link
        assert asset.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript", "text/css"), link


async def test_registration_reports_every_field_error_at_once(api: Api) -> None:
    phone = next_phone()
    payload = await api.payload(
        "mutation($input: RegisterInput!) { register(input: $input) { user { id } errors { code message field } } }",
        {"input": {"phone": phone, "verificationCode": "000000", "password": "abc",
                   "confirmPassword": "abd", "acceptTerms": False}},
    )
    assert payload["user"] is None
    by_field = {tuple(e["field"]): e["code"] for e in payload["errors"]}
    assert by_field == {
        ("input", "password"): "WEAK_PASSWORD",
        ("input", "confirmPassword"): "PASSWORD_MISMATCH",
        ("input", "acceptTerms"): "TERMS_NOT_ACCEPTED",
    }, payload["errors"]
    assert all(re.search(r"[\u4e00-\u9fff]", e["message"]) for e in payload["errors"]), payload["errors"]


async def test_new_user_verifies_binds_a_card_and_tops_up_three_ways(api: Api, staff: Staff) -> None:
    person = await api.register()
    viewer = (await api.ok("{ viewer { phone realNameStatus hasPaymentPassword account { balance } } }", token=person.token))["viewer"]
    assert viewer == {"phone": f"{person.phone[:3]}****{person.phone[-4:]}", "realNameStatus": "UNVERIFIED", "hasPaymentPassword": False,
                      "account": {"balance": "0.00"}}
    await api.set_pin(person)

    # real name: submitted with a photo, the reviewer compares the unmasked data (audited), approves
    await api.submit_real_name(person, "王小明")
    queue = (await api.ok(
        "{ realNameReviewQueue { id realName idNumber unmaskedRealName unmaskedIdNumber photoUrls user { id } } }",
        token=staff.support.token))["realNameReviewQueue"]
    (review,) = [r for r in queue if r["user"]["id"] == person.user_id]
    assert review["realName"] != "王小明" and "*" in review["idNumber"]  # the list itself stays masked
    assert (review["unmaskedRealName"], review["unmaskedIdNumber"]) == ("王小明", person.id_number)
    photo = await api.http.get(review["photoUrls"][0], headers={"Authorization": f"Bearer {staff.support.token}"})
    assert photo.status_code == 200 and photo.content.startswith(b"\x89PNG")
    denied = await api.request("{ realNameReviewQueue { id unmaskedIdNumber } }", token=person.token)
    assert denied.get("errors") and not denied.get("data")
    audit = (await api.ok(
        "query($id: ID!) { auditLog(userId: $id, first: 50) { edges { node { action } } } }",
        {"id": person.user_id}, token=staff.admin.token))["auditLog"]["edges"]
    assert "real_name.reveal" in {edge["node"]["action"] for edge in audit}
    await api.approve_real_name(staff, person)
    viewer = (await api.ok("{ viewer { realNameStatus realName } }", token=person.token))["viewer"]
    assert viewer["realNameStatus"] == "VERIFIED"

    await api.bind_card(person)
    async with api.subscription(BALANCE_CHANGED, token=person.token) as balance_events:
        # by card: done at once, pushed live
        card = await api.top_up_by_card(person, "1000.00")
        event = (await balance_events.next())["balanceChanged"]
        assert (event["delta"], event["available"]) == ("1000.00", "1000.00")
        assert event["transaction"]["transactionNo"] == card["transactionNo"]

        # third party: a checkout link on this very server; the sandbox checkout completes it
        third = (await api.mutate(TOP_UP, {"input": {"amount": "200.00", "channel": "THIRD_PARTY",
                                                      "idempotencyKey": key("topup")}}, token=person.token))["transaction"]
        assert third["status"] == "PENDING"
        assert third["checkoutUrl"].startswith(f"{api.server.url}/sandbox/checkout/"), third["checkoutUrl"]
        checkout = await api.http.get(third["checkoutUrl"])
        assert checkout.status_code == 200 and "200.00" in checkout.text
        completed = await api.http.post(third["checkoutUrl"] + "/complete")
        assert completed.status_code == 200, completed.text
        event = (await balance_events.next())["balanceChanged"]
        assert (event["delta"], event["available"]) == ("200.00", "1200.00")
        done = (await api.ok(TRANSACTION, {"no": third["transactionNo"]}, token=person.token))["transaction"]
        assert done["status"] == "SUCCEEDED"

        # offline: a deposit reference to quote at the bank; the sandbox bank reports its arrival
        offline = (await api.mutate(TOP_UP, {"input": {"amount": "300.00", "channel": "OFFLINE",
                                                        "idempotencyKey": key("topup")}}, token=person.token))["transaction"]
        assert offline["status"] == "PENDING"
        reference = offline["counterparty"]["account"]
        assert reference
        arrived = await api.http.post(f"/sandbox/deposits/{reference}/arrive")
        assert arrived.status_code == 200, arrived.text
        event = (await balance_events.next())["balanceChanged"]
        assert (event["delta"], event["available"]) == ("300.00", "1500.00")
    assert (await api.balance(person))["balance"] == "1500.00"

    # a second login works with the password chosen at registration
    assert (await api.login(person.phone, PASSWORD))["user"]["id"] == person.user_id
