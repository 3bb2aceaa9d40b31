"""What guards every request, below the rules that use it (``web.policy``):

- ``signed``: ``SignedValueCache``, signed values verified once per worker, used by
- ``sessions``: the session cookie (Flask's, verified once per worker), and
- ``csrf``: the CSRF check on every write (Flask-WTF's answers, each token verified once);
- ``ratelimit``: counters on the ``limits`` package (Redis or memory), with leases for hot
  paths; ``limits``: the app's limits on it (logins, class codes, sign-ups, saves), with
- ``devices``: the signed cookie of a browser that has logged in to an account before.
"""
