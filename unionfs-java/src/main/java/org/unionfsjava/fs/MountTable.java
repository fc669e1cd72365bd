package org.unionfsjava.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Reads /proc/self/mountinfo and unmounts: what the kernel says is mounted, and how to undo it. */
public final class MountTable {
  private static final Logger LOG = LogManager.getLogger();
  /** The type /proc/self/mountinfo shows for a unionfs-java mount. */
  public static final String FS_TYPE = "fuse.unionfs-java";

  private MountTable() {}

  /** The filesystem type mounted at this path (the topmost mount), or null. */
  public static String fsTypeAt(Path mountPoint) {
    String target = mountPoint.toAbsolutePath().normalize().toString();
    String type = null;
    try {
      for (String line : new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), java.nio.charset.StandardCharsets.UTF_8).lines().toList()) {
        String[] f = line.split(" ");
        int dash = line.indexOf(" - ");
        if (f.length > 4 && dash > 0 && unescape(f[4]).equals(target)) {
          type = line.substring(dash + 3).split(" ")[0];
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read /proc/self/mountinfo: {}", e.getMessage());
    }
    return type;
  }

  private static String unescape(String s) {
    return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
  }

  /** True if a unionfs-java mount is at this path. */
  public static boolean isUnionMounted(Path mountPoint) {
    return FS_TYPE.equals(fsTypeAt(mountPoint));
  }

  /**
   * Unmounts: umount(8) (root), else fusermount3/fusermount -u; with {@code lazy} detaches a busy
   * mount. Returns true if nothing is mounted there afterwards.
   */
  public static boolean unmount(Path mountPoint, boolean lazy) {
    String mp = mountPoint.toAbsolutePath().normalize().toString();
    List<List<String>> attempts = lazy
        ? List.of(List.of("umount", "-l", mp), List.of("fusermount3", "-u", "-z", mp), List.of("fusermount", "-u", "-z", mp))
        : List.of(List.of("umount", mp), List.of("fusermount3", "-u", mp), List.of("fusermount", "-u", mp));
    for (List<String> cmd : attempts) {
      if (run(cmd) && fsTypeAt(mountPoint) == null) {
        return true;
      }
      if (!FS_TYPE.equals(fsTypeAt(mountPoint))) {
        return true;
      }
    }
    return !FS_TYPE.equals(fsTypeAt(mountPoint));
  }

  /** Unmounts, detaching lazily if a plain unmount fails (busy). */
  public static boolean unmount(Path mountPoint) {
    return unmount(mountPoint, false) || unmount(mountPoint, true);
  }

  private static boolean run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(org.unionfsjava.model.NameCharset.processCommand(cmd)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
