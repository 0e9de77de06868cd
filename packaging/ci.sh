#!/usr/bin/env bash
# The packaging check CI calls: install the build tools, build the frozen program, smoke-test it
# (and its portable zip), compile the Windows installer script, check the Windows workflow.
#
#   bash packaging/ci.sh            # ~2-3 minutes on 2 cores; the build is most of it
#
# On Linux the installer script is compiled against a stand-in folder of the Windows layout
# (packaging/installer.py --dummy): the real one is built and compiled on Windows by
# .github/workflows/windows.yml. The smoke test is strict: a window that does not show (and quit
# on SOTHEODOI_SMOKE_QUIT) or a portable copy whose register leaves the stick fails the check.
# Extra arguments go to the smoke test (e.g. --keep, --only window).
set -euo pipefail
cd "$(dirname "$0")/.."
export LANG=C.UTF-8 LC_ALL=C.UTF-8 QT_QPA_PLATFORM=offscreen PYTHONUTF8=1
started=$SECONDS
last=$SECONDS
step() {
  if [ -n "${current:-}" ]; then printf '   (%s: %d s)\n' "$current" $((SECONDS - last)); fi
  current="$*"; last=$SECONDS
  printf '\n== %s\n' "$*"
}

step "tools: makensis"
if ! command -v makensis >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    apt-get install -y -qq nsis >/dev/null || { apt-get update -qq && apt-get install -y -qq nsis >/dev/null; }
  else
    echo "makensis is missing: apt-get install nsis" >&2; exit 1
  fi
fi
makensis -VERSION

step "install the program with its test and build tools"
python -m pip install -q ".[test,build]"

step "Qt's strings in Vietnamese: sources are Qt's, the .qm is up to date"
python packaging/make_translations.py --check

step "the Windows workflow names only files that exist"
python packaging/check_workflow.py

step "frozen build (PyInstaller)"
python packaging/build.py

step "ReportLab's C accelerator is in the bundle (imported inside exec(): a hidden import)"
find dist/SoTheoDoi -name '_rl_accel*' | grep -q . || { echo "_rl_accel missing from dist/SoTheoDoi" >&2; exit 1; }

step "portable zip (quick compression: this one is only checked, not handed out)"
python packaging/portable.py dist/SoTheoDoi --level 1
portable=$(ls -t dist/SoTheoDoi-*-portable-*.zip | head -n 1)

step "smoke test of the frozen program"
python packaging/smoke.py dist/SoTheoDoi --portable "$portable" --strict "$@"

step "Windows installer script compiles (makensis)"
python packaging/installer.py --dummy

step "done"
printf 'packaging checks passed in %d s\n' $((SECONDS - started))
