package org.unionfsjava.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether this process's stderr is systemd's journal: systemd sets {@code JOURNAL_STREAM} to the
 * device and inode ({@code DEV:INO}) of the stream it connects a unit's stdout and stderr to, so a
 * program can tell that what it writes there is logged (systemd.exec(5)). A background server
 * started from a unit or a mount unit (an /etc/fstab line) then logs to the journal, not to a file.
 */
final class JournalStream {

  private JournalStream() {
  }

  /** True if {@code JOURNAL_STREAM} names the file that {@code stderr} (a /proc/self/fd link) is. */
  static boolean isStderr(Map<String, String> environment, Path stderr) {
    String stream = environment.get("JOURNAL_STREAM");
    if (stream == null || !stream.matches("\\d+:\\d+")) {
      return false;
    }
    try {
      Map<String, Object> attributes = Files.readAttributes(stderr, "unix:dev,ino");
      String[] parts = stream.split(":");
      return Long.parseLong(parts[0]) == (Long) attributes.get("dev")
          && Long.parseLong(parts[1]) == (Long) attributes.get("ino");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** True if this process's stderr is the journal. */
  static boolean isStderr() {
    return isStderr(System.getenv(), Path.of("/proc/self/fd/2"));
  }

}
