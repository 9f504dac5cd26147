"""Extensions of the action server. rasa_sdk imports this package by name when the action server
starts (rasa_sdk.plugin._discover_plugins) and calls init_hooks; nothing else needs to load it."""


def init_hooks(manager) -> None:
    from rasa_sdk_plugins import action_secret

    manager.register(action_secret)
