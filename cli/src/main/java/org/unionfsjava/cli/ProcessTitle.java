package org.unionfsjava.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The title a serving process shows in ps and top: its command line becomes, for example,
 * {@code unionfs-java /mnt/union upper=/srv/u lower=/srv/base} instead of a JVM's long list of
 * options, and its name ({@code comm}, what {@code ps -e} and {@code pgrep} match) becomes
 * {@code unionfs-java} instead of {@code java}.
 *
 * <p>As setproctitle does in C, the title is written over the process's own argument strings
 * (the range /proc/self/stat names as arg_start to arg_end, through /proc/self/mem), padded with
 * NULs, and cut to that length; the JVM has copied its arguments long before. An argv[0] that
 * starts with {@code @} (the initrd's server: systemd's shutdown spares such processes) keeps it.
 * Anything that fails leaves the old title; the union is served the same.
 */
final class ProcessTitle {

  private static final Logger LOG = LogManager.getLogger(ProcessTitle.class);
  /** Fields 48 and 49 of /proc/PID/stat, counted from 1 (proc(5)). */
  private static final int ARG_START_FIELD = 48;

  private ProcessTitle() {
  }

  /** Sets this process's title and name; false if the system would not let it. */
  static boolean set(String title) {
    try {
      Files.writeString(Path.of("/proc/self/comm"), "unionfs-java");
      long[] range = argumentRange(Files.readString(Path.of("/proc/self/stat")));
      byte[] old = Files.readAllBytes(Path.of("/proc/self/cmdline"));
      String shown = old.length > 0 && old[0] == '@' ? "@" + title : title;
      byte[] area = Arrays.copyOf(shown.getBytes(StandardCharsets.UTF_8),
          (int) (range[1] - range[0]));
      area[area.length - 1] = 0; // the kernel reads a title only up to a NUL at the end
      try (RandomAccessFile memory = new RandomAccessFile("/proc/self/mem", "rw")) {
        memory.seek(range[0]);
        memory.write(area);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.debug("the process title stays as it was", e);
      return false;
    }
  }

  /** The title of a server: the mount point and the branches as the mount options name them. */
  static String of(org.unionfsjava.fs.MountConfig options) {
    StringBuilder lowers = new StringBuilder();
    for (Path lower : options.lowers()) {
      lowers.append(lowers.length() == 0 ? "" : ":").append(lower);
    }
    return "unionfs-java " + options.mountPoint() + " upper=" + options.upper() + " lower="
        + lowers;
  }

  /** arg_start and arg_end from the text of /proc/PID/stat (the name in parentheses may hold spaces). */
  static long[] argumentRange(String stat) {
    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    int first = ARG_START_FIELD - 3; // rest[0] is field 3, the state
    return new long[] {Long.parseLong(rest[first]), Long.parseLong(rest[first + 1])};
  }
}
