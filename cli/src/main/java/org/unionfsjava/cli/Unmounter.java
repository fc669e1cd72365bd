package org.unionfsjava.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.MountTable;

/**
 * Unmounts a union: checks that the path is a unionfs-java mount, then asks {@code umount} (as
 * root) and {@code fusermount3 -u} / {@code fusermount -u} in turn until one succeeds.
 */
final class Unmounter {

  private static final Logger LOG = LogManager.getLogger(Unmounter.class);

  private final Path mountInfo;
  private final boolean root;

  Unmounter(Path mountInfo, boolean root) {
    this.mountInfo = mountInfo;
    this.root = root;
  }

  /** Whether this process runs as root (the owner of {@code /proc/self} is the effective user). */
  static boolean runningAsRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * The mount point as the mount table names it: its real path; a dead FUSE mount cannot be
   * resolved (ENOTCONN), so then its parent's real path and its name.
   */
  static Path mountTablePath(Path given) {
    Path absolute = given.toAbsolutePath().normalize();
    try {
      return absolute.toRealPath();
    } catch (IOException e) {
      Path parent = absolute.getParent();
      if (parent == null) {
        return absolute;
      }
      try {
        return parent.toRealPath().resolve(absolute.getFileName());
      } catch (IOException alsoUnreachable) {
        return absolute;
      }
    }
  }

  /**
   * Checks that {@code mountPoint} is a mounted union.
   *
   * @throws CommandFailure with {@link ExitStatus#BAD_PATH} if it is not
   */
  void requireUnion(Path mountPoint) throws CommandFailure {
    MountTable table;
    try {
      table = MountTable.read(mountInfo);
    } catch (IOException e) {
      throw new CommandFailure(ExitStatus.ENVIRONMENT,
          "cannot read the mount table (" + e.getMessage() + ")", mountInfo);
    }
    var entry = table.mountAt(mountPoint);
    if (entry.isEmpty()) {
      throw new CommandFailure(ExitStatus.BAD_PATH, "not a mount point", mountPoint);
    }
    if (!entry.get().isUnion()) {
      throw new CommandFailure(ExitStatus.BAD_PATH,
          "not a unionfs-java mount (it is " + entry.get().fsType() + ")", mountPoint);
    }
  }

  /** The commands tried in turn to unmount, for root or an ordinary user. */
  static List<List<String>> commandsFor(Path mountPoint, boolean root, boolean lazy) {
    String target = mountPoint.toString();
    List<List<String>> commands = new ArrayList<>();
    if (root) {
      commands.add(lazy ? List.of("umount", "-l", target) : List.of("umount", target));
    }
    for (String fusermount : List.of("fusermount3", "fusermount")) {
      commands.add(lazy ? List.of(fusermount, "-u", "-z", target)
          : List.of(fusermount, "-u", target));
    }
    return commands;
  }

  /**
   * Unmounts the union at {@code mountPoint}.
   *
   * @throws CommandFailure if it is not a union or no command could unmount it
   */
  void unmount(Path mountPoint, boolean lazy) throws CommandFailure, InterruptedException {
    requireUnion(mountPoint);
    String firstComplaint = null;
    for (List<String> command : commandsFor(mountPoint, root, lazy)) {
      LOG.debug("running {}", command);
      Process process;
      String output;
      try {
        process = new ProcessBuilder(org.unionfsjava.model.NameCharset.processCommand(command))
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
            .strip();
      } catch (IOException notRunnable) {
        LOG.debug("cannot run {}: {}", command.get(0), notRunnable.getMessage());
        continue;
      }
      int exitCode = process.waitFor();
      if (exitCode == 0) {
        return;
      }
      LOG.info("{} exited with {}: {}", command, exitCode, output);
      if (firstComplaint == null) {
        firstComplaint = output.isEmpty() ? command.get(0) + " exited with " + exitCode
            : lastLine(output);
      }
    }
    throw new CommandFailure(ExitStatus.MOUNT_FAILED, "unmount failed ("
        + (firstComplaint == null ? "no umount or fusermount found" : firstComplaint)
        + (lazy ? "" : "; if it is busy, --lazy detaches it now") + ")", mountPoint);
  }

  private static String lastLine(String output) {
    String[] lines = output.split("\n");
    return lines[lines.length - 1].strip();
  }

}
