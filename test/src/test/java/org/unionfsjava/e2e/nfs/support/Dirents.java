package org.unionfsjava.e2e.nfs.support;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;

/**
 * getdents64(2) as a program sees it: every name with its d_type, so a test can check what a
 * lower really answers (DT_UNKNOWN or not) and what the union passes on. Also lgetxattr and
 * llistxattr with their exact errno.
 */
public final class Dirents {
  /** d_type values of dirent.h. */
  public static final int DT_UNKNOWN = 0;
  public static final int DT_FIFO = 1;
  public static final int DT_DIR = 4;
  public static final int DT_REG = 8;
  public static final int DT_LNK = 10;

  /** The libc functions used. */
  public interface LibC {
    int open(String path, int flags, int mode);

    int close(int fd);

    long getdents64(int fd, byte[] buf, long count);

    long lgetxattr(String path, String name, byte[] value, long size);

    long llistxattr(String path, byte[] list, long size);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, true).load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
  private static final int O_RDONLY_DIRECTORY_CLOEXEC = 0 | 0200000 | 02000000;

  private Dirents() {}

  /** One entry: name and d_type. */
  public record Entry(String name, int type) {}

  /** The entries of a directory (without "." and ".."), or throws with the errno. */
  public static List<Entry> list(Path dir) {
    int fd = LIBC.open(dir.toString(), O_RDONLY_DIRECTORY_CLOEXEC, 0);
    if (fd < 0) {
      throw new AssertionError("open " + dir + ": " + errnoName());
    }
    try {
      byte[] buf = new byte[65536];
      List<Entry> out = new ArrayList<>();
      while (true) {
        long n = LIBC.getdents64(fd, buf, buf.length);
        if (n < 0) {
          throw new AssertionError("getdents64 " + dir + ": " + errnoName());
        }
        if (n == 0) {
          return out;
        }
        ByteBuffer b = ByteBuffer.wrap(buf, 0, (int) n).order(ByteOrder.nativeOrder());
        int pos = 0;
        while (pos < n) {
          int reclen = Short.toUnsignedInt(b.getShort(pos + 16));
          int type = buf[pos + 18] & 0xff;
          int end = pos + 19;
          while (buf[end] != 0) {
            end++;
          }
          String name = new String(buf, pos + 19, end - pos - 19, StandardCharsets.UTF_8);
          if (!name.equals(".") && !name.equals("..")) {
            out.add(new Entry(name, type));
          }
          pos += reclen;
        }
      }
    } finally {
      LIBC.close(fd);
    }
  }

  /** lgetxattr: "OK" or the errno name. */
  public static String getxattr(Path p, String name) {
    long n = LIBC.lgetxattr(p.toString(), name, new byte[65536], 65536);
    return n >= 0 ? "OK" : errnoName();
  }

  /** llistxattr with the largest buffer: "OK" or the errno name. */
  public static String listxattr(Path p) {
    long n = LIBC.llistxattr(p.toString(), new byte[65536], 65536);
    return n >= 0 ? "OK" : errnoName();
  }

  private static String errnoName() {
    int errno = RUNTIME.getLastError();
    if (errno == 95) {
      return "EOPNOTSUPP"; // the same number as ENOTSUP on Linux; the name NFS documents use
    }
    jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
    return e.defined() ? e.name() : "errno " + errno;
  }
}
