"""Maintained tag counts: how many artifacts of each audience carry a tag or one below it, kept
exact by every mutation (ledger.py), recomputed from the truth on taxonomy changes and by
`glaregraph gc` (recount.py), read per caller by summing the audiences it may see
(audience.py)."""
