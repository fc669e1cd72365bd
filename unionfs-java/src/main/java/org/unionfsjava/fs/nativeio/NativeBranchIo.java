package org.unionfsjava.fs.nativeio;

import static org.unionfsjava.fs.nativeio.LinuxAbi.LIBC;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jnr.ffi.Pointer;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;

/**
 * {@link BranchIo} on Linux system calls through jnr-ffi: device nodes, trusted and user xattrs,
 * renameat2 flags, nanosecond times, d_type listings and sparse/reflink copies.
 *
 * <p>Thread-safe and stateless (scratch buffers are per thread). Every failure is a
 * {@link UnionException} made by {@link Errnos#exception}; the "not there" answers of the lookup
 * path are null returns without an exception. Paths are absolute paths of the default filesystem;
 * their bytes come from {@link NativeNames}. Modes are passed as given: the daemon runs with
 * umask 0 ({@link NativeFile#setUmask}) so they are exact.
 */
public final class NativeBranchIo implements BranchIo {

  /** XATTR_SIZE_MAX and XATTR_LIST_MAX of Linux: no value or name list is larger. */
  private static final int XATTR_MAX = 64 * 1024;
  /** A generous cap for readlink; PATH_MAX (4096) is the real limit on Linux filesystems. */
  private static final int READLINK_MAX = 1 << 20;

  private final StatLayout layout = StatLayout.host();

  /** A branch I/O on the host's libc (loads it on first use of the class). */
  public NativeBranchIo() {}

  @Override
  public Stat lstat(Path path) throws UnionException {
    Pointer buf = ThreadBuffers.get().small;
    byte[] p;
    try {
      p = LongPaths.encode(path);
    } catch (UnionException e) {
      if (e.errno() == org.unionfsjava.model.Errno.ENOENT || e.errno() == org.unionfsjava.model.Errno.ENOTDIR) {
        return null; // a directory on the way is missing, as lstat of the whole path would say
      }
      throw e;
    }
    if (LIBC.lstat(p, buf) != 0) {
      int errno = LinuxAbi.errno();
      if (errno == Errnos.ENOENT || errno == Errnos.ENOTDIR) {
        return null;
      }
      throw Errnos.exception(errno, "lstat", path.toString());
    }
    return layout.read(buf);
  }

  @Override
  public List<DirEntry> list(Path dir) throws UnionException {
    return DirentReader.list(dir);
  }

  @Override
  public byte[] getXattr(Path path, String name) throws UnionException {
    byte[] p = LongPaths.encode(path);
    byte[] n = NativeNames.encode(name);
    for (int size = 256; ; size *= 4) {
      byte[] value = new byte[size];
      long got = LIBC.lgetxattr(p, n, value, size);
      if (got >= 0) {
        return Arrays.copyOf(value, (int) got);
      }
      int errno = LinuxAbi.errno();
      if (errno == Errnos.ENODATA || errno == Errnos.EOPNOTSUPP) {
        return null;
      }
      if (errno != Errnos.ERANGE || size >= XATTR_MAX) {
        throw Errnos.exception(errno, "lgetxattr " + name, path.toString());
      }
    }
  }

  @Override
  public List<String> listXattrs(Path path) throws UnionException {
    byte[] p = LongPaths.encode(path);
    for (int size = 1024; ; size *= 4) {
      byte[] list = new byte[size];
      long got = LIBC.llistxattr(p, list, size);
      if (got >= 0) {
        return splitNames(list, (int) got);
      }
      int errno = LinuxAbi.errno();
      if (errno == Errnos.EOPNOTSUPP) {
        return List.of();
      }
      if (errno != Errnos.ERANGE || size >= XATTR_MAX) {
        throw Errnos.exception(errno, "llistxattr", path.toString());
      }
    }
  }

  private static List<String> splitNames(byte[] list, int length) {
    List<String> names = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < length; i++) {
      if (list[i] == 0) {
        if (i > start) {
          names.add(NativeNames.decode(list, start, i - start));
        }
        start = i + 1;
      }
    }
    return names;
  }

  @Override
  public void setXattr(Path path, String name, byte[] value, int flags) throws UnionException {
    byte[] v = value == null ? new byte[0] : value;
    check(LIBC.lsetxattr(LongPaths.encode(path), NativeNames.encode(name), v, v.length, flags),
        "lsetxattr " + name, path);
  }

  @Override
  public void removeXattr(Path path, String name) throws UnionException {
    check(LIBC.lremovexattr(LongPaths.encode(path), NativeNames.encode(name)),
        "lremovexattr " + name, path);
  }

  @Override
  public void mkdir(Path path, int mode) throws UnionException {
    check(LIBC.mkdir(LongPaths.encode(path), mode), "mkdir", path);
  }

  @Override
  public void mknod(Path path, int mode, long rdev) throws UnionException {
    check(LIBC.mknod(LongPaths.encode(path), mode, rdev), "mknod", path);
  }

  @Override
  public void symlink(String target, Path link) throws UnionException {
    check(LIBC.symlink(NativeNames.encode(target), LongPaths.encode(link)), "symlink", link);
  }

  @Override
  public String readlink(Path path) throws UnionException {
    byte[] p = LongPaths.encode(path);
    for (int size = 256; size <= READLINK_MAX; size *= 4) {
      byte[] buf = new byte[size];
      long got = LIBC.readlink(p, buf, size);
      if (got < 0) {
        throw Errnos.exception(LinuxAbi.errno(), "readlink", path.toString());
      }
      if (got < size) {
        return NativeNames.decode(buf, 0, (int) got); // == size may be truncated: retry larger
      }
    }
    throw Errnos.exception(Errnos.ENAMETOOLONG, "readlink", path.toString());
  }

  @Override
  public void link(Path existing, Path newLink) throws UnionException {
    check(LIBC.link(LongPaths.encode(existing), LongPaths.encode(newLink)), "link", newLink);
  }

  @Override
  public void rename(Path from, Path to, RenameMode mode) throws UnionException {
    byte[] f = LongPaths.encode(from);
    byte[] t = LongPaths.encode(to);
    switch (mode) {
      case REPLACE:
        check(LIBC.rename(f, t), "rename", from);
        return;
      case NOREPLACE:
        renameat2(f, t, LinuxAbi.RENAME_NOREPLACE, from);
        return;
      case EXCHANGE:
        renameat2(f, t, LinuxAbi.RENAME_EXCHANGE, from);
        return;
      case WHITEOUT:
        renameat2(f, t, LinuxAbi.RENAME_WHITEOUT, from);
        return;
      default:
        throw new IllegalArgumentException("rename mode " + mode);
    }
  }

  private static void renameat2(byte[] from, byte[] to, int flags, Path path)
      throws UnionException {
    int rc;
    try {
      rc = LIBC.renameat2(LinuxAbi.AT_FDCWD, from, LinuxAbi.AT_FDCWD, to, flags);
    } catch (UnsatisfiedLinkError noWrapper) {
      // glibc before 2.28 has no renameat2 wrapper; the system call exists since Linux 3.15.
      rc = (int) LIBC.syscall(LinuxAbi.SYS_RENAMEAT2, LinuxAbi.AT_FDCWD, from, LinuxAbi.AT_FDCWD,
          to, flags);
    }
    check(rc, "renameat2", path);
  }

  @Override
  public void unlink(Path path) throws UnionException {
    check(LIBC.unlink(LongPaths.encode(path)), "unlink", path);
  }

  @Override
  public void rmdir(Path path) throws UnionException {
    check(LIBC.rmdir(LongPaths.encode(path)), "rmdir", path);
  }

  @Override
  public void chmod(Path path, int mode) throws UnionException {
    check(LIBC.chmod(LongPaths.encode(path), mode), "chmod", path);
  }

  @Override
  public void lchown(Path path, int uid, int gid) throws UnionException {
    check(LIBC.lchown(LongPaths.encode(path), uid, gid), "lchown", path);
  }

  @Override
  public void utimens(Path path, long atimeNs, long mtimeNs) throws UnionException {
    long[] times = new long[4];
    putTimespec(times, 0, atimeNs);
    putTimespec(times, 2, mtimeNs);
    check(LIBC.utimensat(LinuxAbi.AT_FDCWD, LongPaths.encode(path), times,
        LinuxAbi.AT_SYMLINK_NOFOLLOW), "utimensat", path);
  }

  private static void putTimespec(long[] times, int at, long ns) {
    if (ns == UTIME_NOW || ns == UTIME_OMIT) {
      times[at] = 0;
      times[at + 1] = ns; // the kernel reads the marker from tv_nsec and ignores tv_sec
    } else {
      times[at] = Math.floorDiv(ns, 1_000_000_000L);
      times[at + 1] = Math.floorMod(ns, 1_000_000_000L);
    }
  }

  @Override
  public void truncate(Path path, long size) throws UnionException {
    check(LIBC.truncate(LongPaths.encode(path), size), "truncate", path);
  }

  @Override
  public void createFile(Path path, int mode) throws UnionException {
    int fd = NativeFile.openRaw(LongPaths.encode(path),
        LinuxAbi.O_WRONLY | LinuxAbi.O_CREAT | LinuxAbi.O_EXCL | LinuxAbi.O_CLOEXEC, mode);
    if (fd < 0) {
      throw Errnos.exception(-fd, "open", path.toString());
    }
    if (LIBC.close(fd) != 0) {
      throw Errnos.exception(LinuxAbi.errno(), "close", path.toString());
    }
  }

  @Override
  public byte[] readSmallFile(Path path, int max) throws UnionException {
    int fd = NativeFile.open(path, LinuxAbi.O_RDONLY | LinuxAbi.O_NOFOLLOW | LinuxAbi.O_CLOEXEC, 0);
    try {
      byte[] buf = new byte[max];
      int done = 0;
      while (done < max) {
        byte[] chunk = new byte[max - done];
        int n = NativeFile.pread(fd, chunk, done);
        if (n == 0) {
          break;
        }
        System.arraycopy(chunk, 0, buf, done, n);
        done += n;
      }
      return java.util.Arrays.copyOf(buf, done);
    } finally {
      NativeFile.close(fd);
    }
  }

  @Override
  public void writeNewFile(Path path, byte[] data, int mode) throws UnionException {
    int fd = NativeFile.open(path, LinuxAbi.O_WRONLY | LinuxAbi.O_CREAT | LinuxAbi.O_EXCL | LinuxAbi.O_CLOEXEC, mode);
    try {
      long done = 0;
      while (done < data.length) {
        long n = LIBC.pwrite(fd, java.util.Arrays.copyOfRange(data, (int) done, data.length), data.length - done, done);
        if (n < 0) {
          int errno = LinuxAbi.errno();
          if (errno != Errnos.EINTR) {
            throw Errnos.exception(errno, "pwrite", path.toString());
          }
          continue;
        }
        done += n;
      }
      NativeFile.fsync(fd, false);
    } finally {
      NativeFile.close(fd);
    }
  }

  @Override
  public void copyFileData(Path from, Path to, boolean sync) throws UnionException {
    FileCopier.copy(from, to, sync);
  }

  @Override
  public void syncDirectory(Path dir) throws UnionException {
    int fd = NativeFile.openRaw(LongPaths.encode(dir),
        LinuxAbi.O_RDONLY | LinuxAbi.O_DIRECTORY | LinuxAbi.O_CLOEXEC, 0);
    if (fd < 0) {
      throw Errnos.exception(-fd, "open", dir.toString());
    }
    int rc = LIBC.fsync(fd);
    int errno = LinuxAbi.errno();
    LIBC.close(fd);
    if (rc != 0) {
      throw Errnos.exception(errno, "fsync", dir.toString());
    }
  }

  private static void check(int rc, String syscall, Path path) throws UnionException {
    if (rc != 0) {
      throw Errnos.exception(LinuxAbi.errno(), syscall, path.toString());
    }
  }
}
