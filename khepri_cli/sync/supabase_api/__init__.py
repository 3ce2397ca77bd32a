"""Khepri's client of the Supabase API: Auth sessions and PostgREST tables over HTTPS.

Imported only on the paths that talk to a project over its API (``khepri
login``, ``logout``, ``whoami``, ``signup`` and the API way of ``khepri
sync``); no everyday command loads it or httpx. ``khepri config`` reads only
:mod:`.project` and :mod:`.files`, which use the standard library.

* :mod:`.project`  the project URL and API key, and where they came from
* :mod:`.files`    the private configuration folder: 0600 files, a lock
* :mod:`.session`  the signed-in session, refreshed safely across processes
* :mod:`.errors`   every failure as an ApiError (a RemoteError kind + one line)
* :mod:`.http`     one connection: timeouts, TLS, retries with backoff
* :mod:`.auth`     sign in, refresh, user, sign out, sign up
* :mod:`.access`   as whom table requests run (session, or secret key + user)
* :mod:`.rest`     PostgREST reads, upserts, deletes, batched and split
* :mod:`.catalogue` the remote's tables and columns, learnt through the API
* :mod:`.client`   :func:`~.client.open_api`, all of it for one user
"""
