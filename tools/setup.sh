#!/usr/bin/env bash
# voiceart set-up, run by ./start.sh and ./test.sh (and safe to run by hand at any time):
#   1. Debian packages for speech, sound and the window (installed when root or sudo allows,
#      otherwise the apt-get command is printed and set-up goes on);
#   2. a Python >= 3.10 (${PYTHON:-python3}) with venv (and tkinter for the window);
#   3. .venv in the repository;
#   4. the Python packages (pip install -c constraints.txt -e '.[dev]'), skipped while
#      .venv/.setup-stamp matches pyproject.toml, constraints.txt and this file;
#   5. model files (the shipped ones are committed in models/: nothing to do yet).
# Idempotent; the second run takes well under 3 s. Nothing is downloaded except through apt and pip.
# Knobs: PYTHON=/path/to/python3 (used only when .venv is created), VOICEART_SETUP_SYSTEM=0 (skip step 1).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
SELF="$ROOT/tools/setup.sh"
VENV="$ROOT/.venv"
VENV_PY="$VENV/bin/python"
STAMP="$VENV/.setup-stamp"
PIP_LOG="$VENV/setup-pip.log"
cd "$ROOT"

say() { printf 'voiceart setup: %s\n' "$*"; }
warn() { printf 'voiceart setup: WARNING: %s\n' "$*" >&2; }
die() { printf 'voiceart setup: FAILED: %s\n' "$*" >&2; exit 1; }
trap 'die "unexpected error in tools/setup.sh line $LINENO (command: $BASH_COMMAND)."' ERR

# --- 1. System packages ------------------------------------------------------------------
# What each package is for, so that a missing one can be named with what will not work.
APT_PACKAGES=(espeak-ng libespeak-ng1 libportaudio2 alsa-utils sox xvfb xdotool x11-utils
              python3-tk python3-venv fonts-dejavu-core)
declare -A APT_USE=(
    [espeak-ng]="spoken test utterances"
    [libespeak-ng1]="spoken feedback"
    [libportaudio2]="the microphone and sounds"
    [alsa-utils]="playing speech and sounds"
    [sox]="test audio"
    [xvfb]="window tests on a virtual screen"
    [xdotool]="window tests (key presses)"
    [x11-utils]="window tests (waiting for the screen)"
    [python3-tk]="the window (with Debian's Python)"
    [python3-venv]="creating .venv (with Debian's Python)"
    [fonts-dejavu-core]="text in the window and pictures"
)

missing_apt_packages() {
    # Prints the packages of APT_PACKAGES that are not fully installed ("ii"), one per line.
    local installed
    installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${APT_PACKAGES[@]}" 2>/dev/null \
                 | awk '$2 == "ii" {print $1}' || true)"
    local p
    for p in "${APT_PACKAGES[@]}"; do
        grep -qxF -- "$p" <<<"$installed" || printf '%s\n' "$p"
    done
}

explain_missing() {
    local uses=() p
    for p in "$@"; do uses+=("${APT_USE[$p]:-$p} ($p)"); done
    local joined
    joined="$(printf '%s; ' "${uses[@]}")"
    warn "until they are installed these will not work: ${joined%; }. The style stage and the tests that need none of them still run."
}

system_packages() {
    if [[ "${VOICEART_SETUP_SYSTEM:-1}" == 0 ]]; then
        say "skipping system packages (VOICEART_SETUP_SYSTEM=0)."
        return 0
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        warn "this is not a Debian-like system, so set-up cannot check system packages: install the equivalents of ${APT_PACKAGES[*]} yourself."
        return 0
    fi
    local missing
    mapfile -t missing < <(missing_apt_packages)
    ((${#missing[@]} == 0)) && return 0   # fast path: all there

    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            warn "missing system packages: ${missing[*]}. Install them (as root) with:"
            printf '    sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
            explain_missing "${missing[@]}"
            return 0
        fi
    fi
    say "installing system packages: ${missing[*]} (apt-get, about a minute)..."
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/voiceart-apt.XXXXXX.log")"
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q -y)
    if "${apt[@]}" update </dev/null >"$log" 2>&1 \
       && "${apt[@]}" install --no-install-recommends "${missing[@]}" </dev/null >>"$log" 2>&1; then
        rm -f "$log"
        return 0
    fi
    tail -n 8 "$log" >&2 || true
    warn "apt-get could not install ${missing[*]} (no network or no package source? the whole log is in $log). To try again by hand:"
    printf '    %sapt-get update && %sapt-get install -y --no-install-recommends %s\n' \
        "${sudo:+sudo }" "${sudo:+sudo }" "${missing[*]}" >&2
    explain_missing "${missing[@]}"
    return 0
}

# --- 2. Python ----------------------------------------------------------------------------
# Sets PY, PY_VERSION, PY_HAS_TK, PY_HAS_ENSUREPIP, PY_EXE (the interpreter itself, not a shim).
PY_PROBE='import sys, importlib.util as u
ok = lambda m: int(u.find_spec(m) is not None)
print("%d.%d.%d" % sys.version_info[:3], int(sys.version_info >= (3, 10)), ok("tkinter") and ok("_tkinter"),
      ok("ensurepip"), sys.executable)'

choose_python() {
    local out
    if [[ -e "$VENV" ]]; then
        PY="$VENV_PY"
        if ! out="$("$PY" -c "$PY_PROBE" 2>/dev/null)"; then
            local err
            err="$("$PY" -c pass 2>&1 || true)"
            die "the existing .venv is broken (its python does not run: ${err##*$'\n'}; was the Python it was made from removed, or is .venv another user's?): delete it with rm -rf '$VENV' and run again."
        fi
    else
        PY="${PYTHON:-python3}"
        command -v "$PY" >/dev/null 2>&1 \
            || die "no '$PY' found: install Python 3.10 or newer (sudo apt-get install python3 python3-venv python3-tk) or name one with PYTHON=/path/to/python3."
        out="$("$PY" -c "$PY_PROBE" 2>/dev/null)" || die "'$PY' does not run as a Python interpreter: name another with PYTHON=/path/to/python3."
    fi
    local new_enough
    read -r PY_VERSION new_enough PY_HAS_TK PY_HAS_ENSUREPIP PY_EXE <<<"$out"
    if [[ "$new_enough" != 1 ]]; then
        if [[ "$PY" == "$VENV_PY" ]]; then
            die ".venv uses Python $PY_VERSION but voiceart needs 3.10 or newer: delete it with rm -rf '$VENV' and run again with PYTHON=/path/to/python3.11."
        fi
        die "'$PY' is Python $PY_VERSION but voiceart needs 3.10 or newer: install one and run again with PYTHON=/path/to/python3.11."
    fi
    if [[ "$PY_HAS_TK" != 1 ]]; then
        warn "Python $PY_VERSION ($PY_EXE) has no tkinter, so the window will not open (spoken use still works): with Debian's Python install python3-tk, otherwise use a Python built with Tk."
    fi
}

# --- 3. .venv -----------------------------------------------------------------------------
CREATED_VENV=0
ensure_venv() {
    [[ -e "$VENV" ]] && return 0
    [[ "$PY_HAS_ENSUREPIP" == 1 ]] \
        || die "Python $PY_VERSION ($PY_EXE) cannot make virtual environments: install python3-venv (sudo apt-get install python3-venv, or python${PY_VERSION%.*}-venv) and run again."
    say "creating .venv with $PY_EXE (Python $PY_VERSION)..."
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/voiceart-venv.XXXXXX.log")"
    if ! "$PY" -m venv "$VENV" >"$log" 2>&1; then
        tail -n 8 "$log" >&2 || true
        rm -rf "$VENV"   # made (partly) by this run only
        die "'$PY -m venv' could not create .venv (see the lines above; on Debian install python3-venv)."
    fi
    rm -f "$log"
    CREATED_VENV=1
    "$VENV_PY" -m pip install -q --progress-bar off --upgrade pip >"$PIP_LOG" 2>&1 \
        || warn "could not upgrade pip in .venv (going on with the pip that venv installed; details in $PIP_LOG)."
    PY="$VENV_PY"
}

# --- 4. Python packages -------------------------------------------------------------------
hash_inputs() {
    # Anything that changes what pip should install: the requirements, this script, where the
    # repository lives (the editable install points there) and the interpreter.
    {
        printf '%s\n%s\n' "$ROOT" "$PY_VERSION"
        cat pyproject.toml "$SELF"
        [[ -f constraints.txt ]] && cat constraints.txt
        true
    } | sha256sum | cut -d' ' -f1
}

explain_pip_failure() {
    local line
    if grep -qiE 'No space left on device' "$PIP_LOG"; then
        die "the disk is full (torch alone needs about 6 GB in .venv): free some space and run again; the pip log is $PIP_LOG."
    elif grep -qiE 'NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|Name or service not known|Network is unreachable|Max retries exceeded|ConnectTimeout|ReadTimeout|timed out|SSLError|ProxyError|Connection refused' "$PIP_LOG"; then
        die "pip could not reach the package index (no network, or a proxy or firewall in the way?): connect and run again; the pip log is $PIP_LOG."
    elif line="$(grep -m1 -E 'No matching distribution found for|Could not find a version that satisfies' "$PIP_LOG")"; then
        die "pip found no installable release ($(sed -E 's/^ERROR: //' <<<"$line")) for Python $PY_VERSION on $(uname -m), or could not reach the package index: the pip log is $PIP_LOG."
    fi
    die "pip install failed (the last lines are above): the whole log is $PIP_LOG."
}

python_packages() {
    local want
    want="$(hash_inputs)"
    if [[ -f "$STAMP" && "$(<"$STAMP")" == "$want" && -x "$VENV/bin/voiceart" ]]; then
        say "Python packages are up to date (.venv)."
        return 0
    fi
    if ((CREATED_VENV)); then
        say "installing Python packages into .venv (first time: about a minute, torch is large)..."
    else
        say "installing Python packages into .venv (pyproject.toml, constraints.txt or set-up changed, or first run)..."
    fi
    local constraints=()
    [[ -f constraints.txt ]] && constraints=(-c constraints.txt)
    rm -f "$STAMP"
    ((CREATED_VENV)) || : >"$PIP_LOG"   # a new .venv's log keeps its pip upgrade lines
    if ! "$VENV_PY" -m pip install --progress-bar off "${constraints[@]}" -e '.[dev]' </dev/null >>"$PIP_LOG" 2>&1; then
        tail -n 15 "$PIP_LOG" >&2 || true
        explain_pip_failure
    fi
    [[ -x "$VENV/bin/voiceart" ]] || die "pip finished but .venv/bin/voiceart is missing (is [project.scripts] in pyproject.toml right?); the pip log is $PIP_LOG."
    printf '%s\n' "$want" >"$STAMP"
}

# --- 5. Model files -----------------------------------------------------------------------
# The shipped models are committed in models/: set-up has nothing to fetch or check yet.
# (A later step that checks or converts model files goes here.)

# ------------------------------------------------------------------------------------------
system_packages
choose_python
ensure_venv
python_packages
say "ready in ${SECONDS} s."
