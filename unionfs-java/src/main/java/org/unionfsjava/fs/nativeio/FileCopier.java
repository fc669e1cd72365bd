package org.unionfsjava.fs.nativeio;

import static org.unionfsjava.fs.nativeio.LinuxAbi.LIBC;

import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.model.UnionException;

/**
 * The data part of copy-up: copies a regular file into a new file, cheapest way first.
 *
 * <p>Order: (1) ioctl FICLONE, a reflink that shares extents (btrfs, xfs; ext4 and tmpfs refuse);
 * (2) per data segment found with lseek SEEK_DATA/SEEK_HOLE, copy_file_range (in-kernel, no
 * user-space copy; may itself reflink); (3) if copy_file_range is refused, pread/pwrite through a
 * 1 MiB native buffer. Holes are skipped and the target is finally ftruncated to the source size,
 * so holes (also a trailing one) stay holes. Any failure removes the target: the caller never sees
 * a partial copy. The target is created with O_EXCL, so an existing file is never overwritten or
 * removed.
 */
final class FileCopier {

  private static final Logger LOG = LogManager.getLogger();

  /** Largest single copy_file_range request (the kernel caps it near 2 GiB anyway). */
  private static final long CHUNK = 1L << 30;
  private static final int BOUNCE_SIZE = 1 << 20;

  private final Path from;
  private final Path to;
  private final boolean useReflink;
  private boolean useCopyFileRange;
  private Pointer bounce;

  private FileCopier(Path from, Path to, boolean kernelCopy) {
    this.from = from;
    this.to = to;
    this.useReflink = kernelCopy;
    this.useCopyFileRange = kernelCopy;
  }

  /** Copies {@code from} into the new file {@code to} (mode 0600), fsyncing it if {@code sync}. */
  static void copy(Path from, Path to, boolean sync) throws UnionException {
    new FileCopier(from, to, true).run(sync);
  }

  /**
   * As {@link #copy}, but with {@code kernelCopy} false goes straight to the pread/pwrite
   * fallback (tests use it to cover the path that filesystems without copy_file_range take).
   */
  static void copy(Path from, Path to, boolean sync, boolean kernelCopy) throws UnionException {
    new FileCopier(from, to, kernelCopy).run(sync);
  }

  private void run(boolean sync) throws UnionException {
    int in = NativeFile.openRaw(LongPaths.encode(from),
        LinuxAbi.O_RDONLY | LinuxAbi.O_CLOEXEC | LinuxAbi.O_NOFOLLOW, 0);
    if (in < 0) {
      throw Errnos.exception(-in, "open", from.toString());
    }
    byte[] toBytes = LongPaths.encode(to);
    int out = -1;
    try {
      long size = NativeFile.fstat(in).size();
      out = NativeFile.openRaw(toBytes,
          LinuxAbi.O_WRONLY | LinuxAbi.O_CREAT | LinuxAbi.O_EXCL | LinuxAbi.O_CLOEXEC, 0600);
      if (out < 0) {
        throw Errnos.exception(-out, "open", to.toString()); // not ours: never unlink it
      }
      try {
        boolean cloned = reflink(in, out);
        if (!cloned) {
          copySegments(in, out, size);
          truncate(out, size);
        }
        // A clone writes no data: its extents are the lower's, already on disk, and the
        // filesystem's journal (xfs, btrfs) commits the clone before the later rename that
        // publishes it. Kernel overlayfs skips the fsync after a clone for the same reason
        // (ovl_copy_up_file); an fsync here cost a synchronous log write per copy-up.
        if (sync && !cloned) {
          NativeFile.fsync(out, false);
        }
      } catch (UnionException | RuntimeException | Error e) {
        LIBC.close(out);
        out = -1;
        removeTarget(toBytes);
        throw e;
      }
      int fd = out;
      out = -1;
      if (LIBC.close(fd) != 0) {
        int errno = LinuxAbi.errno();
        removeTarget(toBytes);
        throw Errnos.exception(errno, "close", to.toString());
      }
    } finally {
      LIBC.close(in);
    }
  }

  private boolean reflink(int in, int out) {
    if (!useReflink) {
      return false;
    }
    if (LIBC.ioctl(out, LinuxAbi.FICLONE, in) == 0) {
      return true;
    }
    // EOPNOTSUPP/EXDEV/EINVAL/ENOTTY on filesystems without reflink: the ordinary copy follows,
    // and it reports any real error (ENOSPC, EIO) itself.
    LOG.trace("FICLONE {} -> {}: {}", from, to, Errnos.describe(LinuxAbi.errno()));
    return false;
  }

  private void copySegments(int in, int out, long size) throws UnionException {
    long pos = 0;
    while (pos < size) {
      long data = LIBC.lseek(in, pos, LinuxAbi.SEEK_DATA);
      if (data < 0) {
        int errno = LinuxAbi.errno();
        if (errno == Errnos.ENXIO) {
          return; // only a hole is left; the final ftruncate makes it
        }
        if (errno != Errnos.EINVAL && errno != Errnos.EOPNOTSUPP) {
          throw Errnos.exception(errno, "lseek(SEEK_DATA)", from.toString());
        }
        copyRange(in, out, pos, size - pos); // no SEEK_DATA: all of it is data
        return;
      }
      long hole = LIBC.lseek(in, data, LinuxAbi.SEEK_HOLE);
      if (hole < 0) {
        hole = size;
      }
      long end = Math.min(hole, size);
      if (end > data) {
        copyRange(in, out, data, end - data);
      }
      pos = Math.max(end, data + 1);
    }
  }

  private void copyRange(int in, int out, long offset, long length) throws UnionException {
    long[] inOffset = {offset};
    long[] outOffset = {offset};
    long remaining = length;
    while (remaining > 0 && useCopyFileRange) {
      long n = LIBC.copy_file_range(in, inOffset, out, outOffset, Math.min(remaining, CHUNK), 0);
      if (n > 0) {
        remaining -= n;
      } else if (n == 0) {
        return; // the source got shorter while we copied: nothing more to read
      } else {
        int errno = LinuxAbi.errno();
        if (errno == Errnos.EXDEV || errno == Errnos.ENOSYS || errno == Errnos.EOPNOTSUPP
            || errno == Errnos.EINVAL) {
          LOG.debug("copy_file_range {} -> {}: {}; copying through user space", from, to,
              Errnos.describe(errno));
          useCopyFileRange = false;
        } else if (errno != Errnos.EINTR) {
          throw Errnos.exception(errno, "copy_file_range", to.toString());
        }
      }
    }
    long pos = inOffset[0];
    while (remaining > 0) {
      if (bounce == null) {
        bounce = Memory.allocateDirect(LinuxAbi.RUNTIME, BOUNCE_SIZE);
      }
      int n = readSource(in, pos, (int) Math.min(remaining, BOUNCE_SIZE));
      if (n == 0) {
        return;
      }
      writeTarget(out, n, pos);
      pos += n;
      remaining -= n;
    }
  }

  private int readSource(int in, long pos, int length) throws UnionException {
    try {
      return NativeFile.pread(in, bounce, length, pos);
    } catch (UnionException e) {
      throw new UnionException(e.errno(), from.toString(), "pread", e);
    }
  }

  private void writeTarget(int out, int length, long pos) throws UnionException {
    try {
      NativeFile.pwrite(out, bounce, length, pos);
    } catch (UnionException e) {
      throw new UnionException(e.errno(), to.toString(), "pwrite", e);
    }
  }

  private void truncate(int out, long size) throws UnionException {
    if (LIBC.ftruncate(out, size) != 0) {
      throw Errnos.exception(LinuxAbi.errno(), "ftruncate", to.toString());
    }
  }

  private void removeTarget(byte[] toBytes) {
    if (LIBC.unlink(toBytes) != 0) {
      LOG.warn("could not remove partial copy {}: {}", to, Errnos.describe(LinuxAbi.errno()));
    }
  }
}
