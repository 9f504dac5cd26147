"""Rasa's prediction graph, run node after node in a fixed order instead of through dask.

Rasa runs its graph (the NLU pipeline for each message, the policies for each action) with dask's
scheduler, which for every run works out the sub-graph the targets need and schedules it through
thread-pool futures: about an eighth of the Rasa server's CPU per message under load (py-spy,
`make profile`), more than the NLU pipeline itself. The graph never changes while the server runs,
so here the order of each target set's nodes is worked out once and the nodes are called in it with
the same arguments dask would pass them (each dependency's (name, output) pair).
"""
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner


class SequentialGraphRunner(DaskGraphRunner):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._orders: Dict[Tuple[Text, ...], List[Tuple[Text, Tuple[Text, ...]]]] = {}

    def _order(self, targets: Tuple[Text, ...]) -> List[Tuple[Text, Tuple[Text, ...]]]:
        """(node, the nodes it needs) for every node the targets depend on, each after its needs."""
        if targets not in self._orders:
            nodes, order, seen = self._graph_schema.nodes, [], set()

            def visit(name: Text) -> None:
                if name in seen or name not in nodes:
                    return  # done already, or an input placeholder such as __message__
                seen.add(name)
                needs = tuple(nodes[name].needs.values())
                for need in needs:
                    visit(need)
                order.append((name, needs))

            for target in targets:
                visit(target)
            self._orders[targets] = order
        return self._orders[targets]

    def run(self, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        run_targets = list(targets) if targets else self._graph_schema.target_names
        results: Dict[Text, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(f"Input value '{value}' clashes with a node name. Make sure that none of "
                                    f"the input names passed to the `run` method are the same as node names "
                                    f"in the graph schema.")
            results[name] = (name, value)  # as the dask runner puts inputs in the graph
        try:
            for name, needs in self._order(tuple(run_targets)):
                if name not in results:  # an input of the same name replaces the node, as with dask
                    # A need nobody provides is passed as its name, as dask does (the node reports it).
                    results[name] = self._instantiated_nodes[name](*(results.get(n, n) for n in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[t] for t in run_targets)
