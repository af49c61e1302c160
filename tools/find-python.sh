#!/usr/bin/env bash
# Print the path of a Python ≥ 3.12 interpreter: python3.13/python3.12/python3 on PATH, then pyenv's.
# Exit 1 with a clear message when none is found.
for candidate in python3.13 python3.12 python3 \
    "$(pyenv root 2>/dev/null)"/versions/3.13*/bin/python \
    "$(pyenv root 2>/dev/null)"/versions/3.12*/bin/python \
    /root/.pyenv/versions/3.1[2-9]*/bin/python; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
echo "Patrimoine needs Python 3.12 or newer: install it (Debian: apt-get install python3.12, or pyenv install 3.12)." >&2
exit 1
