package org.unionfsjava.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.unionfsjava.fs.SnapshotLayers;
import org.unionfsjava.fs.UpperInUseException;
import org.unionfsjava.fs.UpperLock;
import org.unionfsjava.fs.nativeio.NativeBranchIo;
import org.unionfsjava.lifecycle.LiveMounts;
import org.unionfsjava.lifecycle.UpperLayout;
import org.unionfsjava.model.NameCharset;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The branches an offline tool works on, as {@code mount} names them: {@code UPPER} and {@code
 * --lower} (repeatable, topmost first), optionally {@code --workdir}. For the tools that allow it,
 * {@code UPPER} may instead be the mount point of a live unionfs-java union, whose branches are
 * then taken from its server.
 */
final class BranchArguments {

  @Parameters(index = "0", paramLabel = "UPPER",
      description = "The upper directory (for diff also the mount point of a live unionfs-java union).")
  Path upper;

  @Option(names = "--lower", paramLabel = "DIR",
      description = "A lower directory, as given to mount; repeat for more, topmost first.")
  List<Path> lowers = new ArrayList<>();

  @Option(names = "--workdir", paramLabel = "DIR",
      description = "The work directory, if the union was mounted with --workdir"
          + " (default: UPPER/.unionfs-java).")
  Path workDir;

  /** What the arguments name, with a live union's branches when UPPER is its mount point. */
  Resolved resolve(boolean mountPointAllowed) throws IOException, CommandFailure {
    Path given = upper.toAbsolutePath().normalize();
    if (mountPointAllowed && lowers.isEmpty()) {
      Optional<LiveMounts.Union> live = new LiveMounts().at(given);
      if (live.isPresent()) {
        LiveMounts.Union u = live.get();
        if (u.upper() == null || u.lowers().isEmpty()) {
          throw new CommandFailure(ExitStatus.BAD_PATH, "cannot find the branches of the " + u.server()
              + " mount (give UPPER and --lower)", given);
        }
        return new Resolved(u.upper(), u.lowers(), u.workDir(), u);
      }
    }
    List<Path> ls = new ArrayList<>();
    for (Path l : lowers) {
      ls.add(l.toAbsolutePath().normalize());
    }
    return new Resolved(given, ls, workDir == null ? null : workDir.toAbsolutePath().normalize(), null);
  }

  /**
   * The branches in the form the tools take.
   *
   * @param live the live union they belong to, when UPPER was its mount point
   */
  record Resolved(Path upper, List<Path> lowers, Path workDir, LiveMounts.Union live) {
    /**
     * The lowers a union of this upper stands on: its snapshot layers ({@link SnapshotLayers}),
     * newest first, above the lowers given.
     */
    List<Path> stackedLowers() throws IOException {
      return SnapshotLayers.stack(upper, workDir, lowers);
    }

    /** Opens the upper with the native branch I/O (paths as name strings), over its layers too. */
    UpperLayout open(boolean needLowers, String fallbackFormat) throws IOException, CommandFailure {
      if (needLowers && lowers.isEmpty()) {
        throw new CommandFailure(ExitStatus.USAGE, "give the lowers with --lower (as for mount)");
      }
      List<Path> ls = new ArrayList<>();
      for (Path l : stackedLowers()) {
        ls.add(NameCharset.fromPlatform(l));
      }
      return UpperLayout.open(new NativeBranchIo(), NameCharset.fromPlatform(upper), ls,
          workDir == null ? null : NameCharset.fromPlatform(workDir), fallbackFormat);
    }

    /**
     * Refuses an upper that a union serves, and takes its lock ({@link UpperLock}) for the
     * caller to hold while it works: a union seen in the mount table (also a dead one, and kernel
     * overlayfs, fuse-overlayfs, unionfs-fuse) or a unionfs-java server holding the lock in any
     * mount namespace is refused with exit 8, and no mount can start until the lock is let go.
     */
    UpperLock requireNotMounted(String tool) throws IOException, CommandFailure {
      UpperLock lock;
      try {
        lock = UpperLock.acquireForTool(upper, workDir);
      } catch (UpperInUseException e) {
        throw new CommandFailure(ExitStatus.IN_USE, tool + " needs an unmounted upper, but the "
            + e.reason(), upper);
      }
      try {
        Optional<LiveMounts.Union> u = new LiveMounts().servingUpper(upper);
        if (u.isPresent()) {
          // the lock was free: a unionfs-java mount of it has no server any more
          String what = u.get().server().startsWith("unionfs-java")
              ? "the dead unionfs-java union at " + u.get().mountPoint() + " (its server has ended) still names "
                  + upper + " (detach it first: unionfs-java umount " + u.get().mountPoint() + ")"
              : "the " + u.get().server() + " union at " + u.get().mountPoint() + " serves " + upper
                  + " (unmount it first)";
          throw new CommandFailure(ExitStatus.IN_USE, tool + " needs an unmounted upper, but " + what);
        }
      } catch (IOException | CommandFailure | RuntimeException e) {
        lock.close();
        throw e;
      }
      return lock;
    }
  }
}
