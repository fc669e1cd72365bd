package org.unionfsjava.fs.nativeio;

import static org.unionfsjava.fs.nativeio.LinuxAbi.LIBC;

import java.nio.file.Path;
import jnr.ffi.Pointer;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;

/**
 * System calls on open file descriptors, for the FUSE adapter's data path (read, write, fsync,
 * locks), plus the few process-wide calls (umask, statvfs, geteuid).
 *
 * <p>Every failure is a {@link UnionException} built by {@link Errnos#exception}; calls that can
 * be interrupted are retried on EINTR. Errors about a descriptor carry "fd N" as their path: the
 * caller knows the union path and may wrap the exception. Flag and command numbers are the Linux
 * ones of this architecture, which are also what FUSE passes in {@code fi.flags}.
 */
public final class NativeFile {

  /** open(2) O_RDONLY. */
  public static final int O_RDONLY = LinuxAbi.O_RDONLY;
  /** open(2) O_WRONLY. */
  public static final int O_WRONLY = LinuxAbi.O_WRONLY;
  /** open(2) O_RDWR. */
  public static final int O_RDWR = LinuxAbi.O_RDWR;
  /** open(2) O_CREAT. */
  public static final int O_CREAT = LinuxAbi.O_CREAT;
  /** open(2) O_EXCL. */
  public static final int O_EXCL = LinuxAbi.O_EXCL;
  /** open(2) O_TRUNC. */
  public static final int O_TRUNC = LinuxAbi.O_TRUNC;
  /** open(2) O_APPEND. */
  public static final int O_APPEND = LinuxAbi.O_APPEND;
  /** open(2) O_NOFOLLOW (architecture-dependent value). */
  public static final int O_NOFOLLOW = LinuxAbi.O_NOFOLLOW;
  /** open(2) O_DIRECTORY (architecture-dependent value). */
  public static final int O_DIRECTORY = LinuxAbi.O_DIRECTORY;
  /** open(2) O_CLOEXEC. */
  public static final int O_CLOEXEC = LinuxAbi.O_CLOEXEC;

  /** fallocate(2) FALLOC_FL_KEEP_SIZE. */
  public static final int FALLOC_FL_KEEP_SIZE = 1;
  /** fallocate(2) FALLOC_FL_PUNCH_HOLE (with {@link #FALLOC_FL_KEEP_SIZE}). */
  public static final int FALLOC_FL_PUNCH_HOLE = 2;

  /** statvfs(3) results, as FUSE's statfs callback wants them. */
  public record FsStats(long bsize, long frsize, long blocks, long bfree, long bavail, long files,
      long ffree, long namemax) {}

  private NativeFile() {}

  /** open(2): the new descriptor. */
  public static int open(Path path, int flags, int mode) throws UnionException {
    int fd = openRaw(LongPaths.encode(path), flags, mode);
    if (fd < 0) {
      throw Errnos.exception(-fd, "open", path.toString());
    }
    return fd;
  }

  /** open(2) retried on EINTR: the descriptor, or minus the errno. */
  static int openRaw(byte[] path, int flags, int mode) {
    while (true) {
      int fd = LIBC.open(path, flags, mode);
      if (fd >= 0) {
        return fd;
      }
      int errno = LinuxAbi.errno();
      if (errno != Errnos.EINTR) {
        return -errno;
      }
    }
  }

  /**
   * pread(2) into native memory until {@code size} bytes are read or end of file: the byte count
   * (short only at end of file, as FUSE expects).
   */
  public static int pread(int fd, Pointer buf, long size, long offset) throws UnionException {
    long done = 0;
    while (done < size) {
      Pointer at = done == 0 ? buf : buf.slice(done);
      long n = LIBC.pread(fd, at, size - done, offset + done);
      if (n > 0) {
        done += n;
      } else if (n == 0) {
        break;
      } else {
        int errno = LinuxAbi.errno();
        if (errno == Errnos.EINTR) {
          continue;
        }
        if (done > 0) {
          break; // a short read: report what was read, the error comes next call
        }
        throw fdException(errno, "pread", fd);
      }
    }
    return (int) done;
  }

  /** pwrite(2) from native memory until all {@code size} bytes are written: the byte count. */
  public static int pwrite(int fd, Pointer buf, long size, long offset) throws UnionException {
    long done = 0;
    while (done < size) {
      Pointer at = done == 0 ? buf : buf.slice(done);
      long n = LIBC.pwrite(fd, at, size - done, offset + done);
      if (n > 0) {
        done += n;
      } else if (n == 0) {
        if (done > 0) {
          break;
        }
        throw fdException(Errnos.EIO, "pwrite (no progress)", fd); // never loop forever
      } else {
        int errno = LinuxAbi.errno();
        if (errno == Errnos.EINTR) {
          continue;
        }
        if (done > 0) {
          break; // a short write: report what landed (write(2) does), the error comes next call
        }
        throw fdException(errno, "pwrite", fd);
      }
    }
    return (int) done;
  }

  /** pread(2) into a Java array from index 0: the byte count (short only at end of file). */
  public static int pread(int fd, byte[] buf, long offset) throws UnionException {
    while (true) {
      long n = LIBC.pread(fd, buf, buf.length, offset);
      if (n >= 0) {
        return (int) n;
      }
      int errno = LinuxAbi.errno();
      if (errno != Errnos.EINTR) {
        throw fdException(errno, "pread", fd);
      }
    }
  }

  /** fsync(2), or fdatasync(2) if {@code dataOnly}. */
  public static void fsync(int fd, boolean dataOnly) throws UnionException {
    int rc = dataOnly ? LIBC.fdatasync(fd) : LIBC.fsync(fd);
    if (rc != 0) {
      throw fdException(LinuxAbi.errno(), dataOnly ? "fdatasync" : "fsync", fd);
    }
  }

  /** ftruncate(2). */
  public static void ftruncate(int fd, long size) throws UnionException {
    while (LIBC.ftruncate(fd, size) != 0) {
      int errno = LinuxAbi.errno();
      if (errno != Errnos.EINTR) {
        throw fdException(errno, "ftruncate", fd);
      }
    }
  }

  /** fallocate(2) with the Linux mode bits (0 allocates and may extend the file). */
  public static void fallocate(int fd, int mode, long offset, long length) throws UnionException {
    while (LIBC.fallocate(fd, mode, offset, length) != 0) {
      int errno = LinuxAbi.errno();
      if (errno != Errnos.EINTR) {
        throw fdException(errno, "fallocate", fd);
      }
    }
  }

  /**
   * close(2); not retried on EINTR because Linux has released the descriptor by then. An error
   * here (NFS reports deferred write errors at close) is thrown.
   */
  public static void close(int fd) throws UnionException {
    if (LIBC.close(fd) != 0) {
      int errno = LinuxAbi.errno();
      if (errno != Errnos.EINTR) {
        throw fdException(errno, "close", fd);
      }
    }
  }

  /** fgetxattr(2) of a small attribute (up to 256 bytes): the value, or null if absent or unsupported. */
  public static byte[] fgetxattr(int fd, String name) throws UnionException {
    byte[] value = new byte[256];
    long got = LIBC.fgetxattr(fd, NativeNames.encode(name), value, value.length);
    if (got >= 0) {
      return java.util.Arrays.copyOf(value, (int) got);
    }
    int errno = LinuxAbi.errno();
    if (errno == Errnos.ENODATA || errno == Errnos.EOPNOTSUPP) {
      return null;
    }
    throw fdException(errno, "fgetxattr " + name, fd);
  }

  /** fstat(2). */
  public static Stat fstat(int fd) throws UnionException {
    Pointer buf = ThreadBuffers.get().small;
    if (LIBC.fstat(fd, buf) != 0) {
      throw fdException(LinuxAbi.errno(), "fstat", fd);
    }
    return StatLayout.host().read(buf);
  }

  /** umask(2): sets the process-wide file mode creation mask and returns the previous one. */
  public static int setUmask(int mask) {
    return LIBC.umask(mask);
  }

  /**
   * Binds libc now, if this JVM has not yet (jnr-ffi writes the binding's classes at run time: a
   * tenth of a second on a slow machine); later calls return at once. Any first use binds it too.
   */
  public static void bindLibrary() {
    LinuxAbi.RUNTIME.getClass(); // reading the field initialises LinuxAbi, which loads libc
  }

  /** geteuid(2): the effective user id of the process. */
  public static int geteuid() {
    return LIBC.geteuid();
  }

  /** statvfs(3) of the filesystem that holds {@code path}. */
  public static FsStats statvfs(Path path) throws UnionException {
    Pointer buf = ThreadBuffers.get().small;
    if (LIBC.statvfs(LongPaths.encode(path), buf) != 0) {
      throw Errnos.exception(LinuxAbi.errno(), "statvfs", path.toString());
    }
    // LP64 struct statvfs: bsize, frsize, blocks, bfree, bavail, files, ffree, favail, fsid,
    // flag, namemax (8 bytes each).
    return new FsStats(buf.getLong(0), buf.getLong(8), buf.getLong(16), buf.getLong(24),
        buf.getLong(32), buf.getLong(40), buf.getLong(48), buf.getLong(80));
  }

  /** NFS_SUPER_MAGIC, statfs's f_type of an NFS (any version) mount. */
  public static final long NFS_SUPER_MAGIC = 0x6969;

  /** statfs(2)'s f_type: which filesystem {@code path} is on (e.g. {@link #NFS_SUPER_MAGIC}). */
  public static long fsMagic(Path path) throws UnionException {
    Pointer buf = ThreadBuffers.get().small;
    if (LIBC.statfs(LongPaths.encode(path), buf) != 0) {
      throw Errnos.exception(LinuxAbi.errno(), "statfs", path.toString());
    }
    return buf.getLong(0); // __fsword_t f_type, the first field on x86_64 and aarch64
  }

  /** flock(2) LOCK_EX. */
  private static final int LOCK_EX = 2;
  /** flock(2) LOCK_NB. */
  private static final int LOCK_NB = 4;

  /**
   * flock(2) {@code LOCK_EX | LOCK_NB}: true if this descriptor now holds the exclusive lock,
   * false if another open file description holds a lock on the same file (EWOULDBLOCK). The lock
   * goes when the last descriptor of this open file description closes, also when the process
   * dies.
   */
  public static boolean tryLockExclusive(int fd) throws UnionException {
    while (true) {
      if (LIBC.flock(fd, LOCK_EX | LOCK_NB) == 0) {
        return true;
      }
      int errno = LinuxAbi.errno();
      if (errno == Errnos.EAGAIN) { // EWOULDBLOCK is EAGAIN on Linux
        return false;
      }
      if (errno != Errnos.EINTR) {
        throw fdException(errno, "flock", fd);
      }
    }
  }

  /**
   * Whether lstat(2) of {@code path} fails with ENOTCONN: the path is (or is inside) a FUSE
   * mount whose server has ended or whose connection was aborted.
   */
  public static boolean isDisconnected(Path path) {
    byte[] p;
    try {
      p = LongPaths.encode(path);
    } catch (UnionException e) {
      return false;
    }
    return LIBC.lstat(p, ThreadBuffers.get().small) != 0 && LinuxAbi.errno() == Errnos.ENOTCONN;
  }

  private static UnionException fdException(int errno, String syscall, int fd) {
    return Errnos.exception(errno, syscall, "fd " + fd);
  }
}
