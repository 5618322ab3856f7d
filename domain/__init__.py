"""The rules of the landlord's Hate Policy as pure Python: aggregates, events, value objects.

Nothing here touches a clock, a database or the web: time is passed in by the caller.
"""
