package org.unionfsjava.lifecycle;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;
import org.unionfsjava.fs.nativeio.NativeNames;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;

/** The libc calls of {@link ToolLibc}, with errors as {@link UnionException}s. */
public final class ToolCalls {
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 02000000;
  private static final int AT_FDCWD = -100;
  private static final int MAX_HANDLE_SZ = 128;
  /** _IOR(0x15, 0, struct fsuuid2): struct fsuuid2 { __u8 len; __u8 uuid[16]; }. */
  private static final long FS_IOC_GETFSUUID = 0x80111500L;

  private ToolCalls() {}

  private static final class Holder {
    static final ToolLibc LIBC = LibraryLoader.create(ToolLibc.class)
        .option(LibraryOption.SaveError, Boolean.TRUE).load("c");
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
  }

  private static int errno() {
    return Holder.RUNTIME.getLastError();
  }

  private static int openPath(Path p, int flags) throws UnionException {
    int fd = Holder.LIBC.open(NativeNames.encode(p), flags | O_CLOEXEC, 0);
    if (fd < 0) {
      throw exception("open", p);
    }
    return fd;
  }

  private static UnionException exception(String call, Path p) {
    int e = errno();
    Errno name = e == 2 ? Errno.ENOENT : e == 1 ? Errno.EPERM : e == 13 ? Errno.EACCES
        : e == 95 ? Errno.ENOTSUP : e == 22 ? Errno.EINVAL : e == 25 ? Errno.ENOTSUP : Errno.EIO;
    return new UnionException(name, p.toString(), call + " failed (errno " + e + ")");
  }

  /** syncfs(2) of the filesystem that holds {@code p}: everything written there is on disk. */
  public static void syncFilesystem(Path p) throws UnionException {
    int fd = openPath(p, O_RDONLY);
    try {
      if (Holder.LIBC.syncfs(fd) != 0) {
        throw exception("syncfs", p);
      }
    } finally {
      Holder.LIBC.close(fd);
    }
  }

  /** True if the descriptor is a terminal. */
  public static boolean isTerminal(int fd) {
    try {
      return Holder.LIBC.isatty(fd) == 1;
    } catch (LinkageError e) {
      return false;
    }
  }

  /** A file handle as the kernel exports it: its type and its bytes. */
  public record FileHandle(int type, byte[] bytes) {}

  /** name_to_handle_at(2) of {@code p}, not following a symlink. */
  public static FileHandle handleOf(Path p) throws UnionException {
    byte[] buf = new byte[8 + MAX_HANDLE_SZ];
    ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).putInt(0, MAX_HANDLE_SZ);
    int[] mountId = new int[1];
    if (Holder.LIBC.name_to_handle_at(AT_FDCWD, NativeNames.encode(p), buf, mountId, 0) != 0) {
      throw exception("name_to_handle_at", p);
    }
    ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
    int size = b.getInt(0);
    int type = b.getInt(4);
    return new FileHandle(type, Arrays.copyOfRange(buf, 8, 8 + size));
  }

  /** The UUID of the filesystem that holds {@code p} (FS_IOC_GETFSUUID); 16 zero bytes if it has none. */
  public static byte[] filesystemUuid(Path p) throws UnionException {
    int fd = openPath(p, O_RDONLY);
    try {
      byte[] arg = new byte[17];
      if (Holder.LIBC.ioctl(fd, FS_IOC_GETFSUUID, arg) != 0) {
        return new byte[16];
      }
      byte[] uuid = new byte[16];
      System.arraycopy(arg, 1, uuid, 0, Math.min(16, arg[0] & 0xff));
      return uuid;
    } finally {
      Holder.LIBC.close(fd);
    }
  }
}
