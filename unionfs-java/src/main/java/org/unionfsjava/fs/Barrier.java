package org.unionfsjava.fs;

import java.io.IOException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.nativeio.Errnos;
import org.unionfsjava.fs.nativeio.LongPaths;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.ErrnoMapper;

/**
 * The one place where errors become FUSE answers. Every callback runs its body through {@link
 * #call}: a {@code UnionException} or other {@code IOException} becomes its negative errno, and
 * anything else (a bug) is logged and answered with -EIO, because an exception that escaped a
 * jnr-fuse callback would turn into a bogus success.
 */
final class Barrier {
  private static final Logger LOG = LogManager.getLogger();

  /** A callback body: returns a non-negative result. */
  @FunctionalInterface
  interface Body {
    int run() throws IOException;
  }

  private Barrier() {}

  /** Runs a callback body; returns its result or a negative errno. */
  static int call(String op, String path, Body body) {
    try {
      return body.run();
    } catch (IOException e) {
      Errno errno = ErrnoMapper.of(e);
      if (errno == Errno.EIO) {
        LOG.warn("{} {} -> EIO", op, path, e);
      } else if (LOG.isDebugEnabled()) {
        LOG.debug("{} {} -> {} ({})", op, path, errno, e.getMessage());
      }
      return -Errnos.toLinux(errno);
    } catch (Throwable t) {
      LOG.error("{} {} failed unexpectedly", op, path, t);
      return -Errnos.toLinux(Errno.EIO);
    } finally {
      LongPaths.releaseHeld(); // descriptors opened for paths over PATH_MAX in this request
    }
  }
}
