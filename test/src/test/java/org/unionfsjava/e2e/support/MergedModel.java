package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The expected view of a union as a plain directory (the "model" of the differential and interop
 * tests): the lowers copied into it bottom-up, so that per DESIGN §2 the topmost branch decides
 * the kind of every name, a non-directory hides everything below it, directories merge and a
 * merged directory shows the mode, times and xattrs of its topmost copy. Lowers must not contain
 * whiteouts. Also the copy helpers that keep mode, user xattrs and times in nanoseconds.
 */
public final class MergedModel {
  private MergedModel() {}

  /**
   * Builds in the (empty) model directory the merged view of the lowers, with the topmost
   * branch deciding kind, mode, content, times and xattrs of every name.
   */
  public static void build(List<Path> lowers, Path model) throws IOException {
    for (int i = lowers.size() - 1; i >= 0; i--) {
      Path lower = lowers.get(i);
      List<Path> entries;
      try (Stream<Path> s = Files.walk(lower)) {
        entries = s.filter(p -> !p.equals(lower)).toList(); // pre-order: parents first
      }
      List<Path> dirs = new ArrayList<>();
      for (Path src : entries) {
        Path dst = model.resolve(lower.relativize(src).toString());
        boolean srcDir = Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS);
        boolean dstExists = Files.exists(dst, LinkOption.NOFOLLOW_LINKS);
        boolean dstDir = Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS);
        if (srcDir) {
          if (dstExists && !dstDir) {
            Files.delete(dst);
          }
          if (!dstDir) {
            Files.createDirectory(dst);
          }
          dirs.add(src);
        } else {
          if (dstExists) {
            deleteTree(dst);
          }
          copyNonDirectory(src, dst);
        }
      }
      // A merged directory shows the attributes of its topmost copy.
      dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
      for (Path src : dirs) {
        Path dst = model.resolve(lower.relativize(src).toString());
        copyMetadata(src, dst);
      }
    }
  }

  /** Copies a regular file or symlink with mode, xattrs and times (ns). */
  public static void copyNonDirectory(Path src, Path dst) throws IOException {
    if (Files.isSymbolicLink(src)) {
      Files.createSymbolicLink(dst, Files.readSymbolicLink(src));
    } else {
      Files.copy(src, dst);
      // Keep the holes: a sparse file has the same content either way, but stays cheap.
    }
    copyMetadata(src, dst);
  }

  /** Mode (not for symlinks), user xattrs and times (ns) from src to dst. */
  public static void copyMetadata(Path src, Path dst) throws IOException {
    boolean link = Files.isSymbolicLink(src);
    if (!link) {
      Syscalls.chmod(dst, (Integer) Files.getAttribute(src, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777)
          .requireOk();
      // clear xattrs the destination has but the source does not (a merged dir keeps the top's)
      for (String name : PosixExtras.listXattrs(dst)) {
        if (name.startsWith("user.") && PosixExtras.xattr(src, name) == null) {
          Syscalls.removexattr(dst, name).requireOk();
        }
      }
      for (String name : PosixExtras.listXattrs(src)) {
        if (name.startsWith("user.")) {
          byte[] v = PosixExtras.xattr(src, name);
          Syscalls.setxattr(dst, name, new String(v, java.nio.charset.StandardCharsets.UTF_8)).requireOk();
        }
      }
    }
    Map<String, Object> a = Files.readAttributes(src, "unix:lastAccessTime,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    PosixExtras.utimens(dst, nanos(a.get("lastAccessTime")), nanos(a.get("lastModifiedTime")), true).requireOk();
  }

  public static long nanos(Object fileTime) {
    java.time.Instant i = ((java.nio.file.attribute.FileTime) fileTime).toInstant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** Deletes a file, symlink or directory tree (not following symlinks). */
  public static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      List<Path> children;
      try (Stream<Path> s = Files.list(p)) {
        children = s.toList();
      }
      for (Path c : children) {
        deleteTree(c);
      }
    }
    Files.delete(p);
  }
}
