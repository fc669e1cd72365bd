package org.unionfsjava.e2e.reliability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The merged view a test expects, as a map from relative path to {@link Node}: kind, permission
 * bits, file content, symlink target, and the file's mtime where the test knows it (set by a
 * fill or a utimens and kept by copy-up, chmod and rename; unknown after a write). Directory
 * mtimes are not modelled: a copy-up may leave parent directories with their times not yet
 * restored (package-info, "Atomicity and crashes").
 *
 * <p>Nodes are immutable; {@link #copy()} is shallow, so a copy per kill point is cheap even with
 * 64 MiB files in it.
 */
final class ExpectedTree {
  enum Kind { FILE, DIR, LINK }

  /**
   * One expected object. {@code pristineLower}: still the lower's object, never changed through
   * the union (so a change to it copies it up).
   */
  record Node(Kind kind, int mode, byte[] data, String target, Long mtimeNs, boolean pristineLower) {
    static Node file(int mode, byte[] data, Long mtimeNs, boolean pristineLower) {
      return new Node(Kind.FILE, mode, data, null, mtimeNs, pristineLower);
    }

    static Node dir(int mode, boolean pristineLower) {
      return new Node(Kind.DIR, mode, null, null, null, pristineLower);
    }

    static Node link(String target, boolean pristineLower) {
      return new Node(Kind.LINK, 0777, null, target, null, pristineLower);
    }

    Node touched() {
      return new Node(kind, mode, data, target, mtimeNs, false);
    }

    Node withMode(int m) {
      return new Node(kind, m, data, target, mtimeNs, false);
    }

    Node withMtime(Long ns) {
      return new Node(kind, mode, data, target, kind == Kind.DIR ? null : ns, false);
    }

    Node withData(byte[] d) {
      return new Node(kind, mode, d, target, null, false);
    }

    long size() {
      return data == null ? 0 : data.length;
    }

    @Override
    public String toString() {
      return switch (kind) {
        case FILE -> "file 0" + Integer.toOctalString(mode) + " size=" + size()
            + (mtimeNs == null ? "" : " mtime=" + mtimeNs);
        case DIR -> "dir 0" + Integer.toOctalString(mode);
        case LINK -> "link -> " + target;
      };
    }
  }

  private final TreeMap<String, Node> nodes;

  ExpectedTree() {
    this(new TreeMap<>());
  }

  private ExpectedTree(TreeMap<String, Node> nodes) {
    this.nodes = nodes;
  }

  ExpectedTree copy() {
    return new ExpectedTree(new TreeMap<>(nodes));
  }

  Map<String, Node> nodes() {
    return nodes;
  }

  Node get(String rel) {
    return nodes.get(rel);
  }

  boolean exists(String rel) {
    return nodes.containsKey(rel);
  }

  boolean isDir(String rel) {
    return rel.isEmpty() || (nodes.containsKey(rel) && nodes.get(rel).kind() == Kind.DIR);
  }

  void put(String rel, Node n) {
    nodes.put(rel, n);
  }

  /** Everything strictly below {@code rel} (a directory). */
  private NavigableMap<String, Node> below(String rel) {
    // '/' is 0x2f and '0' is 0x30: the half-open range holds exactly the paths under rel/
    return nodes.subMap(rel + "/", true, rel + "0", false);
  }

  /** Removes {@code rel} and everything below it. */
  void removeTree(String rel) {
    below(rel).clear();
    nodes.remove(rel);
  }

  /** Moves {@code from} (and what is below it) to {@code to}, replacing what was at {@code to}. */
  void moveTree(String from, String to) {
    Map<String, Node> moved = new TreeMap<>(below(from));
    Node top = nodes.get(from);
    removeTree(from);
    removeTree(to);
    nodes.put(to, top.touched());
    moved.forEach((k, v) -> nodes.put(to + k.substring(from.length()), v));
  }

  /** The direct children of a directory ({@code ""} is the root), as relative paths. */
  List<String> children(String dir) {
    List<String> out = new ArrayList<>();
    Map<String, Node> range = dir.isEmpty() ? nodes : below(dir);
    String prefix = dir.isEmpty() ? "" : dir + "/";
    for (String k : range.keySet()) {
      if (k.indexOf('/', prefix.length()) < 0) {
        out.add(k);
      }
    }
    return out;
  }

  /** Every path of this kind, sorted. */
  List<String> paths(Kind kind) {
    List<String> out = new ArrayList<>();
    nodes.forEach((k, v) -> {
      if (v.kind() == kind) {
        out.add(k);
      }
    });
    return out;
  }

  /** Content after writing {@code data} at {@code off} (zero-filled hole if past the end). */
  static byte[] patched(byte[] old, long off, byte[] data, int prefix) {
    if (prefix == 0) {
      return old;
    }
    int o = (int) off;
    byte[] out = Arrays.copyOf(old, Math.max(old.length, o + prefix));
    System.arraycopy(data, 0, out, o, prefix);
    return out;
  }
}
