"""The user's own controls: dynamic token, statements, data export, account closure, payees."""
