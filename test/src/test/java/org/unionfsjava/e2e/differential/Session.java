package org.unionfsjava.e2e.differential;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.unionfsjava.e2e.support.PosixExtras;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TreeSnapshot;

/**
 * One union and its model, side by side: applies operations to both and compares the outcome of
 * every call, the visible trees (kinds, modes, content, symlink targets), the mtimes (ns) of every
 * file the operations did not write, and (at the end) the user xattrs.
 *
 * <p>The only accepted difference is the one DESIGN §2 allows: a directory rename may answer
 * EXDEV on the union; then the session does what {@code mv} does, on the union only (copy the
 * tree with modes, times and xattrs, then delete the source), records it, and goes on. Hard links
 * in the moved tree are separated in the model as well, as mv's copy separates them.
 */
final class Session {
  /** What the session compares; all by default (see {@link DifferentialTest}). */
  enum Check { ERRNO, TREE, MTIME, XATTR }

  private final Path union;
  private final Path model;
  private final Set<Check> checks;
  /** Model inodes whose mtime was set by a write (so differs between the sides legitimately). */
  private final Set<Long> dirtyInodes;
  private int exdevFallbacks;

  /** {@code union} is the union's mount point (a plain directory in the harness's self-test). */
  Session(Path union, Path model, Set<Check> checks) {
    this(union, model, checks, new HashSet<>());
  }

  private Session(Path union, Path model, Set<Check> checks, Set<Long> dirtyInodes) {
    this.union = union;
    this.model = model;
    this.checks = checks;
    this.dirtyInodes = dirtyInodes;
  }

  /** The same model and bookkeeping, compared with another mount of the same branches. */
  Session onOtherMount(Path otherUnion) {
    return new Session(otherUnion, model, checks, dirtyInodes);
  }

  Path model() {
    return model;
  }

  Path union() {
    return union;
  }

  int exdevFallbacks() {
    return exdevFallbacks;
  }

  /** The outcome of one operation on both sides. */
  record Outcome(String model, String union, boolean fallback) {
    @Override
    public String toString() {
      return "model=" + model + " union=" + union + (fallback ? " (EXDEV: mv fallback applied to the union)" : "");
    }
  }

  /** Applies the operation to both sides; updates the bookkeeping. */
  Outcome apply(Op op) {
    String m = OpApplier.apply(model, op);
    if (op.writesContent() && !m.startsWith("E")) { // the open (or truncate) succeeded
      markDirty(model.resolve(op.path()), true);
    }
    if (op.kind() == Op.Kind.SYMLINK && m.equals("OK")) {
      markDirty(model.resolve(op.path()), false);
    }
    if (op.kind() == Op.Kind.UTIMES && m.equals("OK")) {
      Long ino = inode(model.resolve(op.path()), !op.noFollow());
      if (ino != null) {
        dirtyInodes.remove(ino);
      }
    }
    String u = OpApplier.apply(union, op);
    boolean fallback = false;
    if (op.kind() == Op.Kind.RENAME && u.equals("EXDEV") && m.equals("OK")
        && Files.isDirectory(model.resolve(op.path2()), LinkOption.NOFOLLOW_LINKS)) {
      mvFallback(op.path(), op.path2());
      fallback = true;
      u = "OK";
    }
    return new Outcome(m, u, fallback);
  }

  /** Compares the two sides now; returns the differences (empty if none). */
  List<String> compare(boolean withXattrs) {
    List<String> problems = new ArrayList<>();
    Map<String, String> ms = TreeSnapshot.of(model, false);
    Map<String, String> us = TreeSnapshot.of(union, false);
    if (checks.contains(Check.TREE)) {
      problems.addAll(diff("tree", ms, us));
    }
    if (checks.contains(Check.MTIME) && problems.isEmpty()) {
      problems.addAll(diff("mtime (ns) of files no operation wrote", mtimes(ms.keySet(), model),
          mtimes(ms.keySet(), union)));
    }
    if (withXattrs && checks.contains(Check.XATTR) && problems.isEmpty()) {
      problems.addAll(diff("user xattrs", xattrs(ms.keySet(), model), xattrs(ms.keySet(), union)));
    }
    return problems;
  }

  private static List<String> diff(String what, Map<String, String> model, Map<String, String> union) {
    List<String> out = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(model.keySet());
    keys.addAll(union.keySet());
    for (String k : keys) {
      String m = model.get(k);
      String u = union.get(k);
      if (m == null || !m.equals(u)) {
        out.add(what + ": '" + k + "' model: " + (m == null ? "(absent)" : m) + " | union: " + (u == null ? "(absent)" : u));
      }
    }
    return out;
  }

  /** mtime (ns) of every non-directory whose model inode no operation wrote. */
  private Map<String, String> mtimes(Set<String> paths, Path root) {
    Map<String, String> out = new TreeMap<>();
    for (String rel : paths) {
      Path mp = model.resolve(rel);
      if (Files.isDirectory(mp, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      Long ino = inode(mp, false);
      if (ino == null || dirtyInodes.contains(ino)) {
        continue;
      }
      try {
        out.put(rel, Long.toString(LowerTree.nanos(
            Files.getAttribute(root.resolve(rel), "lastModifiedTime", LinkOption.NOFOLLOW_LINKS))));
      } catch (IOException e) {
        out.put(rel, "unreadable: " + e);
      }
    }
    return out;
  }

  private static Map<String, String> xattrs(Set<String> paths, Path root) {
    Map<String, String> out = new TreeMap<>();
    for (String rel : paths) {
      Path p = root.resolve(rel);
      try {
        List<String> names = new ArrayList<>(PosixExtras.listXattrs(p));
        names.removeIf(n -> !n.startsWith("user."));
        names.sort(null);
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
          byte[] v = PosixExtras.xattr(p, n);
          sb.append(n).append('=').append(v == null ? "(none)" : HexFormat.of().formatHex(v)).append(' ');
        }
        out.put(rel, sb.toString().trim());
      } catch (AssertionError e) {
        out.put(rel, "listxattr failed: " + e.getMessage());
      }
    }
    return out;
  }

  private void markDirty(Path p, boolean follow) {
    Long ino = inode(p, follow);
    if (ino != null) {
      dirtyInodes.add(ino);
    }
  }

  private static Long inode(Path p, boolean follow) {
    try {
      return (Long) (follow ? Files.getAttribute(p, "unix:ino")
          : Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS));
    } catch (IOException e) {
      return null;
    }
  }

  /** What mv does after EXDEV, applied to the union: copy src to dst, then delete src. */
  void mvFallback(String src, String dst) {
    exdevFallbacks++;
    Path mnt = union;
    try {
      Path to = mnt.resolve(dst);
      if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
        Syscalls.rmdir(to).requireOk(); // the model's rename replaced an empty directory
      }
      copyTree(mnt.resolve(src), to);
      removeTree(mnt.resolve(src));
      separateHardLinks(model.resolve(dst));
    } catch (IOException | AssertionError e) {
      throw new AssertionError("the mv fallback (copy, then delete) for rename " + src + " -> " + dst
          + " failed on the union: " + e, e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
      Syscalls.mkdir(to, 0700).requireOk();
      List<Path> children;
      try (Stream<Path> s = Files.list(from)) {
        children = s.toList();
      }
      for (Path c : children) {
        copyTree(c, to.resolve(c.getFileName().toString()));
      }
      LowerTree.copyMetadata(from, to);
    } else {
      LowerTree.copyNonDirectory(from, to);
    }
  }

  private static void removeTree(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      List<Path> children;
      try (Stream<Path> s = Files.list(p)) {
        children = s.toList();
      }
      for (Path c : children) {
        removeTree(c);
      }
      Syscalls.rmdir(p).requireOk();
    } else {
      Syscalls.unlink(p).requireOk();
    }
  }

  /** Replaces every multiply-linked file under p in the model by a copy (mv's copy does not keep them). */
  private void separateHardLinks(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      List<Path> children;
      try (Stream<Path> s = Files.list(p)) {
        children = s.toList();
      }
      for (Path c : children) {
        separateHardLinks(c);
      }
    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
        && (Integer) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS) > 1) {
      Long oldIno = inode(p, false);
      Path tmp = p.resolveSibling(".separate-tmp");
      LowerTree.copyNonDirectory(p, tmp);
      Syscalls.rename(tmp, p).requireOk();
      if (dirtyInodes.contains(oldIno)) {
        markDirty(p, false);
      }
    }
  }
}
