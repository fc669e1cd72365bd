package org.unionfsjava.fs;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.fuse3.AttrChange;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.Caller;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;

/**
 * The union's operations on the kernel's node ids: what libfuse's high-level API did between the
 * kernel and a path-based filesystem, done over {@link UnionOps} with the union's own {@link
 * NodeTable}. Each call turns node ids into paths, runs the union operation and keeps the table in
 * step with what the kernel now holds.
 *
 * <ul>
 *   <li>A name handed to the kernel (lookup, create, mknod, mkdir, symlink, link, readdirplus)
 *       counts one reference on its node; if the kernel did not take it (an interrupted request)
 *       the caller drops it again with {@link #unreferenced}.
 *   <li>A node without a path (its name was unlinked, replaced or its directory removed) is
 *       served through a handle still open on it, else answered ENOENT.
 *   <li>An unlink of a file that is still open, or a rename over one, renames it to a hidden name
 *       instead ({@code .fuse_hidden}, as libfuse's hide_node did), which {@link
 *       UnlinkedOpenFiles} keeps reachable; the last release removes the hidden name.
 *   <li>Changing lower mode: an open keeps the kernel's page cache only while the file's mtime
 *       and size are what the last open saw (libfuse's auto_cache).
 * </ul>
 */
final class NodeLayer {
  private static final Logger LOG = LogManager.getLogger();
  private static final long UNSET_ID = 0xffffffffL;

  /** A node the kernel is being given, with the attributes to give with it. */
  record Entry(long node, Stat attributes) {}

  private final UnionOps ops;
  private final NodeTable nodes = new NodeTable();
  private final AtomicLong hiddenCounter = new AtomicLong();

  NodeLayer(UnionOps ops) {
    this.ops = ops;
  }

  UnionPath path(long node) throws UnionException {
    return nodes.path(node);
  }

  /** A name's node and attributes (one more reference), or null if the name does not exist. */
  Entry lookup(long parent, String name) throws IOException {
    UnionPath p = nodes.childPath(parent, name);
    try {
      return entry(parent, name, ops.getattr(p));
    } catch (UnionException e) {
      if (e.errno() != Errno.ENOENT) {
        throw e;
      }
      return null;
    }
  }

  /** The node for a name that was just made (one more reference). */
  Entry made(long parent, String name) throws IOException {
    return entry(parent, name, ops.getattr(nodes.childPath(parent, name)));
  }

  private Entry entry(long parent, String name, Stat st) throws UnionException {
    return new Entry(nodes.lookedUp(parent, name, st.ino(), st.mode(), st.nlink()).id, st);
  }

  /** A name listed in a directory, for readdirplus (one more reference); null if it went away. */
  Entry listed(long dir, UnionPath dirPath, String name) throws IOException {
    try {
      return entry(dir, name, ops.getattr(dirPath.child(name)));
    } catch (UnionException gone) {
      return null; // listed without attributes: a lookup will tell
    }
  }

  /** The kernel did not take a reference it was handed. */
  void unreferenced(long node) {
    nodes.forget(node, 1);
  }

  void forget(long node, long count) {
    nodes.forget(node, count);
  }

  /** A node's attributes: through {@code fh} if not -1, else by its path or a handle open on it. */
  Stat attributes(long node, long fh) throws IOException {
    if (fh != -1) {
      return ops.fgetattr(fh);
    }
    UnionPath p = nodes.pathIfAttached(node);
    if (p != null) {
      return ops.getattr(p);
    }
    long open = nodes.anyHandle(node);
    if (open == -1) {
      throw new UnionException(Errno.ENOENT, "#" + node, "removed");
    }
    return ops.fgetattr(open);
  }

  void mknod(long parent, String name, int mode, long rdev, Caller caller) throws IOException {
    ops.mknod(nodes.childPath(parent, name), mode, rdev, caller);
  }

  void mkdir(long parent, String name, int mode, Caller caller) throws IOException {
    ops.mkdir(nodes.childPath(parent, name), mode, caller);
  }

  void symlink(String target, long parent, String name, Caller caller) throws IOException {
    ops.symlink(target, nodes.childPath(parent, name), caller);
  }

  void link(long node, long newParent, String newName) throws IOException {
    nodes.mayHaveLinks(node); // the new name becomes another name of this node
    ops.link(nodes.path(node), nodes.childPath(newParent, newName));
  }

  void unlink(long parent, String name) throws IOException {
    UnionPath p = nodes.childPath(parent, name);
    if (nodes.openCount(parent, name) > 0) {
      hide(parent, name, p);
    } else {
      ops.unlink(p);
      nodes.removed(parent, name);
    }
  }

  void rmdir(long parent, String name) throws IOException {
    ops.rmdir(nodes.childPath(parent, name));
    nodes.removed(parent, name);
  }

  /**
   * rename; {@code noReplace} (RENAME_NOREPLACE) is a check, then the plain rename: not atomic
   * against a change made beneath the union (the kernel orders those made through it).
   */
  void rename(long parent, String name, long newParent, String newName, boolean noReplace) throws IOException {
    UnionPath from = nodes.childPath(parent, name);
    UnionPath to = nodes.childPath(newParent, newName);
    if (noReplace && exists(to)) {
      throw new UnionException(Errno.EEXIST, to.toString(), "file exists");
    }
    if (nodes.openCount(newParent, newName) > 0 && !from.equals(to)) {
      hide(newParent, newName, to); // the replaced file stays readable through its handles
    }
    ops.rename(from, to);
    nodes.moved(parent, name, newParent, newName);
  }

  /**
   * renameat2(RENAME_EXCHANGE): the two names swap their objects and their nodes; nothing is
   * replaced, so no open file needs hiding.
   */
  void exchange(long parent, String name, long newParent, String newName) throws IOException {
    UnionPath a = nodes.childPath(parent, name);
    UnionPath b = nodes.childPath(newParent, newName);
    ops.exchange(a, b);
    nodes.exchanged(parent, name, newParent, newName);
  }

  private boolean exists(UnionPath p) throws IOException {
    try {
      ops.getattr(p);
      return true;
    } catch (UnionException e) {
      if (e.errno() == Errno.ENOENT) {
        return false;
      }
      throw e;
    }
  }

  /** Moves an open file out of the way: its node follows it to a hidden name. */
  private void hide(long parent, String name, UnionPath p) throws IOException {
    long node = nodes.at(parent, name).id;
    String hidden = String.format("%s%08x%08x", UnlinkedOpenFiles.PREFIX, node & 0xffffffffL,
        hiddenCounter.incrementAndGet() & 0xffffffffL);
    ops.rename(p, p.parent().child(hidden));
    nodes.moved(parent, name, parent, hidden);
  }

  /** chmod, chown, truncate and utimens in one call, in that order (as libfuse's high-level API). */
  void setattr(long node, AttrChange c, long fh) throws IOException {
    UnionPath p = nodes.pathIfAttached(node);
    boolean onPath = c.has(AttrChange.MODE) || c.has(AttrChange.UID) || c.has(AttrChange.GID)
        || c.has(AttrChange.ATIME) || c.has(AttrChange.MTIME) || c.has(AttrChange.ATIME_NOW)
        || c.has(AttrChange.MTIME_NOW) || (c.has(AttrChange.SIZE) && fh == -1);
    if (p == null && onPath) {
      throw new UnionException(Errno.ENOENT, "#" + node, "removed");
    }
    if (c.has(AttrChange.MODE)) {
      ops.chmod(p, c.mode());
    }
    if (c.has(AttrChange.UID) || c.has(AttrChange.GID)) {
      int uid = c.has(AttrChange.UID) && Integer.toUnsignedLong(c.uid()) != UNSET_ID ? c.uid() : -1;
      int gid = c.has(AttrChange.GID) && Integer.toUnsignedLong(c.gid()) != UNSET_ID ? c.gid() : -1;
      ops.chown(p, uid, gid);
    }
    if (c.has(AttrChange.SIZE)) {
      if (fh != -1) {
        NativeFile.ftruncate(ops.file(fh).fd(), c.size());
      } else {
        ops.truncate(p, c.size());
      }
    }
    boolean atime = c.has(AttrChange.ATIME) || c.has(AttrChange.ATIME_NOW);
    boolean mtime = c.has(AttrChange.MTIME) || c.has(AttrChange.MTIME_NOW);
    if (atime || mtime) {
      ops.utimens(p, time(atime, c.has(AttrChange.ATIME_NOW), c.atimeNs()),
          time(mtime, c.has(AttrChange.MTIME_NOW), c.mtimeNs()));
    }
  }

  private static long time(boolean set, boolean now, long ns) {
    return !set ? BranchIo.UTIME_OMIT : now ? BranchIo.UTIME_NOW : ns;
  }

  /** Opens a node's file; the handle is counted on the node. */
  long open(long node, int flags) throws IOException {
    long fh = ops.open(nodes.path(node), flags);
    nodes.opened(node, fh);
    return fh;
  }

  /** A new file, opened: its node (one more reference) and the handle. */
  record Created(Entry entry, long fh) {}

  Created create(long parent, String name, int mode, int flags, Caller caller) throws IOException {
    long fh = ops.create(nodes.childPath(parent, name), mode, flags, caller);
    Stat st = ops.fgetattr(fh);
    Entry e = entry(parent, name, st);
    nodes.opened(e.node(), fh);
    nodes.sameDataAsLastOpen(e.node(), st.mtimeNs(), st.size()); // a new upper file: its own data
    return new Created(e, fh);
  }

  /**
   * Whether the file's data (mtime and size of the open descriptor) is what the node's last open
   * saw, so the kernel may keep the pages it cached; records what this open sees.
   */
  boolean sameDataAsLastOpen(long node, long fh) throws IOException {
    OpenFile f = ops.file(fh);
    Stat data = f.atOpen() != null ? f.atOpen() : NativeFile.fstat(f.fd()); // a lower file's was taken at open
    return nodes.sameDataAsLastOpen(node, data.mtimeNs(), data.size());
  }

  /** Closes a handle the kernel never took (an interrupted open or create). */
  void closeUnwanted(long node, long fh) {
    nodes.released(node, fh);
    try {
      ops.release(fh);
    } catch (IOException e) {
      LOG.warn("closing an open the kernel did not take: {}", e.toString());
    }
  }

  /** Closes a handle; the last release of a hidden (unlinked) file removes its hidden name. */
  void release(long node, long fh) throws IOException {
    try {
      ops.release(fh);
    } finally {
      NodeTable.HiddenName hidden = nodes.released(node, fh) == 0
          ? nodes.nameStartingWith(node, UnlinkedOpenFiles.PREFIX) : null;
      if (hidden != null) { // else none, or its directory went: the object went with the last handle
        ops.unlink(nodes.childPath(hidden.dir(), hidden.name()));
        nodes.removed(hidden.dir(), hidden.name());
      }
    }
  }

  /** The path of a directory being listed with attributes, or null if it has none any more. */
  UnionPath pathIfAttached(long node) throws UnionException {
    return nodes.pathIfAttached(node);
  }
}
