#!/usr/bin/env bash
# Print the path of a working pythonX.Y: on the PATH, or installed under pyenv
# even when pyenv's global version is another one.
set -euo pipefail
want=$1
if command -v "python$want" >/dev/null 2>&1 && "python$want" -c 'import sys' >/dev/null 2>&1; then
  "python$want" -c 'import sys; print(sys.executable)'; exit 0
fi
root=${PYENV_ROOT:-$HOME/.pyenv}
for candidate in $(ls -d "$root"/versions/"$want".*/bin/python"$want" 2>/dev/null | sort -V -r); do
  if "$candidate" -c 'import sys' >/dev/null 2>&1; then echo "$candidate"; exit 0; fi
done
echo "python$want not found: install it (or pyenv install $want)" >&2
exit 1
