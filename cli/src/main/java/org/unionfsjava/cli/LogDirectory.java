package org.unionfsjava.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a background server logs by default: root's servers in {@code /run/unionfs-java}, an
 * ordinary user's in {@code $XDG_RUNTIME_DIR/unionfs-java} (the user's own tmpfs, gone at the
 * last logout, as /run is at shutdown), or, where no runtime directory is set (su, setpriv, cron),
 * in {@code $XDG_STATE_HOME/unionfs-java} ({@code ~/.local/state/unionfs-java}), where the XDG
 * base directory specification puts logs.
 */
final class LogDirectory {

  /** Root's log directory. */
  static final Path SYSTEM = Path.of("/run/unionfs-java");

  private LogDirectory() {
  }

  /** The log directory of the user this process runs as. */
  static Path forThisProcess() {
    return choose(effectiveUid(Path.of("/proc/self/status")), System.getenv(),
        Path.of(System.getProperty("user.home")));
  }

  /** The log directory for a user: {@code uid} 0 is root; {@code env} is the environment. */
  static Path choose(long uid, Map<String, String> env, Path home) {
    if (uid == 0) {
      return SYSTEM;
    }
    Path runtime = absoluteDirectory(env.get("XDG_RUNTIME_DIR"));
    if (runtime != null) {
      return runtime.resolve("unionfs-java");
    }
    Path state = absolute(env.get("XDG_STATE_HOME"));
    return (state != null ? state : home.resolve(".local/state")).resolve("unionfs-java");
  }

  /** The effective uid from a {@code /proc/PID/status} file, or -1 if it cannot be read. */
  static long effectiveUid(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("Uid:")) {
          return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // not Linux, or no procfs: not root as far as logging goes
    }
    return -1;
  }

  private static Path absoluteDirectory(String value) {
    Path path = absolute(value);
    return path != null && Files.isDirectory(path) ? path : null;
  }

  private static Path absolute(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    Path path = Path.of(value);
    return path.isAbsolute() ? path : null; // the specification says to ignore relative paths
  }
}
