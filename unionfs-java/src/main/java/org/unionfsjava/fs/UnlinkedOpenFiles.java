package org.unionfsjava.fs;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.Layer;
import org.unionfsjava.model.Namespace;
import org.unionfsjava.model.Resolution;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;
import org.unionfsjava.model.WorkDir;

/**
 * Files unlinked while still open. libfuse2's high-level API keeps such a file reachable by
 * renaming it to {@code .fuse_hiddenXXXXXXXXYYYYYYYY} in its directory and unlinks that name when
 * the last handle closes; fstat(2) on the open descriptor then asks for the hidden name. The union
 * does not put hidden names into the branches: the rename is an unlink (whiteout and all), the
 * upper object moves into the work directory, and the hidden name resolves to it here until
 * libfuse unlinks it. A crash loses nothing: the work directory is emptied at mount.
 *
 * <p>Names of this form are reserved: a user cannot create them.
 */
final class UnlinkedOpenFiles {
  /** The prefix libfuse2 gives hidden names. */
  static final String PREFIX = ".fuse_hidden";

  private final BranchIo io;
  private final Namespace namespace;
  private final WorkDir work;
  /**
   * Keyed by the hidden name alone: libfuse2's names are unique (node id and counter), and the
   * directory they were made in may be renamed while the file is still open.
   */
  private final ConcurrentHashMap<String, Resolution.Visible> hidden = new ConcurrentHashMap<>();

  UnlinkedOpenFiles(BranchIo io, Namespace namespace, WorkDir work) {
    this.io = io;
    this.namespace = namespace;
    this.work = work;
  }

  /** True for a name libfuse2 uses to hide an open file. */
  static boolean isHiddenName(UnionPath p) {
    return p.name().startsWith(PREFIX);
  }

  /** What a hidden name stands for: the kept object, or missing. */
  Resolution resolve(UnionPath p, Resolution.Visible parent) {
    Resolution.Visible v = hidden.get(p.name());
    return v != null ? v : new Resolution.Missing(p, null, Errno.ENOENT, false);
  }

  /** Unlinks {@code v} from the union and keeps its object reachable as {@code hiddenPath}. */
  void hide(Resolution.Visible v, Resolution.Visible parent, UnionPath hiddenPath) throws IOException {
    Layer now = namespace.unlinkKeeping(v, parent, work.newTempPath());
    Stat st = io.lstat(now.path());
    if (st == null) {
      throw new UnionException(Errno.ENOENT, v.path().toString(), "vanished while being unlinked");
    }
    hidden.put(hiddenPath.name(), new Resolution.Visible(hiddenPath, List.of(now), st, false, false));
  }

  /** libfuse2 dropping a hidden name once the file's last handle closed. */
  void remove(UnionPath hiddenPath) throws IOException {
    Resolution.Visible v = hidden.remove(hiddenPath.name());
    if (v == null) {
      throw new UnionException(Errno.ENOENT, hiddenPath.toString(), "no such file or directory");
    }
    if (v.inUpper()) {
      work.removeTree(v.top().path());
    }
  }

  /** How many unlinked files are still open. */
  int size() {
    return hidden.size();
  }
}
