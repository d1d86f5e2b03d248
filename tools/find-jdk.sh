# Finds a JDK 25 (or newer) and exports JAVA_HOME to it; sourced by ./hearth, ./mvnw and .ci/run.
# POSIX sh. Looks, in order, at: HEARTH_JAVA_HOME, JAVA_HOME, the java on PATH, /usr/lib/jvm,
# SDKMAN, ~/.jdks (IntelliJ), and the macOS locations. Exits with install instructions when
# nothing fits.

hearth_jdk_feature() { # prints the feature version of the JDK at $1 (e.g. 25), or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
  else
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  v=${v#1.}
  printf '%s\n' "${v%%[.+-]*}"
}

hearth_jdk_ok() { # true when $1 is a JDK of feature version 25 or newer
  f=$(hearth_jdk_feature "$1")
  [ -n "$f" ] && [ "$f" -ge 25 ] 2>/dev/null
}

hearth_find_jdk() {
  for home in "${HEARTH_JAVA_HOME-}" "${JAVA_HOME-}"; do
    [ -n "$home" ] && hearth_jdk_ok "$home" && { printf '%s\n' "$home"; return 0; }
  done
  if command -v java >/dev/null 2>&1; then
    j=$(command -v java)
    j=$(readlink -f "$j" 2>/dev/null || printf '%s' "$j")
    home=${j%/bin/java}
    hearth_jdk_ok "$home" && { printf '%s\n' "$home"; return 0; }
  fi
  # Globs need pathname expansion, which mvnw turns off with set -f.
  case $- in *f*) hearth_noglob=1; set +f ;; *) hearth_noglob= ;; esac
  found=
  for home in /usr/lib/jvm/*25* /usr/lib/jvm/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/Library/Java/JavaVirtualMachines/*/Contents/Home \
      /opt/homebrew/opt/openjdk*/libexec/openjdk.jdk/Contents/Home /usr/local/opt/openjdk*/libexec/openjdk.jdk/Contents/Home \
      /opt/java/openjdk /usr/java/*; do
    [ -d "$home" ] && hearth_jdk_ok "$home" && { found=$home; break; }
  done
  [ -n "$hearth_noglob" ] && set -f
  [ -n "$found" ] && { printf '%s\n' "$found"; return 0; }
  return 1
}

if hearth_jdk_home=$(hearth_find_jdk); then
  JAVA_HOME=$hearth_jdk_home
  export JAVA_HOME
else
  if [ -n "${JAVA_HOME-}" ]; then
    echo "JAVA_HOME is $JAVA_HOME (Java $(hearth_jdk_feature "$JAVA_HOME")), which is older than 25." >&2
  fi
  cat >&2 <<'MSG'
Hearth needs a JDK 25 (Java 25 or newer) and found none.
Looked at: HEARTH_JAVA_HOME, JAVA_HOME, the java on PATH, /usr/lib/jvm, ~/.sdkman, ~/.jdks and the
macOS JavaVirtualMachines folders.
Install one, for example:
  Debian/Ubuntu:  sudo apt-get install temurin-25-jdk   (Adoptium's apt repository: https://adoptium.net/installation/linux)
  SDKMAN:         sdk install java 25-tem
  macOS:          brew install --cask temurin@25
  anywhere:       download from https://adoptium.net/temurin/releases/?version=25
then run this again, or point HEARTH_JAVA_HOME (or JAVA_HOME) at it.
MSG
  exit 1
fi
