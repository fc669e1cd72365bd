package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A comparable picture of a directory tree: for every relative path its kind, permissions and
 * content hash (files) or target (symlinks). Two equal snapshots mean the same visible tree.
 */
public final class TreeSnapshot {
  private TreeSnapshot() {}

  /** Takes the picture; with {@code withOwnerAndTimes} also uid:gid and mtime (ns). */
  public static Map<String, String> of(Path root, boolean withOwnerAndTimes) {
    Map<String, String> out = new TreeMap<>();
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
          if (!dir.equals(root)) {
            out.put(rel(dir), describe(dir, withOwnerAndTimes));
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          out.put(rel(file), describe(file, withOwnerAndTimes));
          return FileVisitResult.CONTINUE;
        }

        private String rel(Path p) {
          return root.relativize(p).toString();
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** One line describing an object: kind, mode and content. */
  public static String describe(Path p, boolean withOwnerAndTimes) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime,rdev", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    StringBuilder sb = new StringBuilder();
    if (Files.isSymbolicLink(p)) {
      sb.append("link -> ").append(Files.readSymbolicLink(p));
    } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      sb.append("dir ").append(Integer.toOctalString(mode & 07777));
    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      sb.append("file ").append(Integer.toOctalString(mode & 07777)).append(' ').append(sha256(p));
    } else {
      sb.append("special ").append(Integer.toOctalString(mode)).append(" rdev=").append(a.get("rdev"));
    }
    if (withOwnerAndTimes) {
      sb.append(" owner=").append(a.get("uid")).append(':').append(a.get("gid"));
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        sb.append(" mtime=").append(a.get("lastModifiedTime"));
      }
    }
    return sb.toString();
  }

  private static String sha256(Path p) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Permissions as rwx text, for messages. */
  public static String perms(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }
}
