package org.unionfsjava.e2e.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;

/**
 * Single system calls with their exact errno, for tests that compare error codes (the one place
 * the e2e tests read errno). Bound with jnr-ffi, which the test classpath gets through jnr-fuse.
 *
 * <p>Every call returns a {@link Call}: the return value and, on failure, the errno name
 * ({@code "ENOENT"}, ...). Calls are made from the calling thread, so errno is that call's.
 */
public final class Syscalls {
  private Syscalls() {}

  // Linux x86_64/aarch64 open(2) flags and mode bits.
  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 01;
  public static final int O_RDWR = 02;
  public static final int O_CREAT = 0100;
  public static final int O_EXCL = 0200;
  public static final int O_TRUNC = 01000;
  public static final int O_APPEND = 02000;
  public static final int O_DIRECTORY = 0200000;
  public static final int O_NOFOLLOW = 0400000;
  public static final int S_IFIFO = 0010000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFREG = 0100000;
  public static final int F_OK = 0;
  public static final int X_OK = 1;
  public static final int W_OK = 2;
  public static final int R_OK = 4;
  public static final int LOCK_EX = 2;
  public static final int LOCK_NB = 4;
  public static final int LOCK_UN = 8;

  /** The libc functions the tests call. */
  public interface LibC {
    int open(String path, int flags, int mode);

    int close(int fd);

    long read(int fd, byte[] buf, long count);

    long write(int fd, byte[] buf, long count);

    int fsync(int fd);

    int ftruncate(int fd, long length);

    int truncate(String path, long length);

    int mkdir(String path, int mode);

    int rmdir(String path);

    int unlink(String path);

    int rename(String from, String to);

    int renameat2(int oldDirFd, String from, int newDirFd, String to, int flags);

    int link(String from, String to);

    int symlink(String target, String linkPath);

    long readlink(String path, byte[] buf, long size);

    int mknod(String path, int mode, long dev);

    int access(String path, int mode);

    int chmod(String path, int mode);

    int lchown(String path, int uid, int gid);

    int lsetxattr(String path, String name, byte[] value, long size, int flags);

    long lgetxattr(String path, String name, byte[] value, long size);

    int lremovexattr(String path, String name);

    int flock(int fd, int operation);

    int fallocate(int fd, int mode, long offset, long len);
  }

  private static final LibC LIBC = LibraryLoader.create(LibC.class)
      .option(LibraryOption.SaveError, true)
      .load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

  /** The result of one call: its return value and, if it failed, the errno name. */
  public record Call(String what, long ret, String errno) {
    public boolean ok() {
      return errno == null;
    }

    /** "OK" or the errno name: what parity tests compare. */
    public String outcome() {
      return ok() ? "OK" : errno;
    }

    /** Fails unless the call succeeded; returns the return value. */
    public long requireOk() {
      if (!ok()) {
        throw new AssertionError(what + " failed with " + errno);
      }
      return ret;
    }

    @Override
    public String toString() {
      return what + " -> " + outcome() + (ok() ? " (" + ret + ")" : "");
    }
  }

  private static Call result(String what, long ret) {
    if (ret >= 0) {
      return new Call(what, ret, null);
    }
    int errno = RUNTIME.getLastError();
    return new Call(what, ret, errnoName(errno));
  }

  /** The symbolic name of an errno number on this platform. */
  public static String errnoName(int errno) {
    jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
    return e == null || e.name().startsWith("__") ? "errno " + errno : e.name();
  }

  private static String s(Path p) {
    return p.toString();
  }

  public static Call open(Path p, int flags, int mode) {
    return result("open(" + p + ", 0" + Integer.toOctalString(flags) + ")", LIBC.open(s(p), flags, mode));
  }

  /** Opens and closes at once; the open's result. */
  public static Call openClose(Path p, int flags, int mode) {
    Call c = open(p, flags, mode);
    if (c.ok()) {
      LIBC.close((int) c.ret());
    }
    return c;
  }

  public static Call close(int fd) {
    return result("close(" + fd + ")", LIBC.close(fd));
  }

  public static Call write(int fd, byte[] data) {
    return result("write(" + fd + ")", LIBC.write(fd, data, data.length));
  }

  public static Call fsync(int fd) {
    return result("fsync(" + fd + ")", LIBC.fsync(fd));
  }

  public static Call ftruncate(int fd, long length) {
    return result("ftruncate(" + fd + ", " + length + ")", LIBC.ftruncate(fd, length));
  }

  public static Call truncate(Path p, long length) {
    return result("truncate(" + p + ", " + length + ")", LIBC.truncate(s(p), length));
  }

  public static Call mkdir(Path p, int mode) {
    return result("mkdir(" + p + ")", LIBC.mkdir(s(p), mode));
  }

  public static Call rmdir(Path p) {
    return result("rmdir(" + p + ")", LIBC.rmdir(s(p)));
  }

  public static Call unlink(Path p) {
    return result("unlink(" + p + ")", LIBC.unlink(s(p)));
  }

  public static Call rename(Path from, Path to) {
    return result("rename(" + from + ", " + to + ")", LIBC.rename(s(from), s(to)));
  }

  /** renameat2's flags (linux/fs.h). */
  public static final int RENAME_NOREPLACE = 1;
  public static final int RENAME_EXCHANGE = 2;
  public static final int RENAME_WHITEOUT = 4;
  private static final int AT_FDCWD = -100;

  /** renameat2(2) with these flags (glibc 2.28 and later have the wrapper). */
  public static Call renameat2(Path from, Path to, int flags) {
    return result("renameat2(" + from + ", " + to + ", " + flags + ")",
        LIBC.renameat2(AT_FDCWD, s(from), AT_FDCWD, s(to), flags));
  }

  public static Call link(Path from, Path to) {
    return result("link(" + from + ", " + to + ")", LIBC.link(s(from), s(to)));
  }

  public static Call symlink(String target, Path linkPath) {
    return result("symlink(" + target + ", " + linkPath + ")", LIBC.symlink(target, s(linkPath)));
  }

  /** readlink(2); the target is in {@link #readlinkTarget}. */
  public static Call readlink(Path p) {
    byte[] buf = new byte[4096];
    return result("readlink(" + p + ")", LIBC.readlink(s(p), buf, buf.length));
  }

  public static String readlinkTarget(Path p) {
    byte[] buf = new byte[4096];
    long n = LIBC.readlink(s(p), buf, buf.length);
    if (n < 0) {
      throw new AssertionError("readlink(" + p + ") failed with " + errnoName(RUNTIME.getLastError()));
    }
    return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
  }

  /** mknod(2) with a type in {@code mode} (S_IFCHR, S_IFBLK, S_IFIFO) and a device major/minor. */
  public static Call mknod(Path p, int mode, int major, int minor) {
    long dev = ((long) (major & 0xfff) << 8) | (minor & 0xff) | ((long) (minor & ~0xff) << 12)
        | ((long) (major & ~0xfff) << 32);
    return result("mknod(" + p + ", 0" + Integer.toOctalString(mode) + ", " + major + ":" + minor + ")",
        LIBC.mknod(s(p), mode, dev));
  }

  public static Call access(Path p, int mode) {
    return result("access(" + p + ", " + mode + ")", LIBC.access(s(p), mode));
  }

  public static Call chmod(Path p, int mode) {
    return result("chmod(" + p + ", 0" + Integer.toOctalString(mode) + ")", LIBC.chmod(s(p), mode));
  }

  public static Call lchown(Path p, int uid, int gid) {
    return result("lchown(" + p + ", " + uid + ", " + gid + ")", LIBC.lchown(s(p), uid, gid));
  }

  public static Call setxattr(Path p, String name, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return result("lsetxattr(" + p + ", " + name + ")", LIBC.lsetxattr(s(p), name, v, v.length, 0));
  }

  /** lgetxattr(2): the value's length, or ENODATA if the attribute is absent. */
  public static Call getxattr(Path p, String name) {
    byte[] buf = new byte[65536];
    return result("lgetxattr(" + p + ", " + name + ")", LIBC.lgetxattr(s(p), name, buf, buf.length));
  }

  /** The value of an xattr as text, or null if the call fails (ENODATA, ...). */
  public static String xattrValue(Path p, String name) {
    byte[] buf = new byte[65536];
    long n = LIBC.lgetxattr(s(p), name, buf, buf.length);
    return n < 0 ? null : new String(buf, 0, (int) n, StandardCharsets.UTF_8);
  }

  public static Call removexattr(Path p, String name) {
    return result("lremovexattr(" + p + ", " + name + ")", LIBC.lremovexattr(s(p), name));
  }

  public static Call flock(int fd, int operation) {
    return result("flock(" + fd + ", " + operation + ")", LIBC.flock(fd, operation));
  }

  public static Call fallocate(int fd, long offset, long len) {
    return result("fallocate(" + fd + ", " + offset + ", " + len + ")", LIBC.fallocate(fd, 0, offset, len));
  }

  /** fallocate(2) FALLOC_FL_* mode bits. */
  public static final int FALLOC_FL_KEEP_SIZE = 0x01;
  public static final int FALLOC_FL_PUNCH_HOLE = 0x02;
  public static final int FALLOC_FL_COLLAPSE_RANGE = 0x08;
  public static final int FALLOC_FL_ZERO_RANGE = 0x10;
  public static final int FALLOC_FL_INSERT_RANGE = 0x20;

  /** fallocate(2) with a mode (FALLOC_FL_* bits). */
  public static Call fallocate(int fd, int mode, long offset, long len) {
    return result("fallocate(" + fd + ", 0x" + Integer.toHexString(mode) + ", " + offset + ", " + len + ")",
        LIBC.fallocate(fd, mode, offset, len));
  }
}
