"""The province's side: the inbox that receives what communes upload (tokens issued to communes,
reports received and checked, stored once, every receipt in the audit log).

    token, secret = tokens.add_token(reg, "Chiềng Mung")    # the chief; the secret shown once
    app = receiver.InboxApp(reg)                             # the WSGI side of the contract
    with server.InboxServer(app, cert, key, port=8443): ...  # cheroot, HTTPS
    inbox.received(reg, month=(2026, 10))                    # what arrived

No Qt here; docs/province.md says how a province sets it up.
"""
