package org.unionfsjava.transport;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.unionfsjava.transport.NativeCalls.LibC;

/**
 * The backing files of a passthrough session: files registered with the kernel
 * (FUSE_DEV_IOC_BACKING_OPEN) under an id that an OPEN reply names with FOPEN_PASSTHROUGH, and
 * dropped again (FUSE_DEV_IOC_BACKING_CLOSE).
 */
public final class BackingFiles {
  private final int deviceFd;
  private final NativeBuffer backingMap = new NativeBuffer(Layout.BackingMap.SIZE);

  BackingFiles(int deviceFd) {
    this.deviceFd = deviceFd;
  }

  /**
   * Registers an open file as a backing file (FUSE_DEV_IOC_BACKING_OPEN): a positive backing id
   * for {@link Request#replyOpenPassthrough}, or a negative errno: EPERM without CAP_SYS_ADMIN in
   * the initial user namespace, EOPNOTSUPP when INIT did not agree on passthrough, ELOOP when the
   * file's filesystem is stacked max_stack_depth deep or deeper, EINVAL for a file that is not
   * regular. The kernel holds its own reference: the caller may close {@code fd} afterwards.
   */
  public synchronized int open(int fd) {
    ByteBuffer m = backingMap.buffer;
    m.putInt(Layout.BackingMap.FD, fd);
    m.putInt(Layout.BackingMap.FLAGS, 0);
    m.putLong(8, 0);
    int id = LibC.INSTANCE.ioctl(deviceFd, Protocol.DEV_IOC_BACKING_OPEN & 0xffffffffL, backingMap.address);
    return id >= 0 ? id : -LibC.errno();
  }

  /** Opens {@code path} (read-only or read-write) and registers it; see {@link #open(int)}. */
  public int open(Path path, boolean writable) {
    int fd = LibC.INSTANCE.open(path.toString(), (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC, 0);
    if (fd < 0) {
      return -LibC.errno();
    }
    try {
      return open(fd);
    } finally {
      LibC.INSTANCE.close(fd);
    }
  }

  /** Drops a backing id (FUSE_DEV_IOC_BACKING_CLOSE); 0 or a negative errno. */
  public synchronized int close(int backingId) {
    ByteBuffer m = backingMap.buffer;
    m.putInt(0, backingId);
    int rc = LibC.INSTANCE.ioctl(deviceFd, Protocol.DEV_IOC_BACKING_CLOSE & 0xffffffffL, backingMap.address);
    return rc >= 0 ? 0 : -LibC.errno();
  }
}
