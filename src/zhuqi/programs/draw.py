"""The reproducible draw of experts for a review group (seed 000 二(四)4(2): 从专家库中抽取一定数量专家).

Anyone can re-run a draw from what is stored with the group: its seed and its candidate list
([expert id, field] for every active expert not excluded for a conflict, in pool order). The draw is
`random.Random(seed)` (Python's generator seeded with the text, stable across versions and machines)
shuffling the candidates, then taking them field by field in turn (the fields in an order the same
generator shuffles), so that the group spreads over the fields before any field has two.
"""

import random
import secrets


def new_seed() -> str:
    return secrets.token_hex(8)


def draw(candidates: list[list], seed: str, size: int) -> list[int]:
    """The ids of the experts drawn: at most `size`, spread over fields, the same for the same input."""
    rng = random.Random(seed)
    pool = [(int(expert_id), str(field)) for expert_id, field in candidates]
    rng.shuffle(pool)
    fields = sorted({f for _e, f in pool})
    rng.shuffle(fields)
    queues = {f: [e for e, ef in pool if ef == f] for f in fields}
    chosen: list[int] = []
    while len(chosen) < size and any(queues.values()):
        for f in fields:
            if queues[f] and len(chosen) < size:
                chosen.append(queues[f].pop(0))
    return chosen
