package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Small file helpers for filling branches before a mount and for reading what a mount shows:
 * files with content, modes, owners and nanosecond mtimes, listings that keep duplicates, and
 * {@link Stat} pictures of single objects.
 */
public final class Fixture {
  private Fixture() {}

  /** Writes a file (parents created), returns its path. */
  public static Path file(Path p, String content) {
    return file(p, content.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a file (parents created), returns its path. */
  public static Path file(Path p, byte[] content) {
    try {
      Files.createDirectories(p.getParent());
      return Files.write(p, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates a directory and its parents, returns its path. */
  public static Path dir(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sets the permission bits exactly (no umask), fails on error. */
  public static Path mode(Path p, int mode) {
    Syscalls.chmod(p, mode).requireOk();
    return p;
  }

  /** Sets numeric owner and group (not following symlinks), fails on error. */
  public static Path owner(Path p, int uid, int gid) {
    Syscalls.lchown(p, uid, gid).requireOk();
    return p;
  }

  /** Sets the modification time (nanoseconds kept). */
  public static Path mtime(Path p, Instant t) {
    try {
      Files.setLastModifiedTime(p, FileTime.from(t));
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deterministic pseudo-random bytes. */
  public static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** A file's content as UTF-8 text. */
  public static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file's bytes. */
  public static byte[] readBytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The names in a directory as readdir returns them, sorted, duplicates kept. */
  public static List<String> names(Path dir) {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(p -> out.add(p.getFileName().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Collections.sort(out);
    return out;
  }

  /** True if something (also a dangling symlink or a device) exists at p. */
  public static boolean exists(Path p) {
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
  }

  /** lstat(2) fields the tests compare. */
  public record Stat(String kind, int mode, int uid, int gid, long size, FileTime mtime, long ino,
      int nlink, long rdev) {
    /** Permission bits (07777). */
    public int perm() {
      return mode & 07777;
    }
  }

  /** lstat of a path. */
  public static Stat stat(Path p) {
    try {
      Map<String, Object> a = Files.readAttributes(p,
          "unix:mode,uid,gid,size,lastModifiedTime,ino,nlink,rdev", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      String kind = switch (mode & 0170000) {
        case 0100000 -> "file";
        case 0040000 -> "dir";
        case 0120000 -> "symlink";
        case 0020000 -> "char";
        case 0060000 -> "block";
        case 0010000 -> "fifo";
        case 0140000 -> "socket";
        default -> "unknown";
      };
      return new Stat(kind, mode, (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("size"),
          (FileTime) a.get("lastModifiedTime"), (Long) a.get("ino"), (Integer) a.get("nlink"),
          (Long) a.get("rdev"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
