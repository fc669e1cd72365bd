package org.unionfsjava.fs;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;

/**
 * The union's node ids for libfuse's low-level API ({@link NodeLayer}): which object under which
 * names each id the kernel holds stands for, and how many references the kernel holds.
 *
 * <p>Rules, as the kernel's FUSE protocol asks:
 *
 * <ul>
 *   <li>A node is handed to the kernel by a lookup, create, mknod, mkdir, symlink, link or
 *       readdirplus answer; each such answer counts one reference, and the node lives until the
 *       kernel forgets as many. Ids are never reused (generation 0).
 *   <li>A node stands for one object: its inode number and file type are fixed when it is made. A
 *       later lookup of the same name that finds another object (the name was replaced beneath
 *       the union, or removed and made again) takes the name from the old node and gives it to a
 *       new one, so the kernel never sees a node change type or identity.
 *   <li>One node per file, not per name: a name of a file with more than one link whose inode
 *       number the table already holds becomes another name of that node (the kernel then keeps
 *       one inode, so a change through one name shows through all at once). Directories have one
 *       name.
 *   <li>rename moves a name (and so every node below it), an exchange swaps two; a name that a rename replaced, or that
 *       was unlinked or removed, is dropped; a node left without names is detached: it keeps its
 *       references but has no path, and a request for it is answered ENOENT (as libfuse2 did;
 *       libfuse 3's high-level API answered ESTALE), except through a handle still open on it.
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

  private static final long[] NO_HANDLES = new long[0];
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;

  /** A name the kernel holds: a node's own, or another name of the same file ({@link Alias}). */
  private abstract static class Name {
    /** The directory; null once the name is gone (a node's own name only). */
    Node dir;
    String name;
    /** The next name in the same bucket of the name table (chained in place). */
    Name nextByName;

    abstract Node node();
  }

  /** One node id and what the kernel holds of it. Fields are guarded by the table's lock. */
  static final class Node extends Name {
    final long id;
    final long ino;
    final int type;
    private long lookups;
    private long[] handles = NO_HANDLES;
    /** The file's other names (hard links) the kernel holds. */
    private Alias aliases;
    /** A directory's path as of {@link #pathEpoch} (files build theirs from their directory's). */
    private UnionPath path;
    private long pathEpoch = -1;
    /** What the data looked like when last opened (mtime ns, size), for the page cache decision. */
    private long dataMtime = Long.MIN_VALUE;
    private long dataSize = -1;
    /** The next node in the same bucket of the id table. */
    private Node nextById;

    private Node(long id, Node dir, String name, long ino, int type) {
      this.id = id;
      this.dir = dir;
      this.name = name;
      this.ino = ino;
      this.type = type;
    }

    @Override
    Node node() {
      return this;
    }
  }

  /** Another name of a node's file. */
  private static final class Alias extends Name {
    final Node target;
    Alias nextAlias;

    Alias(Node target, Node dir, String name) {
      this.target = target;
      this.dir = dir;
      this.name = name;
    }

    @Override
    Node node() {
      return target;
    }
  }

  /** A hidden name ({@code .fuse_hidden...}) of a node: its directory and the name. */
  record HiddenName(long dir, String name) {}

  /**
   * Both indexes are hash tables chained through the nodes and names themselves (no entry or key
   * objects): a node costs 180-210 bytes of heap with its name (measured with 200,000 and
   * 1,000,000 names), where two HashMaps had cost about 350.
   */
  private Node[] byId = new Node[1024];
  private Name[] byName = new Name[1024];
  private int count;
  /** Files with more than one link, by inode number: where another name of the file finds its node. */
  private final Map<Long, Node> linked = new HashMap<>();
  private final Node root = new Node(ROOT, null, "", 0, S_IFDIR);
  private long nextId = ROOT + 1;
  /** Bumped by every move or drop of a name: cached paths of an older epoch are rebuilt. */
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

  /** The directory's id is mixed first: sibling ids are sequential and so are names like f000123. */
  private static int nameSlot(long dir, String name, int length) {
    long h = dir * 0x9E3779B97F4A7C15L;
    return spread((int) (h ^ (h >>> 32)) ^ name.hashCode()) & (length - 1);
  }

  private Node byId(long id) {
    for (Node n = byId[idSlot(id, byId.length)]; n != null; n = n.nextById) {
      if (n.id == id) {
        return n;
      }
    }
    return null;
  }

  private Name byName(long dir, String name) {
    for (Name n = byName[nameSlot(dir, name, byName.length)]; n != null; n = n.nextByName) {
      if (n.dir != null && n.dir.id == dir && n.name.equals(name)) {
        return n;
      }
    }
    return null;
  }

  /** Adds a node to the id table and, if it has a name, to the name table. */
  private void add(Node n) {
    if (++count > byId.length * 3 / 4) {
      grow();
    }
    int i = idSlot(n.id, byId.length);
    n.nextById = byId[i];
    byId[i] = n;
    if (n.dir != null) {
      linkName(n);
    }
  }

  private void linkName(Name n) {
    int j = nameSlot(n.dir.id, n.name, byName.length);
    n.nextByName = byName[j];
    byName[j] = n;
  }

  private void unlinkName(Name n) {
    int j = nameSlot(n.dir.id, n.name, byName.length);
    if (byName[j] == n) {
      byName[j] = n.nextByName;
    } else {
      for (Name p = byName[j]; p != null; p = p.nextByName) {
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
    byName = new Name[oldIds.length * 2];
    for (Node head : oldIds) {
      for (Node n = head; n != null; ) {
        Node next = n.nextById;
        int i = idSlot(n.id, byId.length);
        n.nextById = byId[i];
        byId[i] = n;
        if (n.dir != null) {
          linkName(n);
        }
        for (Alias a = n.aliases; a != null; a = a.nextAlias) {
          linkName(a);
        }
        n = next;
      }
    }
  }

  // ---- names ----

  private Node get(long id) throws UnionException {
    Node n = byId(id);
    if (n == null) {
      throw new UnionException(Errno.ESTALE, "#" + id, "unknown node id");
    }
    return n;
  }

  /** The node's current path; ENOENT if it has no name left (or a directory above it has none). */
  synchronized UnionPath path(long id) throws UnionException {
    UnionPath p = pathOrNull(get(id));
    if (p == null) {
      throw new UnionException(Errno.ENOENT, "#" + id, "removed");
    }
    return p;
  }

  /** The path of a name in a directory node. */
  synchronized UnionPath childPath(long dir, String name) throws UnionException {
    return path(dir).child(name);
  }

  private UnionPath pathOrNull(Node n) throws UnionException {
    if (n == root || (n.pathEpoch == epoch && n.path != null)) {
      return n.path;
    }
    UnionPath p = pathOf(n);
    for (Alias a = n.aliases; p == null && a != null; a = a.nextAlias) {
      p = pathOf(a);
    }
    if (p != null && n.type == S_IFDIR) { // kept for the names below it; a file's is rebuilt when asked
      n.path = p;
      n.pathEpoch = epoch;
    }
    return p;
  }

  private UnionPath pathOf(Name n) throws UnionException {
    if (n.dir == null) {
      return null;
    }
    UnionPath above = pathOrNull(n.dir);
    return above == null ? null : above.child(n.name);
  }

  /**
   * The node for a name the kernel is being given, with one more reference: the node already
   * there if it stands for the same object; else, for a file of more than one link (or one that
   * had more and whose node still holds a name), the node of the same file if the table holds one
   * (the name becomes another of its names); else a new one.
   */
  synchronized Node lookedUp(long dir, String name, long ino, int mode, long nlink) throws UnionException {
    Node d = get(dir);
    Name at = byName(dir, name);
    int type = mode & S_IFMT;
    Node n = at == null ? null : at.node();
    if (n != null && (n.ino != ino || n.type != type)) {
      drop(at);
      n = null;
    }
    boolean multi = type != S_IFDIR && nlink > 1;
    if (n == null && type != S_IFDIR) {
      Node same = linked.get(ino);
      // a file known to have had other names is the same file while one of them is still held,
      // even if it has one link left now (the other was unlinked while open): one node, so the
      // kernel's link count of the open file follows the unlink of this name too
      if (same != null && same.type == type && (multi || same.dir != null)) {
        n = same;
        name(n, d, name);
      }
    }
    if (n == null) {
      n = new Node(nextId++, d, name, ino, type);
      add(n);
    }
    if (multi) {
      linked.putIfAbsent(ino, n);
    }
    n.lookups++;
    return n;
  }

  /** Gives a node one more name: its own if it has none left, else an alias. */
  private void name(Node n, Node dir, String name) {
    if (n.dir == null) {
      n.dir = dir;
      n.name = name;
      linkName(n);
    } else {
      Alias a = new Alias(n, dir, name);
      a.nextAlias = n.aliases;
      n.aliases = a;
      linkName(a);
    }
    epoch++;
  }

  /** Notes that a node's file may have other names (before a link is made to it). */
  synchronized void mayHaveLinks(long id) throws UnionException {
    Node n = get(id);
    if (n.type != S_IFDIR) {
      linked.putIfAbsent(n.ino, n);
    }
  }

  /** The node at a name, or null if the kernel holds none there. */
  synchronized Node at(long dir, String name) {
    Name n = byName(dir, name);
    return n == null ? null : n.node();
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
      if (n.dir != null) {
        unlinkName(n);
      }
      for (Alias a = n.aliases; a != null; a = a.nextAlias) {
        unlinkName(a);
      }
      linked.remove(n.ino, n);
    }
  }

  /** A rename: the name moves (with its node); a name the rename replaced is dropped. */
  synchronized void moved(long dir, String name, long newDir, String newName) throws UnionException {
    Name from = byName(dir, name);
    Name target = byName(newDir, newName);
    if (target != null && target != from) {
      if (from != null && target.node() == from.node()) {
        return; // two names of one file: rename(2) does nothing
      }
      drop(target);
    }
    if (from != null && target != from) {
      unlinkName(from);
      from.dir = get(newDir);
      from.name = newName;
      linkName(from);
      epoch++;
    }
  }

  /**
   * An exchange (RENAME_EXCHANGE): the two names swap their nodes (and so every node below them);
   * a name the kernel does not hold simply gets the other's node. Two names of one file stay as
   * they are, as the exchange did nothing.
   */
  synchronized void exchanged(long dir, String name, long newDir, String newName) throws UnionException {
    Name a = byName(dir, name);
    Name b = byName(newDir, newName);
    if (a == b || (a != null && b != null && a.node() == b.node())) {
      return;
    }
    Node aDir = get(dir);
    Node bDir = get(newDir);
    if (a != null) {
      unlinkName(a);
    }
    if (b != null) {
      unlinkName(b);
    }
    if (a != null) {
      a.dir = bDir;
      a.name = newName;
      linkName(a);
    }
    if (b != null) {
      b.dir = aDir;
      b.name = name;
      linkName(b);
    }
    epoch++;
  }

  /** An unlink or rmdir: the name (if the kernel holds it) is dropped. */
  synchronized void removed(long dir, String name) {
    Name n = byName(dir, name);
    if (n != null) {
      drop(n);
    }
  }

  /** Drops a name; a node's own name is taken over by one of its aliases, if it has any. */
  private void drop(Name n) {
    unlinkName(n);
    Node node = n.node();
    if (n instanceof Alias a) {
      if (node.aliases == a) {
        node.aliases = a.nextAlias;
      } else {
        for (Alias p = node.aliases; p != null; p = p.nextAlias) {
          if (p.nextAlias == a) {
            p.nextAlias = a.nextAlias;
            break;
          }
        }
      }
    } else if (node.aliases != null) {
      Alias a = node.aliases;
      node.aliases = a.nextAlias;
      unlinkName(a);
      node.dir = a.dir;
      node.name = a.name;
      linkName(node);
    } else {
      node.dir = null;
    }
    epoch++;
  }

  // ---- handles ----

  synchronized void opened(long id, long fh) throws UnionException {
    Node n = get(id);
    long[] h = Arrays.copyOf(n.handles, n.handles.length + 1);
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
  synchronized int openCount(long dir, String name) {
    Node n = at(dir, name);
    return n == null ? 0 : n.handles.length;
  }

  /** A handle open on the node, or -1: a node without names is still reachable through it. */
  synchronized long anyHandle(long id) {
    Node n = byId(id);
    return n == null || n.handles.length == 0 ? -1 : n.handles[0];
  }

  /** The node's path, or null if it has none (no exception). */
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

  /** A name of the node starting with {@code prefix} in a directory that still has a path, or null. */
  synchronized HiddenName nameStartingWith(long id, String prefix) throws UnionException {
    Node n = byId(id);
    if (n == null) {
      return null;
    }
    for (Name name = n; name != null; name = name == n ? n.aliases : ((Alias) name).nextAlias) {
      if (name.dir != null && name.name.startsWith(prefix) && pathOrNull(name.dir) != null) {
        return new HiddenName(name.dir.id, name.name);
      }
    }
    return null;
  }

  /** Nodes the kernel holds (the root included), for tests and logs. */
  synchronized int size() {
    return count;
  }
}
