"""Load without loss: mixed reads and concurrent editor writes against kb under gunicorn, then an audit.

``check.run_load_check`` serves the app with gunicorn on 127.0.0.1 (``server``, an
ephemeral port) against this process's database, runs reader threads (API lists,
details, search and web pages, anonymously) and writer threads (an editor's token
POSTing actors and claims) bounded by time and by request count (``traffic``), stops
gunicorn, and audits the database (``audit``): every acknowledged (201) write is there
exactly as sent and as answered, every row that was there before is unchanged, every
new row belongs to an acknowledged write, and ``verify_kb`` is clean. Only loopback is
ever contacted.
"""
