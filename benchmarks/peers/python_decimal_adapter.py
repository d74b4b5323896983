"""The shared harness's exact hand-written baseline (baseline_decimal.py) as a peer
(`--peers python-decimal`): the ceiling for an exact per-unit evaluator.  The unit's
ints are converted to Decimal on every call (to_decimal_unit), as an exact evaluator
receiving the same dicts has to."""
import baseline_decimal
from harness import Peer


def _one(state, u):
    return baseline_decimal.score(baseline_decimal.to_decimal_unit(u))


PEERS = {
    "python-decimal": Peer(name="python-decimal (hand-written)", compile=lambda text: None, one=_one,
                           fmt="plain Python function in Decimal (baseline_decimal.py)",
                           note="per call: dict of ints -> Decimal, then score"),
}
