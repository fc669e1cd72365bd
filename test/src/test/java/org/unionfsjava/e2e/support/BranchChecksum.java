package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An exact fingerprint of a branch directory as it is on disk, for proving that a lower was not
 * touched: for every path (the root as {@code "."}) its kind, full mode, owner, link count,
 * inode, size, mtime and ctime in nanoseconds, device number, content hash or symlink target,
 * and every xattr of every namespace with a hash of its value. Reading does not change any of
 * these (atime is left out on purpose); any write, chmod, chown, utimes, link, rename, xattr
 * change or replacement of a file by a copy does.
 */
public final class BranchChecksum {
  private BranchChecksum() {}

  /** Takes the fingerprint of {@code root} (a real directory, not a mount of ours). */
  public static Map<String, String> of(Path root) {
    Map<String, String> out = new TreeMap<>();
    try {
      out.put(".", describe(root));
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
          if (!dir.equals(root)) {
            out.put(root.relativize(dir).toString(), describe(dir));
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          out.put(root.relativize(file).toString(), describe(file));
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) {
          out.put(root.relativize(file).toString(), "UNREADABLE " + exc);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The differences between two fingerprints, one line per path, empty if they are equal. */
  public static List<String> diff(Map<String, String> before, Map<String, String> after) {
    List<String> lines = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    for (String k : keys) {
      String b = before.get(k);
      String a = after.get(k);
      if (b == null) {
        lines.add("+ " + k + ": " + a);
      } else if (a == null) {
        lines.add("- " + k + ": " + b);
      } else if (!a.equals(b)) {
        lines.add("~ " + k + ":\n    before " + b + "\n    after  " + a);
      }
    }
    return lines;
  }

  private static String describe(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p,
        "unix:mode,uid,gid,nlink,ino,size,lastModifiedTime,ctime,rdev", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    StringBuilder sb = new StringBuilder();
    sb.append("mode=0").append(Integer.toOctalString(mode))
        .append(" owner=").append(a.get("uid")).append(':').append(a.get("gid"))
        .append(" nlink=").append(a.get("nlink"))
        .append(" ino=").append(a.get("ino"))
        .append(" size=").append(a.get("size"))
        .append(" mtime=").append(nanos((FileTime) a.get("lastModifiedTime")))
        .append(" ctime=").append(nanos((FileTime) a.get("ctime")))
        .append(" rdev=").append(a.get("rdev"));
    if (Files.isSymbolicLink(p)) {
      sb.append(" -> ").append(Files.readSymbolicLink(p));
    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      sb.append(" sha256=").append(sha256(p));
    }
    List<String> names = new ArrayList<>(PosixExtras.listXattrs(p));
    names.sort(null);
    for (String name : names) {
      byte[] v = PosixExtras.xattr(p, name);
      sb.append(" xattr ").append(name).append('=')
          .append(v == null ? "(vanished)" : HexFormat.of().formatHex(digest(v)).substring(0, 16));
    }
    return sb.toString();
  }

  private static String nanos(FileTime t) {
    Instant i = t.toInstant();
    return i.getEpochSecond() + "." + String.format("%09d", i.getNano());
  }

  private static byte[] digest(byte[] v) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(v);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
