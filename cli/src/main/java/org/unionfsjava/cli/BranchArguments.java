package org.unionfsjava.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    /** Opens the upper with the native branch I/O (paths as name strings). */
    UpperLayout open(boolean needLowers, String fallbackFormat) throws IOException, CommandFailure {
      if (needLowers && lowers.isEmpty()) {
        throw new CommandFailure(ExitStatus.USAGE, "give the lowers with --lower (as for mount)");
      }
      List<Path> ls = new ArrayList<>();
      for (Path l : lowers) {
        ls.add(NameCharset.fromPlatform(l));
      }
      return UpperLayout.open(new NativeBranchIo(), NameCharset.fromPlatform(upper), ls,
          workDir == null ? null : NameCharset.fromPlatform(workDir), fallbackFormat);
    }

    /** Refuses an upper that a mounted union serves: the tool would change it under the server. */
    void requireNotMounted(String tool) throws IOException, CommandFailure {
      Optional<LiveMounts.Union> u = new LiveMounts().servingUpper(upper);
      if (u.isPresent()) {
        throw new CommandFailure(ExitStatus.IN_USE, tool + " needs an unmounted upper, but the "
            + u.get().server() + " union at " + u.get().mountPoint() + " serves " + upper
            + " (unmount it first)");
      }
    }
  }
}
