package org.unionfsjava.transport;

import org.unionfsjava.transport.NativeCalls.LibC;
import java.io.IOException;

/** Opening /dev/fuse and cloning a session's descriptor into a new queue. */
public final class FuseDevice {
  private FuseDevice() {}

  public static final String PATH = "/dev/fuse";

  /** Opens /dev/fuse read-write (close-on-exec): the descriptor of a new connection. */
  public static int open() throws IOException {
    int fd = LibC.INSTANCE.open(PATH, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
    if (fd < 0) {
      throw new IOException("cannot open " + PATH + ": errno " + LibC.errno());
    }
    return fd;
  }

  /**
   * A new descriptor on the same connection as {@code sessionFd} (FUSE_DEV_IOC_CLONE): it reads
   * from the same input queue but keeps its own list of requests being processed, so each worker
   * answers on its own descriptor without contending for one lock.
   */
  public static int cloneOf(int sessionFd) throws IOException {
    int fd = open();
    NativeBuffer arg = new NativeBuffer(4);
    arg.buffer.putInt(0, sessionFd);
    if (LibC.INSTANCE.ioctl(fd, Protocol.DEV_IOC_CLONE & 0xffffffffL, arg.address) != 0) {
      int errno = LibC.errno();
      LibC.INSTANCE.close(fd);
      throw new IOException("FUSE_DEV_IOC_CLONE failed: errno " + errno);
    }
    return fd;
  }

  /** Closes a descriptor (0 or the errno). */
  public static int close(int fd) {
    return LibC.INSTANCE.close(fd) == 0 ? 0 : LibC.errno();
  }

}
