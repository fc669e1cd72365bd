package org.unionfsjava.e2e.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;

/**
 * The system calls {@link Syscalls} does not bind and the differential and interop tests need:
 * pwrite at an offset, utimensat with nanoseconds, and the listing of every xattr of a path (all
 * namespaces, which NIO cannot reach). Results are {@link Syscalls.Call}s like there.
 */
public final class PosixExtras {
  private PosixExtras() {}

  /** utimensat(2) dirfd meaning "relative to the working directory"; paths here are absolute. */
  public static final int AT_FDCWD = -100;
  /** utimensat(2) flag: change the symlink itself. */
  public static final int AT_SYMLINK_NOFOLLOW = 0x100;

  /** The libc functions bound here. */
  public interface LibC {
    long pwrite(int fd, byte[] buf, long count, long offset);

    /** {@code times} is struct timespec[2]: atime sec, atime nsec, mtime sec, mtime nsec. */
    int utimensat(int dirfd, String path, long[] times, int flags);

    long llistxattr(String path, byte[] list, long size);

    long lgetxattr(String path, String name, byte[] value, long size);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class)
      .option(LibraryOption.SaveError, true)
      .load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

  private static Syscalls.Call result(String what, long ret) {
    if (ret >= 0) {
      return new Syscalls.Call(what, ret, null);
    }
    return new Syscalls.Call(what, ret, Syscalls.errnoName(RUNTIME.getLastError()));
  }

  /** pwrite(2) of all of {@code data} at {@code offset}. */
  public static Syscalls.Call pwrite(int fd, byte[] data, long offset) {
    return result("pwrite(" + fd + ", " + data.length + "@" + offset + ")",
        LIBC.pwrite(fd, data, data.length, offset));
  }

  /** utimensat(2) with explicit times in nanoseconds since the epoch. */
  public static Syscalls.Call utimens(Path p, long atimeNs, long mtimeNs, boolean noFollow) {
    long[] ts = {
        Math.floorDiv(atimeNs, 1_000_000_000L), Math.floorMod(atimeNs, 1_000_000_000L),
        Math.floorDiv(mtimeNs, 1_000_000_000L), Math.floorMod(mtimeNs, 1_000_000_000L)};
    return result("utimensat(" + p + ", " + atimeNs + ", " + mtimeNs + (noFollow ? ", NOFOLLOW" : "") + ")",
        LIBC.utimensat(AT_FDCWD, p.toString(), ts, noFollow ? AT_SYMLINK_NOFOLLOW : 0));
  }

  /** The names of every xattr of the path itself (not following a symlink), in listing order. */
  public static List<String> listXattrs(Path p) {
    String path = p.toString();
    long size = LIBC.llistxattr(path, null, 0);
    if (size < 0) {
      throw new AssertionError("llistxattr(" + p + ") failed with " + Syscalls.errnoName(RUNTIME.getLastError()));
    }
    byte[] buf = new byte[(int) size + 1024];
    long n = LIBC.llistxattr(path, buf, buf.length);
    if (n < 0) {
      throw new AssertionError("llistxattr(" + p + ") failed with " + Syscalls.errnoName(RUNTIME.getLastError()));
    }
    List<String> names = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < n; i++) {
      if (buf[i] == 0) {
        if (i > start) {
          names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
        }
        start = i + 1;
      }
    }
    return names;
  }

  /** The raw value of an xattr of the path itself, or null if it has none of that name. */
  public static byte[] xattr(Path p, String name) {
    byte[] buf = new byte[65536];
    long n = LIBC.lgetxattr(p.toString(), name, buf, buf.length);
    if (n < 0) {
      return null;
    }
    return java.util.Arrays.copyOf(buf, (int) n);
  }
}
