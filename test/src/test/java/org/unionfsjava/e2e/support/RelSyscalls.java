package org.unionfsjava.e2e.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.unionfsjava.e2e.support.Syscalls.Call;

/**
 * System calls the reliability tests need beyond {@link Syscalls}: read(2), and calls on raw byte
 * paths (a Java String cannot carry a name that is not valid UTF-8, and a name with such bytes is
 * exactly what the hostile-input tests feed the union): open, mkdir, rmdir, unlink, rename,
 * symlink, readlink, lstat (kind and size), and a directory listing of raw names. Results are
 * {@link Syscalls.Call}s with the exact errno. Linux x86_64 only (struct stat and dirent layout).
 */
public final class RelSyscalls {
  private RelSyscalls() {}

  /** The libc functions bound here; byte[] paths must end with a NUL byte (see {@link #c}). */
  public interface LibC {
    long read(int fd, byte[] buf, long count);

    int open(byte[] path, int flags, int mode);

    int close(int fd);

    int mkdir(byte[] path, int mode);

    int rmdir(byte[] path);

    int unlink(byte[] path);

    int rename(byte[] from, byte[] to);

    int symlink(byte[] target, byte[] linkPath);

    long readlink(byte[] path, byte[] buf, long size);

    int lstat(byte[] path, byte[] statBuf);

    int fstat(int fd, byte[] statBuf);

    Pointer opendir(byte[] path);

    Pointer readdir(Pointer dir);

    int closedir(Pointer dir);

    int chdir(byte[] path);

    int utimensat(int dirfd, String path, long[] times, int flags);

    int mkfifo(String path, int mode);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class)
      .option(LibraryOption.SaveError, true)
      .load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
  /** sizeof(struct stat) on x86_64 is 144; st_mode is at 24, st_size at 48. */
  private static final int STAT_SIZE = 144;

  /** True where the struct layouts used here hold. */
  public static boolean supported() {
    return "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));
  }

  private static Call result(String what, long ret) {
    if (ret >= 0) {
      return new Call(what, ret, null);
    }
    return new Call(what, ret, Syscalls.errnoName(RUNTIME.getLastError()));
  }

  /** The path's bytes with the terminating NUL C wants. */
  public static byte[] c(byte[] path) {
    return Arrays.copyOf(path, path.length + 1);
  }

  /** Bytes of a path given as text (UTF-8) followed by raw bytes. */
  public static byte[] bytes(String prefix, byte... raw) {
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(p, p.length + raw.length);
    System.arraycopy(raw, 0, out, p.length, raw.length);
    return out;
  }

  /** A printable form of a raw path: printable ASCII as is, other bytes as \xHH. */
  public static String show(byte[] path) {
    StringBuilder sb = new StringBuilder();
    for (byte b : path) {
      int v = b & 0xff;
      if (v >= 0x20 && v < 0x7f && v != '\\') {
        sb.append((char) v);
      } else {
        sb.append("\\x").append(HexFormat.of().toHexDigits((byte) v));
      }
    }
    return sb.toString();
  }

  /** utimensat(2) tv_nsec meaning "now". */
  public static final long UTIME_NOW = (1L << 30) - 1;
  /** utimensat(2) tv_nsec meaning "leave unchanged". */
  public static final long UTIME_OMIT = (1L << 30) - 2;

  /**
   * utimensat(2) with raw timespecs (so UTIME_NOW / UTIME_OMIT can be passed as nanoseconds):
   * {atime sec, atime nsec, mtime sec, mtime nsec}.
   */
  public static Call utimensat(java.nio.file.Path p, long[] times, boolean noFollow) {
    return result("utimensat(" + p + ", " + Arrays.toString(times) + (noFollow ? ", NOFOLLOW" : "") + ")",
        LIBC.utimensat(-100, p.toString(), times, noFollow ? 0x100 : 0));
  }

  /** mkfifo(3). */
  public static Call mkfifo(java.nio.file.Path p, int mode) {
    return result("mkfifo(" + p + ")", LIBC.mkfifo(p.toString(), mode));
  }

  /** read(2) into buf; the count. */
  public static Call read(int fd, byte[] buf) {
    return result("read(" + fd + ")", LIBC.read(fd, buf, buf.length));
  }

  public static Call open(byte[] path, int flags, int mode) {
    return result("open(" + show(path) + ", 0" + Integer.toOctalString(flags) + ")", LIBC.open(c(path), flags, mode));
  }

  /** Opens and closes at once; the open's result. */
  public static Call openClose(byte[] path, int flags, int mode) {
    Call r = open(path, flags, mode);
    if (r.ok()) {
      LIBC.close((int) r.ret());
    }
    return r;
  }

  public static Call mkdir(byte[] path, int mode) {
    return result("mkdir(" + show(path) + ")", LIBC.mkdir(c(path), mode));
  }

  public static Call rmdir(byte[] path) {
    return result("rmdir(" + show(path) + ")", LIBC.rmdir(c(path)));
  }

  public static Call unlink(byte[] path) {
    return result("unlink(" + show(path) + ")", LIBC.unlink(c(path)));
  }

  public static Call rename(byte[] from, byte[] to) {
    return result("rename(" + show(from) + ", " + show(to) + ")", LIBC.rename(c(from), c(to)));
  }

  public static Call symlink(byte[] target, byte[] linkPath) {
    return result("symlink(" + show(target) + ", " + show(linkPath) + ")", LIBC.symlink(c(target), c(linkPath)));
  }

  /** readlink(2): the target's raw bytes, or null if the call failed. */
  public static byte[] readlink(byte[] path) {
    byte[] buf = new byte[8192];
    long n = LIBC.readlink(c(path), buf, buf.length);
    return n < 0 ? null : Arrays.copyOf(buf, (int) n);
  }

  /** lstat(2): the call (ret 0) and, on success, the st_mode in {@link #lstatMode}. */
  public static Call lstat(byte[] path) {
    byte[] st = new byte[STAT_SIZE];
    return result("lstat(" + show(path) + ")", LIBC.lstat(c(path), st));
  }

  /** st_mode of lstat(2), or -1 if it failed. */
  public static int lstatMode(byte[] path) {
    byte[] st = new byte[STAT_SIZE];
    if (LIBC.lstat(c(path), st) != 0) {
      return -1;
    }
    return (st[24] & 0xff) | (st[25] & 0xff) << 8 | (st[26] & 0xff) << 16 | (st[27] & 0xff) << 24;
  }

  /** st_size of lstat(2), or -1 if it failed. */
  public static long lstatSize(byte[] path) {
    byte[] st = new byte[STAT_SIZE];
    if (LIBC.lstat(c(path), st) != 0) {
      return -1;
    }
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (st[48 + i] & 0xff);
    }
    return v;
  }

  /** st_size of fstat(2) as text, or the errno name if it failed. */
  public static String fstatSize(int fd) {
    byte[] st = new byte[STAT_SIZE];
    if (LIBC.fstat(fd, st) != 0) {
      return Syscalls.errnoName(RUNTIME.getLastError());
    }
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (st[48 + i] & 0xff);
    }
    return Long.toString(v);
  }

  /** st_nlink of fstat(2) as text (x86_64: 8 bytes at offset 16), or the errno name if it failed. */
  public static String fstatNlink(int fd) {
    byte[] st = new byte[STAT_SIZE];
    if (LIBC.fstat(fd, st) != 0) {
      return Syscalls.errnoName(RUNTIME.getLastError());
    }
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (st[16 + i] & 0xff);
    }
    return Long.toString(v);
  }

  /**
   * The raw names in a directory (without "." and ".."), in readdir order, or null if it cannot
   * be opened. struct dirent on x86_64: d_ino 8, d_off 8, d_reclen 2, d_type 1, then d_name.
   */
  public static List<byte[]> list(byte[] dir) {
    Pointer d = LIBC.opendir(c(dir));
    if (d == null) {
      return null;
    }
    List<byte[]> out = new ArrayList<>();
    try {
      for (Pointer e = LIBC.readdir(d); e != null; e = LIBC.readdir(d)) {
        String probe = e.getString(19, 256, StandardCharsets.ISO_8859_1);
        byte[] name = probe.getBytes(StandardCharsets.ISO_8859_1);
        if (!Arrays.equals(name, new byte[] {'.'}) && !Arrays.equals(name, new byte[] {'.', '.'})) {
          out.add(name);
        }
      }
    } finally {
      LIBC.closedir(d);
    }
    return out;
  }
}
