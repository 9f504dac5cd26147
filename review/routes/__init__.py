"""The review app's routes, one Sanic Blueprint per concern (pages, actions, exports, accounts)."""
