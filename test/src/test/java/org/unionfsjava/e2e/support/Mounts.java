package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Reads /proc/self/mountinfo and unmounts with a lazy fallback. */
public final class Mounts {
  private Mounts() {}

  /** The filesystem type mounted at this path, or null if nothing is mounted there. */
  public static String fsTypeAt(Path mountPoint) {
    String target = mountPoint.toAbsolutePath().normalize().toString();
    try {
      List<String> lines = new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
      String type = null;
      for (String line : lines) {
        String[] f = line.split(" ");
        int dash = line.indexOf(" - ");
        if (f.length < 5 || dash < 0) {
          continue;
        }
        if (unescape(f[4]).equals(target)) {
          type = line.substring(dash + 3).split(" ")[0]; // the last mount on top wins
        }
      }
      return type;
    } catch (IOException e) {
      throw new AssertionError("cannot read mountinfo", e);
    }
  }

  private static String unescape(String s) {
    return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
  }

  /** Unmounts; if that fails (busy), detaches lazily. Never throws. */
  public static void unmountQuietly(Path mountPoint) {
    for (int i = 0; i < 3 && fsTypeAt(mountPoint) != null; i++) {
      Processes.Result r = Processes.run(Duration.ofSeconds(30), "umount", mountPoint.toString());
      if (r.exit() != 0) {
        Processes.run(Duration.ofSeconds(30), "umount", "-l", mountPoint.toString());
      }
    }
  }

  /** Waits (bounded) until something of this type is mounted there. */
  public static boolean awaitMounted(Path mountPoint, String fsType, Duration timeout, ProcessHandle daemon)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (fsType.equals(fsTypeAt(mountPoint))) {
        return true;
      }
      if (daemon != null && !daemon.isAlive()) {
        return false;
      }
      Thread.sleep(20);
    }
    return false;
  }
}
