package org.unionfsjava.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The documented exit codes of {@code unionfs-java}, so scripts, the initrd hook and systemd can
 * react to the kind of failure.
 */
enum ExitStatus {
  OK(0, "success"),
  UNEXPECTED(1, "unexpected error (a bug; run with -vv and report it)"),
  USAGE(2, "usage error: unknown option (also an -o option libfuse 3 does not take, and -o"
      + " remount), missing or malformed argument"),
  BAD_PATH(3, "bad branch or mount point (missing, not a directory, nested, already mounted,"
      + " not a unionfs-java mount, upper or work directory in use by another mount)"),
  ENVIRONMENT(4, "environment: no /dev/fuse, libfuse not installed, not permitted"),
  FORMAT_MISMATCH(5, "the upper uses another whiteout format than --whiteout-format asks for"),
  MOUNT_FAILED(6, "the mount or unmount itself failed (FUSE refused, timed out, busy)"),
  DAMAGE(7, "check: the upper has damage that remains (run check --repair, or it cannot be"
      + " repaired)"),
  IN_USE(8, "the upper is in use by a mounted union: unmount it first"),
  TOOL_FAILED(9, "a tool failed (I/O error, out of space, not permitted); what it was building"
      + " was removed and nothing was changed"),
  INTERRUPTED(130, "interrupted (Ctrl-C): the old state is kept, or the new one if it was"
      + " already in place");

  private final int code;
  private final String meaning;

  ExitStatus(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  /** The process exit code. */
  int code() {
    return code;
  }

  /** What the code means, as the help footer shows it. */
  String meaning() {
    return meaning;
  }

  /** All codes and their meanings, in order, for picocli's exit code list. */
  static Map<String, String> helpList() {
    Map<String, String> list = new LinkedHashMap<>();
    for (ExitStatus status : values()) {
      list.put(Integer.toString(status.code), status.meaning);
    }
    return list;
  }
}
