"""How Rasa runs this assistant: the pieces plugged into Rasa's own extension points, and the few
changes that have none.

Extension points (named in endpoints.yml and config.yml): tracker_store.py (SQL tracker store that
survives database restarts and reads a bounded window), lock_store.py (Redis lock store from a URL),
rule_policy.py (RulePolicy reading only the latest states). shared_state.py is the Redis connection
the lock store and the channels' counters share.

No extension point: processor.py (a kind reply when the action server fails) and graph_runner.py
(the prediction graph without dask) are put in place by patches.py, which checks at start that the
installed Rasa is the version they were verified against and that each took effect. `python -m
runtime run ...` is `rasa run ...` with them.
"""
