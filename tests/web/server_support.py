"""One debate answered alternately by two app servers, checked from both: shared by the shared-data-dir
and the two-servers-one-database tests."""

from __future__ import annotations

from gradio_client import Client


def debate_across(first: str, second: str, claims: list[str]) -> str:
    """Send `claims` twice over, alternating servers; both must tell the whole debate in order. Returns its id."""
    clients = [Client(first, verbose=False), Client(second, verbose=False)]
    session = ""
    for i, claim in enumerate(claims * 2):
        result = clients[i % 2].predict(claim, "challenge", "", session, api_name="/chat")
        assert result["done"] and result["reply"]["citations"]
        session = result["session_id"]
    for client in clients:  # either server tells the whole debate, in order
        transcript = client.predict(session, api_name="/transcript")
        positions = [transcript.index(c) for c in claims]
        assert transcript.count("**You:**") == 2 * len(claims) and positions == sorted(positions)
    return session
