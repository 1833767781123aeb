"""``deposits``: every crypto and fiat deposit seen on one day at one exchange.

Keyed by (ts = first seen, exchange, deposit_id) like withdrawals (see ``ledger``); a
deposit that is credited later re-writes its row. Kept current by ``deposit_sync``.
"""

import dagster as dg

from deltaworks_pipelines.assets.ledger import DEPOSITS


def build_deposits(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The ``deposits`` asset over ``partitions_def`` (exchange x day), ranged backfills."""
    return DEPOSITS.asset(
        partitions_def,
        "Crypto and fiat deposits seen on the day; confirmations and crediting update the "
        "same row. Kept current by the deposit_sync sensor; a backfill of many days runs "
        "once per exchange.",
    )
