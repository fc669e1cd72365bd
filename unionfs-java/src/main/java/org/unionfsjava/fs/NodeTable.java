package org.unionfsjava.fs;

import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;

/**
 * The union's node ids for libfuse's low-level API ({@link UnionLowLevel}): which object under
 * which name each id the kernel holds stands for, and how many references the kernel holds.
 *
 * <p>Rules, as the kernel's FUSE protocol asks:
 *
 * <ul>
 *   <li>A node is made for a name when a lookup, create, mknod, mkdir, symlink, link or
 *       readdirplus answer hands it to the kernel; each such answer counts one reference, and the
 *       node lives until the kernel forgets as many. Ids are never reused (generation 0).
 *   <li>A node stands for one object: its inode number and file type are fixed when it is made. A
 *       later lookup of the same name that finds another object (the name was replaced beneath
 *       the union, or removed and made again) detaches the old node and makes a new one, so the
 *       kernel never sees one node change type or identity.
 *   <li>rename moves a node (and so every node below it); the node that the rename replaced, and
 *       a node whose name was unlinked or removed, is detached: it keeps its references but has
 *       no path, and a request for it is answered ENOENT (as libfuse2 did; libfuse 3's
 *       high-level layer answered ESTALE), except through a handle still open on it.
 *   <li>The open handles of a node are counted, so an unlink of an open file can hide it instead
 *       ({@link UnlinkedOpenFiles}).
 * </ul>
 *
 * <p>Thread-safe: one lock. The kernel already orders a lookup and a rename or unlink in the same
 * directory (it holds the directory's lock), so no request sees a half-made change.
 */
final class NodeTable {
  /** FUSE_ROOT_ID. */
  static final long ROOT = 1;

  /** One node id and what the kernel holds of it. Fields are guarded by the table's lock. */
  static final class Node {
    final long id;
    final long ino;
    final int type;
    private Node parent;
    private String name;
    private long lookups;
    private long[] handles = NO_HANDLES;
    /** A directory's path as of {@link #pathEpoch} (files build theirs from their directory's). */
    private UnionPath path;
    private long pathEpoch = -1;
    /** What the data looked like when last opened (mtime ns, size), for the page cache decision. */
    private long dataMtime = Long.MIN_VALUE;
    private long dataSize = -1;
    /** The next node in the same bucket of the id table and of the name table (chained in place). */
    private Node nextById;
    private Node nextByName;

    private Node(long id, Node parent, String name, long ino, int type) {
      this.id = id;
      this.parent = parent;
      this.name = name;
      this.ino = ino;
      this.type = type;
    }
  }

  private static final long[] NO_HANDLES = new long[0];
  private static final int S_IFMT = 0170000;

  private static final int S_IFDIR = 0040000;

  /**
   * Both indexes are hash tables chained through the nodes themselves (no entry or key objects):
   * a node costs about 150 bytes of heap with its name, where two HashMaps cost about 350.
   */
  private Node[] byId = new Node[1024];
  private Node[] byName = new Node[1024];
  private int count;
  private final Node root = new Node(ROOT, null, "", 0, S_IFDIR);
  private long nextId = ROOT + 1;
  /** Bumped by every move or detach: cached paths of an older epoch are rebuilt. */
  private long epoch;

  NodeTable() {
    root.path = UnionPath.ROOT;
    root.pathEpoch = Long.MAX_VALUE;
    add(root);
  }

  // ---- the two chained tables ----

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  private static int idSlot(long id, int length) {
    return spread(Long.hashCode(id)) & (length - 1);
  }

  private static int nameSlot(long parent, String name, int length) {
    return spread(Long.hashCode(parent) * 31 + name.hashCode()) & (length - 1);
  }

  private Node byId(long id) {
    for (Node n = byId[idSlot(id, byId.length)]; n != null; n = n.nextById) {
      if (n.id == id) {
        return n;
      }
    }
    return null;
  }

  private Node byName(long parent, String name) {
    for (Node n = byName[nameSlot(parent, name, byName.length)]; n != null; n = n.nextByName) {
      if (n.parent != null && n.parent.id == parent && n.name.equals(name)) {
        return n;
      }
    }
    return null;
  }

  /** Adds a node to the id table and, if attached, to the name table. */
  private void add(Node n) {
    if (++count > byId.length * 3 / 4) {
      grow();
    }
    int i = idSlot(n.id, byId.length);
    n.nextById = byId[i];
    byId[i] = n;
    if (n.parent != null) {
      linkName(n);
    }
  }

  private void linkName(Node n) {
    int j = nameSlot(n.parent.id, n.name, byName.length);
    n.nextByName = byName[j];
    byName[j] = n;
  }

  private void unlinkName(Node n) {
    int j = nameSlot(n.parent.id, n.name, byName.length);
    if (byName[j] == n) {
      byName[j] = n.nextByName;
    } else {
      for (Node p = byName[j]; p != null; p = p.nextByName) {
        if (p.nextByName == n) {
          p.nextByName = n.nextByName;
          break;
        }
      }
    }
    n.nextByName = null;
  }

  private void removeId(Node n) {
    int i = idSlot(n.id, byId.length);
    if (byId[i] == n) {
      byId[i] = n.nextById;
    } else {
      for (Node p = byId[i]; p != null; p = p.nextById) {
        if (p.nextById == n) {
          p.nextById = n.nextById;
          break;
        }
      }
    }
    n.nextById = null;
    count--;
  }

  private void grow() {
    Node[] oldIds = byId;
    byId = new Node[oldIds.length * 2];
    byName = new Node[oldIds.length * 2];
    for (Node head : oldIds) {
      for (Node n = head; n != null; ) {
        Node next = n.nextById;
        int i = idSlot(n.id, byId.length);
        n.nextById = byId[i];
        byId[i] = n;
        if (n.parent != null) {
          linkName(n);
        }
        n = next;
      }
    }
  }

  // ---- the table's operations ----

  private Node get(long id) throws UnionException {
    Node n = byId(id);
    if (n == null) {
      throw new UnionException(Errno.ESTALE, "#" + id, "unknown node id");
    }
    return n;
  }

  /** The node's current path; ENOENT if it (or a directory above it) was detached. */
  synchronized UnionPath path(long id) throws UnionException {
    UnionPath p = pathOrNull(get(id));
    if (p == null) {
      throw new UnionException(Errno.ENOENT, "#" + id, "removed");
    }
    return p;
  }

  /** The path of a name in a directory node. */
  synchronized UnionPath childPath(long parent, String name) throws UnionException {
    return path(parent).child(name);
  }

  private UnionPath pathOrNull(Node n) throws UnionException {
    if (n == root || (n.pathEpoch == epoch && n.path != null)) {
      return n.path;
    }
    if (n.parent == null) {
      return null;
    }
    UnionPath above = pathOrNull(n.parent);
    if (above == null) {
      return null;
    }
    UnionPath p = above.child(n.name);
    if (n.type == S_IFDIR) { // kept for the names below it; a file's is rebuilt when asked
      n.path = p;
      n.pathEpoch = epoch;
    }
    return p;
  }

  /**
   * The node for a name the kernel is being given, with one more reference: the node already
   * there if it stands for the same object, else a new one (detaching the old).
   */
  synchronized Node lookedUp(long parent, String name, long ino, int mode) throws UnionException {
    Node dir = get(parent);
    Node n = byName(parent, name);
    int type = mode & S_IFMT;
    if (n != null && (n.ino != ino || n.type != type)) {
      detach(n);
      n = null;
    }
    if (n == null) {
      n = new Node(nextId++, dir, name, ino, type);
      add(n);
    }
    n.lookups++;
    return n;
  }

  /** The node at a name, or null if the kernel holds none there. */
  synchronized Node at(long parent, String name) {
    return byName(parent, name);
  }

  /** The kernel dropped {@code count} references. */
  synchronized void forget(long id, long count) {
    Node n = byId(id);
    if (n == null || n == root) {
      return;
    }
    n.lookups -= count;
    if (n.lookups <= 0) {
      removeId(n);
      if (n.parent != null) {
        unlinkName(n);
      }
    }
  }

  /** A rename: the node at the old name (if any) moves; one at the new name is detached. */
  synchronized void moved(long parent, String name, long newParent, String newName) throws UnionException {
    Node target = byName(newParent, newName);
    if (target != null) {
      detach(target);
    }
    Node n = byName(parent, name);
    if (n != null) {
      unlinkName(n);
      n.parent = get(newParent);
      n.name = newName;
      linkName(n);
      epoch++;
    }
  }

  /** An unlink or rmdir: the node at the name (if any) is detached. */
  synchronized void removed(long parent, String name) {
    Node n = byName(parent, name);
    if (n != null) {
      detach(n);
    }
  }

  private void detach(Node n) {
    unlinkName(n);
    n.parent = null;
    epoch++;
  }

  synchronized void opened(long id, long fh) throws UnionException {
    Node n = get(id);
    long[] h = java.util.Arrays.copyOf(n.handles, n.handles.length + 1);
    h[h.length - 1] = fh;
    n.handles = h;
  }

  /** Forgets an open handle; returns how many stay open on the node. */
  synchronized int released(long id, long fh) {
    Node n = byId(id);
    if (n == null) {
      return 0;
    }
    long[] h = n.handles;
    for (int i = 0; i < h.length; i++) {
      if (h[i] == fh) {
        long[] less = new long[h.length - 1];
        System.arraycopy(h, 0, less, 0, i);
        System.arraycopy(h, i + 1, less, i, h.length - i - 1);
        n.handles = less;
        break;
      }
    }
    return n.handles.length;
  }

  /** How many handles are open on the node at a name (0 if none or no node). */
  synchronized int openCount(long parent, String name) {
    Node n = byName(parent, name);
    return n == null ? 0 : n.handles.length;
  }

  /** A handle open on the node, or -1: a detached node is still reachable through it. */
  synchronized long anyHandle(long id) {
    Node n = byId(id);
    return n == null || n.handles.length == 0 ? -1 : n.handles[0];
  }

  /** The node's path, or null if detached (no exception). */
  synchronized UnionPath pathIfAttached(long id) throws UnionException {
    return pathOrNull(get(id));
  }

  /**
   * Records the data's mtime and size at an open; true if they are what the last open saw, so the
   * kernel may keep the pages it cached (libfuse's auto_cache).
   */
  synchronized boolean sameDataAsLastOpen(long id, long mtimeNs, long size) throws UnionException {
    Node n = get(id);
    boolean same = n.dataMtime == mtimeNs && n.dataSize == size;
    n.dataMtime = mtimeNs;
    n.dataSize = size;
    return same;
  }

  /** The node's name in its directory, or null if detached. */
  synchronized String nameIfAttached(long id) {
    Node n = byId(id);
    return n == null || n.parent == null ? null : n.name;
  }

  /** The id of the node's directory (the node must be attached). */
  synchronized long parentIdOf(long id) throws UnionException {
    Node n = get(id);
    if (n.parent == null) {
      throw new UnionException(Errno.ENOENT, "#" + id, "removed");
    }
    return n.parent.id;
  }

  /** Nodes the kernel holds (the root included), for tests and logs. */
  synchronized int size() {
    return count;
  }
}
