package org.unionfsjava.model;

import java.nio.file.Path;

/**
 * A normalised path inside the union, relative to its root: {@code ""} is the root, {@code "a/b"}
 * is a child of {@code "a"}. It never contains {@code "."}, {@code ".."} or empty components, so
 * it cannot name anything outside a branch when resolved against the branch's root.
 */
public final class UnionPath implements Comparable<UnionPath> {
  /** The root of the union. */
  public static final UnionPath ROOT = new UnionPath("");

  /** Linux NAME_MAX: the longest name, in bytes. */
  public static final int NAME_MAX = 255;

  private final String rel;

  private UnionPath(String rel) {
    this.rel = rel;
  }

  /**
   * The union path for a FUSE path such as {@code "/a/b"}. Repeated slashes are folded; a
   * {@code "."} or {@code ".."} component or a name longer than NAME_MAX bytes is refused.
   */
  public static UnionPath of(String fusePath) throws UnionException {
    if (fusePath == null || fusePath.isEmpty() || fusePath.equals("/")) {
      return ROOT;
    }
    StringBuilder sb = null;
    int n = fusePath.length();
    int i = 0;
    boolean clean = fusePath.charAt(0) == '/';
    // fast path: "/a/b" with no empty, "." or ".." components becomes "a/b" without copying twice
    int start = clean ? 1 : 0;
    for (i = start; i < n; ) {
      int j = fusePath.indexOf('/', i);
      if (j < 0) {
        j = n;
      }
      int len = j - i;
      if (len == 0) {
        clean = false;
      } else {
        checkName(fusePath, i, j);
      }
      i = j + 1;
    }
    if (clean && !fusePath.endsWith("/")) {
      return new UnionPath(fusePath.substring(1));
    }
    sb = new StringBuilder(n);
    for (String part : fusePath.split("/")) {
      if (!part.isEmpty()) {
        if (sb.length() > 0) {
          sb.append('/');
        }
        sb.append(part);
      }
    }
    return sb.length() == 0 ? ROOT : new UnionPath(sb.toString());
  }

  private static void checkName(String s, int from, int to) throws UnionException {
    int len = to - from;
    if ((len == 1 && s.charAt(from) == '.') || (len == 2 && s.charAt(from) == '.' && s.charAt(from + 1) == '.')) {
      throw new UnionException(Errno.EINVAL, s, "'.' and '..' are not names inside the union");
    }
    if (len > NAME_MAX / 4 && byteLength(s, from, to) > NAME_MAX) {
      throw new UnionException(Errno.ENAMETOOLONG, s, "name longer than " + NAME_MAX + " bytes");
    }
  }

  /** The number of name bytes of s[from, to) in this JVM's name charset ({@link NameCharset}). */
  static int byteLength(String s, int from, int to) {
    if (NameCharset.isBytes()) {
      return to - from;
    }
    int bytes = 0;
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        k++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** True for the union's root. */
  public boolean isRoot() {
    return rel.isEmpty();
  }

  /** The last component; empty for the root. */
  public String name() {
    int slash = rel.lastIndexOf('/');
    return slash < 0 ? rel : rel.substring(slash + 1);
  }

  /** The parent; the root's parent is the root. */
  public UnionPath parent() {
    int slash = rel.lastIndexOf('/');
    return slash < 0 ? ROOT : new UnionPath(rel.substring(0, slash));
  }

  /** The child with this name (a single valid component). */
  public UnionPath child(String name) throws UnionException {
    if (name.isEmpty() || name.indexOf('/') >= 0) {
      throw new UnionException(Errno.EINVAL, name, "not a single path component");
    }
    checkName(name, 0, name.length());
    return new UnionPath(rel.isEmpty() ? name : rel + "/" + name);
  }

  /** The components, root first; empty for the root. */
  public String[] components() {
    if (rel.isEmpty()) {
      return new String[0];
    }
    String[] parts = new String[depth()];
    int from = 0;
    for (int i = 0; i < parts.length - 1; i++) {
      int slash = rel.indexOf('/', from);
      parts[i] = rel.substring(from, slash);
      from = slash + 1;
    }
    parts[parts.length - 1] = rel.substring(from);
    return parts;
  }

  /** The number of components (0 for the root). */
  public int depth() {
    if (rel.isEmpty()) {
      return 0;
    }
    int d = 1;
    for (int k = 0; k < rel.length(); k++) {
      if (rel.charAt(k) == '/') {
        d++;
      }
    }
    return d;
  }

  /** True if this path is {@code other} or lies below it. */
  public boolean startsWith(UnionPath other) {
    if (other.rel.isEmpty()) {
      return true;
    }
    return rel.equals(other.rel) || (rel.startsWith(other.rel) && rel.charAt(other.rel.length()) == '/');
  }

  /** This path inside a branch root (or any directory standing for the union's root). */
  public Path resolveIn(Path root) {
    return rel.isEmpty() ? root : root.resolve(rel);
  }

  /** The relative form, {@code ""} for the root. */
  public String relative() {
    return rel;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnionPath && ((UnionPath) o).rel.equals(rel);
  }

  @Override
  public int hashCode() {
    return rel.hashCode();
  }

  @Override
  public int compareTo(UnionPath o) {
    return rel.compareTo(o.rel);
  }

  /** The absolute form, as FUSE and users write it: {@code "/a/b"}, {@code "/"}. */
  @Override
  public String toString() {
    return "/" + rel;
  }
}
