package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.DirectoryMerger;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.HardLinkIndex;
import org.unionfsjava.model.Lookup;
import org.unionfsjava.model.MergedEntry;
import org.unionfsjava.model.Resolution;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;

/**
 * The {@code commit} tool: writes the merged view of an upper over its lowers as a new plain
 * tree (no whiteouts, markers, redirects or union xattrs), built aside and renamed into place.
 * It walks the union exactly as a mount shows it (the model's lookup and merged listings), and
 * for each object takes the cheapest faithful copy: a lower file nothing changed is hard-linked
 * where the new tree is on the lower's filesystem (it is the same inode, attributes and all);
 * anything else is copied by the branch I/O, which reflinks (FICLONE) where the filesystem
 * shares extents, else uses copy_file_range, and keeps holes. Names that share an inode in the
 * union share one in the new tree.
 */
public final class Committer {
  private static final Logger LOG = LogManager.getLogger();

  /**
   * @param replace the target may exist: the new tree is exchanged with it, then the old removed
   * @param linkLowers hard-link unchanged lower files (false: always copy)
   */
  public record Options(boolean replace, boolean linkLowers) {}

  /** What a commit did. */
  public record Result(Path into, long objects, long linked, long copied, long bytesCopied,
      long ownersNotKept, long xattrsNotKept, int staleRemoved) {}

  private final UpperLayout layout;
  private final BranchIo io;
  private final Lookup lookup;
  private final DirectoryMerger merger;
  private final HardLinkIndex index;
  private final Progress progress;
  private final Options options;
  private final Attributes attributes;
  /** Source inode ("dev:ino") to the first new name made from it. */
  private final Map<String, Path> made = new HashMap<>();
  /** Filesystems (st_dev of a lower) the new tree cannot link from. */
  private final java.util.Set<Long> noLinks = new java.util.HashSet<>();
  private long objects;
  private long linked;
  private long copied;
  private long bytes;

  public Committer(UpperLayout layout, Progress progress, Options options) {
    this.layout = layout;
    this.io = layout.io();
    this.lookup = layout.lookup();
    this.merger = layout.merger(lookup);
    this.index = layout.index();
    this.progress = progress;
    this.options = options;
    this.attributes = new Attributes(io, layout.format());
  }

  /** Writes the merged tree to {@code into}. */
  public Result commitInto(Path into) throws IOException {
    if (io.lstat(into) != null && !options.replace()) {
      throw new UnionException(Errno.EEXIST, into.toString(), "the target exists (--replace swaps it)");
    }
    Stat parent = io.lstat(into.getParent());
    if (parent == null || !parent.isDirectory()) {
      throw new UnionException(Errno.ENOENT, into.getParent().toString(), "the target's parent directory does not exist");
    }
    for (Path l : layout.lowers()) {
      if (l.startsWith(into) && !l.equals(into) || layout.upper().startsWith(into)) {
        throw new UnionException(Errno.EINVAL, into.toString(), "the target contains a branch");
      }
    }
    AsideTree aside = new AsideTree(io, into, "commit");
    int stale = aside.removeStale();
    progress.begin("commit: writing the merged tree");
    try {
      Resolution.Visible root = lookup.root();
      io.mkdir(aside.temp(), 0700);
      copyChildren(root, aside.temp());
      attributes.copy(root.top().path(), root.stat(), aside.temp());
      progress.end();
      aside.install(options.replace(), "commit.before-rename", "commit.after-exchange");
    } catch (IOException | RuntimeException | Error e) {
      progress.end();
      aside.discard();
      throw e;
    }
    LOG.info("committed {} objects into {} ({} linked, {} copied, {} bytes)", objects, into, linked, copied, bytes);
    return new Result(into, objects, linked, copied, bytes, attributes.ownersNotKept(),
        attributes.xattrsNotKept(), stale);
  }

  private void copyChildren(Resolution.Visible dir, Path target) throws IOException {
    for (MergedEntry e : merger.list(dir)) {
      Resolution r = lookup.step(dir, e.name());
      if (!(r instanceof Resolution.Visible)) {
        continue;
      }
      Resolution.Visible v = (Resolution.Visible) r;
      Path t = target.resolve(e.name());
      if (v.isDirectory()) {
        io.mkdir(t, 0700);
        copyChildren(v, t);
        attributes.copy(v.top().path(), v.stat(), t);
      } else {
        copyObject(v, t);
      }
      objects++;
      progress.step();
    }
  }

  private void copyObject(Resolution.Visible v, Path t) throws IOException {
    Path meta = v.top().path();
    Path data = v.dataLayer().path();
    boolean fromLower = !v.inUpper();
    if (fromLower && v.kind() == FileKind.REGULAR) {
      Path idx = index.existingFor(v); // another name of this inode was copied up: all show that copy
      if (idx != null) {
        meta = idx;
        data = idx;
        fromLower = false;
      }
    }
    Stat st = io.lstat(meta);
    if (st == null) {
      throw new UnionException(Errno.ENOENT, v.path().toString(), "vanished while committing");
    }
    String key = st.dev() + ":" + st.ino();
    Path first = st.nlink() > 1 ? made.get(key) : null;
    if (first != null) {
      io.link(first, t); // another name of an inode already in the new tree
      linked++;
      return;
    }
    if (fromLower && v.kind() == FileKind.REGULAR && options.linkLowers() && !noLinks.contains(st.dev()) && tryLink(meta, st, t)) {
      linked++;
    } else {
      switch (v.kind()) {
        case REGULAR:
          io.copyFileData(data, t, false);
          copied++;
          bytes += st.size();
          progress.advance(0, st.size());
          break;
        case SYMLINK:
          io.symlink(io.readlink(meta), t);
          break;
        default:
          io.mknod(t, st.mode(), st.rdev());
          break;
      }
      attributes.copy(meta, st, t);
    }
    if (st.nlink() > 1) {
      made.put(key, t);
    }
  }

  /** Hard-links a lower file; false where the filesystem or the kernel refuses (then it is copied). */
  private boolean tryLink(Path lower, Stat st, Path t) throws IOException {
    try {
      io.link(lower, t);
      return true;
    } catch (UnionException e) {
      if (e.errno() == Errno.EXDEV) {
        noLinks.add(st.dev()); // another filesystem: no link from it will work, copy from now on
        LOG.info("the target is not on the lowers' filesystem: copying (reflinks where possible)");
        return false;
      }
      if (e.errno() == Errno.EPERM || e.errno() == Errno.EMLINK || e.errno() == Errno.EACCES) {
        return false; // protected_hardlinks, or too many links: copy this one
      }
      throw e;
    }
  }
}
