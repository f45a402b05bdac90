#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every test.
#
#   scripts/test.sh [extra arguments for the test runner]
#
# - A virtualenv at target/test-venv with mitmproxy (the real interception
#   tool the CLI tests drive), created or fixed only when needed.
# - The Debian packages the agent tests drive (a session bus, Xvfb, dunst, a
#   StatusNotifierWatcher and tray host, ImageMagick for screenshots,
#   iproute2 and socat for network namespaces), installed when missing.
# - The package tests (packaging/test-deb): the Debian package built,
#   checked with lintian, desktop-file-validate, systemd-analyze, man and
#   bash, installed, upgraded and purged (as root).
# - Then the library, binary and integration tests, with cargo-nextest when
#   installed (else cargo test), ending with the runner's summary; any
#   failure fails the script. Benches are left out: they are harness=false
#   programs that measure rather than test (clippy --all-targets builds them).
# - A test that cannot run here (a tool missing, no root for a network
#   namespace) fails under CI=true; otherwise it returns early, which the
#   runner counts as passed, so it records itself in $PINWATCH_SKIP_LOG.
#   After the runner's summary the script lists those skips, one
#   `skipped: TEST: REASON` line each, and ends with one closing line,
#   `tests: P passed, F failed, S skipped`, computed from the runner's own
#   summary with the recorded skips moved from passed to skipped
#   (scripts/test-summary.sh). The exit
#   code is the runner's.
#
# No `producer | grep -q` pipes: grep -q exits at its first match, the
# producer may then die of SIGPIPE, and pipefail fails the check (it did for
# `mitmdump --version` one run in three with PYTHONUNBUFFERED=1). Output is
# captured in a variable first, then matched.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Newest mitmproxy that installs on Python 3.11 (11.1 needs Python 3.12).
MITMPROXY_VERSION=11.0.2
VENV=target/test-venv
PYTHON=${PYTHON:-python3}

log() { printf '==> %s\n' "$*" >&2; }

# Installs Debian packages that are missing, when we may (root).
apt_install() {
    local missing=()
    local pkg status
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || status=
        [ "$status" = "install ok installed" ] || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        log "missing Debian packages: ${missing[*]} (not root: install them yourself)"
        return 1
    fi
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

# True when `text` (the first argument) has a line that is exactly the second.
has_line() {
    [[ $'\n'"$1"$'\n' == *$'\n'"$2"$'\n'* ]]
}

mitmdump_ok() {
    [ -x "$VENV/bin/mitmdump" ] || return 1
    local version
    version=$("$VENV/bin/mitmdump" --version 2>/dev/null) || return 1
    has_line "$version" "Mitmproxy: ${MITMPROXY_VERSION}"
}

setup_mitmproxy() {
    if mitmdump_ok; then
        log "mitmproxy ${MITMPROXY_VERSION} already in $VENV"
        return
    fi
    # Debian's python3 has the venv module but needs python3-venv for ensurepip.
    if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        apt_install python3-venv python3-pip
    fi
    if [ ! -x "$VENV/bin/pip" ]; then
        log "creating $VENV"
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    log "installing mitmproxy ${MITMPROXY_VERSION} into $VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "mitmproxy==${MITMPROXY_VERSION}"
    mitmdump_ok || { log "mitmdump ${MITMPROXY_VERSION} does not run after install"; exit 1; }
}

# The agent tests: dbus-run-session (dbus-daemon), busctl (systemd), Xvfb,
# dunst and dunstctl, status-notifier-watcher, gtk-sni-tray-standalone,
# import and convert (imagemagick: screenshots, greyscale and colour-blind
# views of the tray icons), fonts for dunst (DejaVu; Droid Sans Fallback for
# Chinese), xwininfo (x11-utils: the notification's window), xdg-open
# (xdg-utils: "Show details"), ip and ss (iproute2), socat.
# The roots tests: openssl (rehash), certutil (libnss3-tools). The location
# tests: iptables (a router of their own that intercepts transparently) and
# sslsplit (a second real interceptor at the café gateway, beside mitmproxy).
# The fleet tests: promtool (prometheus), prometheus-node-exporter, python3,
# chattr (e2fsprogs: a textfile directory pinwatch cannot write, as root);
# the docs tests: man (man-db), bash-completion and fish.
# The details page tests: chromium (headless, --dump-dom and --screenshot).
# The wrong-clock tests: faketime (the clock 3 years behind, 2 ahead).
# The hostile-name and colour tests: script (bsdutils), a pseudo-terminal.
# The bundle tests: minisign, the reference tool (keys it makes sign
# bundles; it verifies what pinwatch's bundle builder signs).
AGENT_PACKAGES=(
    dbus-daemon systemd xvfb dunst
    haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils
    imagemagick fonts-dejavu-core fonts-droid-fallback x11-utils xdg-utils
    iproute2 socat
    openssl libnss3-tools iptables sslsplit
    prometheus prometheus-node-exporter python3 e2fsprogs
    man-db bash-completion fish
    chromium bsdutils faketime minisign
)

setup_agent_tools() {
    if ! apt_install "${AGENT_PACKAGES[@]}"; then
        log "agent tests that need them fail under CI=true and are skipped otherwise"
    fi
}

# The Windows build and its tests under Wine (tests/integration/windows.rs):
# wine64 (Debian's Wine 8), pinwatch.exe built by packaging/windows/build
# (which installs Debian's Rust 1.96 and mingw-w64 itself), and the tests'
# own Wine prefix, target/wine-prefix, initialised once. The path of the
# binary goes to the tests in PINWATCH_WINDOWS_EXE; without it they fail
# under CI=true and are skipped otherwise. PINWATCH_SKIP_WINDOWS=1 skips
# the build outside CI while iterating on other things. The installer
# (packaging/windows/installer, NSIS) goes to the tests in
# PINWATCH_WINDOWS_SETUP.
setup_windows() {
    if [ "${PINWATCH_SKIP_WINDOWS:-}" = 1 ] && [ "${CI:-}" != true ]; then
        log "Windows build skipped (PINWATCH_SKIP_WINDOWS=1)"
        return
    fi
    apt_install wine64 nsis || log "the Windows tests fail under CI=true and are skipped otherwise"
    local exe started=$SECONDS
    log "building pinwatch.exe (packaging/windows/build)"
    if ! exe=$(packaging/windows/build); then
        log "the Windows build failed"
        [ "${CI:-}" = true ] && exit 1
        return
    fi
    log "pinwatch.exe built in $((SECONDS - started)) s: $exe"
    PINWATCH_WINDOWS_EXE=$exe
    export PINWATCH_WINDOWS_EXE
    local dist
    if dist=$(packaging/windows/installer --no-build); then
        PINWATCH_WINDOWS_SETUP=$(head -n 1 <<<"$dist")
        export PINWATCH_WINDOWS_SETUP
    else
        log "the Windows installer could not be built"
        [ "${CI:-}" = true ] && exit 1
    fi
    if [ ! -f target/wine-prefix/system.reg ] && command -v wineboot >/dev/null; then
        log "initialising the tests' Wine prefix (target/wine-prefix)"
        WINEPREFIX="$PWD/target/wine-prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d" wineboot --init
    fi
}

setup_mitmproxy
setup_agent_tools
setup_windows

# The Debian package: built, linted, installed, upgraded and purged
# (packaging/test-deb; a release build, so minutes). PINWATCH_SKIP_PACKAGING=1
# skips it outside CI while iterating on other things.
if [ "${PINWATCH_SKIP_PACKAGING:-}" = 1 ] && [ "${CI:-}" != true ]; then
    log "packaging tests skipped (PINWATCH_SKIP_PACKAGING=1)"
else
    log "packaging tests (packaging/test-deb)"
    packaging/test-deb
fi
PINWATCH_MITMDUMP="$PWD/$VENV/bin/mitmdump"
export PINWATCH_MITMDUMP

# Tests record what they could not run here; the list starts empty.
mkdir -p target
PINWATCH_SKIP_LOG="$PWD/target/skipped.txt"
export PINWATCH_SKIP_LOG
: >"$PINWATCH_SKIP_LOG"
RUN_LOG=target/test-run.txt

if cargo nextest --version >/dev/null 2>&1; then
    RUNNER=nextest
    log "running the tests (cargo nextest)"
    set +e
    cargo nextest run --lib --bins --tests --no-fail-fast "$@" 2>&1 | tee "$RUN_LOG"
    status=${PIPESTATUS[0]}
    set -e
else
    RUNNER=cargo
    log "running the tests (cargo test)"
    set +e
    cargo test --lib --bins --tests --no-fail-fast "$@" 2>&1 | tee "$RUN_LOG"
    status=${PIPESTATUS[0]}
    set -e
fi

scripts/test-summary.sh "$RUNNER" "$RUN_LOG" "$PINWATCH_SKIP_LOG" "$status"
exit "$status"
