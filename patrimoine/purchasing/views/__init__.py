"""Purchasing pages: purchase orders (list, form, detail with lines, statuses and invoices) and
contracts (list, detail with lots and price schedules)."""
