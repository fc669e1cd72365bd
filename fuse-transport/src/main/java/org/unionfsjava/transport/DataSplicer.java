package org.unionfsjava.transport;

import org.unionfsjava.transport.NativeCalls.LibC;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Answers READ without copying the data through Java: splice(2) moves the file's pages into a
 * data pipe, the out header is written into a message pipe, the data pipe is spliced behind it,
 * and the message pipe is spliced into the device (the kernel wants a reply whole in one write or
 * splice, header first, and the data's length is only known once it was read). One pair of pipes
 * per worker, each sized for a whole reply; where the pipes cannot grow that far (an ordinary
 * user above /proc/sys/fs/pipe-max-size) the caller reads into its buffer instead.
 */
final class DataSplicer {
  private static final Logger LOG = LogManager.getLogger();
  private static final int PAGE = 4096;

  private final int[] data = new int[2];
  private final int[] message = new int[2];
  private int capacity;
  private final Pointer position = Memory.allocateDirect(LibC.RUNTIME, 8, true);

  private DataSplicer(int capacity) {
    this.capacity = capacity;
  }

  /** Pipes for replies of up to {@code size} data bytes (at least 1 MiB), or an unusable one. */
  static DataSplicer create(int size) {
    int want = Integer.highestOneBit(Math.max(size, 1 << 20) - 1) << 1;
    DataSplicer s = new DataSplicer(want);
    if (!s.open()) {
      s.close();
      return new DataSplicer(0);
    }
    return s;
  }

  private boolean open() {
    LibC c = LibC.INSTANCE;
    if (c.pipe2(data, LibC.O_CLOEXEC) != 0 || c.pipe2(message, LibC.O_CLOEXEC) != 0) {
      return false;
    }
    // the message pipe holds the header's page and every data page
    if (c.fcntl(data[1], LibC.F_SETPIPE_SZ, capacity) < 0
        || c.fcntl(message[1], LibC.F_SETPIPE_SZ, capacity * 2) < 0) {
      LOG.debug("pipes cannot hold {} bytes (errno {}): reads are copied", capacity, LibC.errno());
      return false;
    }
    return true;
  }

  boolean usable(int size) {
    return capacity > 0 && size <= capacity;
  }

  void reply(Request r, int deviceFd, int fileFd, long offset, int size) {
    LibC c = LibC.INSTANCE;
    int n = 0;
    while (n < size) {
      position.putLong(0, offset + n);
      long got = c.splice(fileFd, position, data[1], null, size - n, LibC.SPLICE_F_MOVE);
      if (got < 0) {
        int errno = LibC.errno();
        if (errno == Errno.EINTR) {
          continue;
        }
        if (n == 0) {
          r.sendPrepared(0, -errno);
          return;
        }
        break;
      }
      if (got == 0) {
        break;
      }
      n += (int) got;
    }
    if (n == 0) {
      r.sendPrepared(0, 0);
      return;
    }
    r.putHeader(n, 0);
    if (c.write(message[1], r.out.address, Layout.OutHeader.SIZE) != Layout.OutHeader.SIZE
        || !move(data[0], message[1], n)) {
      reset("filling the message pipe");
      r.sendPrepared(0, -Errno.EIO);
      return;
    }
    long sent = c.splice(message[0], null, deviceFd, null, Layout.OutHeader.SIZE + n, LibC.SPLICE_F_MOVE);
    if (sent != Layout.OutHeader.SIZE + n) {
      int errno = sent < 0 ? LibC.errno() : 0;
      if (errno != Errno.ENOENT) {
        LOG.warn("spliced reply to READ #{}: {} of {} bytes, errno {}", r.unique(), sent, n + 16, errno);
      }
      reset("after a failed splice into the device");
    }
  }

  private boolean move(int from, int to, int n) {
    int moved = 0;
    while (moved < n) {
      long m = LibC.INSTANCE.splice(from, null, to, null, n - moved, LibC.SPLICE_F_MOVE);
      if (m <= 0) {
        return false;
      }
      moved += (int) m;
    }
    return true;
  }

  /** Pipes with bytes left in them are useless: open new ones. */
  private void reset(String why) {
    LOG.debug("new splice pipes {}", why);
    close();
    if (!open()) {
      close();
      capacity = 0;
    }
  }

  void close() {
    for (int[] p : new int[][] {data, message}) {
      for (int i = 0; i < 2; i++) {
        if (p[i] > 0) {
          LibC.INSTANCE.close(p[i]);
          p[i] = -1;
        }
      }
    }
  }
}
