"""Real money in and out of wallets through a card provider (protocol §7.3, docs/payments.md).

``models`` (plain values), ``webhook`` (signature and event reading, no I/O), ``gateway``
(Stripe through its official library, async), ``store`` (the Redis keys and Lua scripts
that credit and refund exactly once), ``service`` (the use cases the HTTP edge calls),
``reconcile`` and ``connect`` (the seam for paying experts out through Stripe Connect).
"""
