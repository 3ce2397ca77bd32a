"""Transports: how the sync engine reaches one kind of remote (see ``base.Transport``)."""
