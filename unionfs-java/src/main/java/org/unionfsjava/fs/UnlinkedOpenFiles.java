package org.unionfsjava.fs;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.Layer;
import org.unionfsjava.model.Namespace;
import org.unionfsjava.model.Resolution;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;
import org.unionfsjava.model.WorkDir;

/**
 * Files unlinked while still open. libfuse2's high-level API keeps such a file reachable by
 * renaming it to {@code .fuse_hiddenXXXXXXXXYYYYYYYY} in its directory and unlinks that name when
 * the last handle closes; fstat(2) on the open descriptor then asks for the hidden name. The union
 * does not put hidden names into the branches: the rename is an unlink (whiteout and all), the
 * upper object moves into the work directory, and the hidden name resolves to it here.
 *
 * <p>The kept object leaves the work directory when the last union handle open on it is released,
 * or when libfuse unlinks the hidden name, whichever comes first. The union does not rely on
 * libfuse alone: once the file's directory has been removed libfuse can no longer build the hidden
 * name's path and never unlinks it. A crash loses nothing: the work directory is emptied at mount.
 *
 * <p>The link count the union reports for a kept object is its names left in the union: the link
 * in the work directory is none, so a file unlinked while open reports 0, and the other name of a
 * hard-linked pair the remaining 1, as on a plain filesystem (before, fstat said 1 and 2).
 *
 * <p>Names of this form are reserved: a user cannot create them.
 */
final class UnlinkedOpenFiles {
  private static final Logger LOG = LogManager.getLogger();

  /** The prefix libfuse2 gives hidden names. */
  static final String PREFIX = ".fuse_hidden";

  /** One kept object: what the hidden name resolves to, and the union handles open on it. */
  private static final class Kept {
    final Resolution.Visible resolution;
    final Set<Long> handles = new HashSet<>();

    Kept(Resolution.Visible resolution) {
      this.resolution = resolution;
    }
  }

  private final BranchIo io;
  private final Namespace namespace;
  private final WorkDir work;
  private final OpenFileTable table;
  /**
   * Keyed by the hidden name alone: libfuse2's names are unique (node id and counter), and the
   * directory they were made in may be renamed while the file is still open. Guarded by this.
   */
  private final Map<String, Kept> hidden = new HashMap<>();
  /** The size of {@link #hidden}, read without the lock on every release. */
  private volatile int count;

  UnlinkedOpenFiles(BranchIo io, Namespace namespace, WorkDir work, OpenFileTable table) {
    this.io = io;
    this.namespace = namespace;
    this.work = work;
    this.table = table;
  }

  /** True for a name libfuse2 uses to hide an open file. */
  static boolean isHiddenName(UnionPath p) {
    return p.name().startsWith(PREFIX);
  }

  /** What a hidden name stands for: the kept object, or missing. */
  synchronized Resolution resolve(UnionPath p) {
    Kept k = hidden.get(p.name());
    return k != null ? k.resolution : new Resolution.Missing(p, null, Errno.ENOENT, false);
  }

  /**
   * Unlinks {@code v} from the union and keeps its object reachable as {@code hiddenPath}, noting
   * which open union handles refer to that object.
   */
  synchronized void hide(Resolution.Visible v, Resolution.Visible parent, UnionPath hiddenPath) throws IOException {
    Layer now = namespace.unlinkKeeping(v, parent, work.newTempPath());
    Stat st = io.lstat(now.path());
    if (st == null) {
      throw new UnionException(Errno.ENOENT, v.path().toString(), "vanished while being unlinked");
    }
    Kept k = new Kept(new Resolution.Visible(hiddenPath, List.of(now), st, false, false));
    // a kept lower object's handles are counted too: nothing to remove at the last release, but
    // fstat through them must know the file has no union names left (UnionOps.fgetattr)
    table.forEachFile((fh, f) -> {
      try {
        Stat open = NativeFile.fstat(f.fd());
        if (open.dev() == st.dev() && open.ino() == st.ino()) {
          k.handles.add(fh);
        }
      } catch (UnionException closedMeanwhile) {
        // released while we looked: not one of the kept object's handles any more
      }
    });
    hidden.put(hiddenPath.name(), k);
    count = hidden.size();
  }

  /** A union handle opened on a hidden name (a reopen through /proc/self/fd). */
  synchronized void opened(UnionPath hiddenPath, long fh) {
    Kept k = hidden.get(hiddenPath.name());
    if (k != null) {
      k.handles.add(fh);
    }
  }

  /** The hidden name of the kept object a union handle is open on, or null if it is no such handle. */
  UnionPath hiddenPathOf(long fh) {
    if (count == 0) {
      return null;
    }
    synchronized (this) {
      for (Kept k : hidden.values()) {
        if (k.handles.contains(fh)) {
          return k.resolution.path();
        }
      }
      return null;
    }
  }

  /**
   * How many of an upper object's links are kept objects' (each holds one in the work directory,
   * which is no name in the union): the union reports its real link count minus these. Free when
   * no unlinked file is open.
   */
  int keptLinks(Stat st) {
    if (count == 0) {
      return 0;
    }
    synchronized (this) {
      int n = 0;
      for (Kept k : hidden.values()) {
        Stat kept = k.resolution.stat();
        if (k.resolution.inUpper() && kept.dev() == st.dev() && kept.ino() == st.ino()) {
          n++;
        }
      }
      return n;
    }
  }

  /** A union handle released: the kept object goes once no union handle refers to it. */
  void released(long fh) {
    if (count == 0) {
      return;
    }
    synchronized (this) {
      for (Iterator<Map.Entry<String, Kept>> it = hidden.entrySet().iterator(); it.hasNext();) {
        Map.Entry<String, Kept> e = it.next();
        Kept k = e.getValue();
        if (k.handles.remove(fh) && k.handles.isEmpty()) {
          it.remove();
          discard(e.getKey(), k);
        }
      }
      count = hidden.size();
    }
  }

  /** libfuse2 dropping a hidden name once the file's last handle closed. */
  synchronized void remove(UnionPath hiddenPath) throws IOException {
    Kept k = hidden.remove(hiddenPath.name());
    count = hidden.size();
    if (k != null) {
      discard(hiddenPath.name(), k);
    }
    // else: already gone with its last union handle
  }

  private void discard(String name, Kept k) {
    if (!k.resolution.inUpper()) {
      return;
    }
    try {
      work.removeTree(k.resolution.top().path());
    } catch (IOException e) {
      LOG.warn("could not remove the unlinked file {} kept as {}: {} (it goes at the next mount)",
          name, k.resolution.top().path(), e.toString());
    }
  }

  /** How many unlinked files are still open. */
  synchronized int size() {
    return hidden.size();
  }
}
