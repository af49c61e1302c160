"""The demo agglomeration as small readable lists: people, places, equipment, catalogue, jobs.

Nothing here touches the database; the builders in `patrimoine.demo` turn these lists into rows.
"""
