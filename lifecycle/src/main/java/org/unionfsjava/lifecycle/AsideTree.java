package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.CrashPoints;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;

/**
 * A tree built aside, next to where it will go, and put in place with one rename: {@code
 * .NAME.unionfs-TOOL.PID} beside {@code NAME}, so a crash or Ctrl-C at any point leaves the old
 * tree or the new one at {@code NAME}, never a mix, and at most this temporary beside it. A
 * temporary whose process is gone is removed by the next run of the same tool on the same name
 * (and reported by {@code check}).
 */
final class AsideTree {
  private static final Logger LOG = LogManager.getLogger();

  private final BranchIo io;
  private final Path target;
  private final Path temp;
  private final String tool;

  AsideTree(BranchIo io, Path target, String tool) {
    this.io = io;
    this.target = target;
    this.tool = tool;
    this.temp = target.resolveSibling(prefix(target, tool) + ProcessHandle.current().pid());
  }

  private static String prefix(Path target, String tool) {
    return "." + target.getFileName() + ".unionfs-" + tool + ".";
  }

  /** Where the new tree is built. */
  Path temp() {
    return temp;
  }

  /** Removes temporaries of this tool for this target left by processes that are gone; returns how many. */
  int removeStale() throws IOException {
    int n = 0;
    String prefix = prefix(target, tool);
    for (DirEntry e : io.list(target.getParent())) {
      if (!e.name().startsWith(prefix)) {
        continue;
      }
      String pid = e.name().substring(prefix.length());
      if (isStale(pid)) {
        LOG.info("removing {} left by an interrupted {}", target.resolveSibling(e.name()), tool);
        remove(io, target.resolveSibling(e.name()));
        n++;
      }
    }
    return n;
  }

  /** True if a temporary's PID suffix names no running process. */
  static boolean isStale(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(h -> !h.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false; // not one of ours
    }
  }

  /**
   * Syncs the new tree's filesystem and renames it to the target: the target must not exist
   * unless {@code replace}, which exchanges the two in one step and then removes the old tree.
   */
  void install(boolean replace, String crashBefore, String crashAfterExchange) throws IOException {
    ToolCalls.syncFilesystem(temp);
    CrashPoints.reach(crashBefore);
    Stat existing = io.lstat(target);
    if (existing == null) {
      io.rename(temp, target, BranchIo.RenameMode.NOREPLACE);
      io.syncDirectory(target.getParent());
      return;
    }
    if (!replace) {
      throw new UnionException(Errno.EEXIST, target.toString(), "exists (--replace swaps it)");
    }
    io.rename(temp, target, BranchIo.RenameMode.EXCHANGE);
    io.syncDirectory(target.getParent());
    CrashPoints.reach(crashAfterExchange);
    Thread.interrupted(); // the new tree is in place: an interrupt now only leaves the old one aside
    remove(io, temp);
  }

  /** Removes what was built aside (after a failure or an interrupt). */
  void discard() {
    boolean interrupted = Thread.interrupted();
    try {
      remove(io, temp);
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}; the next run removes it", temp, e.getMessage());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Removes a tree, never following symlinks; a missing one is fine. */
  static void remove(BranchIo io, Path p) throws IOException {
    Stat st = io.lstat(p);
    if (st == null) {
      return;
    }
    if (st.isDirectory()) {
      if ((st.permissions() & 0700) != 0700) {
        io.chmod(p, st.permissions() | 0700); // a read-only directory of the tree: its names go too
      }
      for (DirEntry e : io.list(p)) {
        remove(io, p.resolve(e.name()));
      }
      io.rmdir(p);
    } else {
      try {
        io.unlink(p);
      } catch (UnionException e) {
        if (e.errno() != Errno.ENOENT) {
          throw e;
        }
      }
    }
  }
}
