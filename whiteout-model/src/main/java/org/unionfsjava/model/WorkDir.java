package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The union's private directory on the upper's filesystem. Copy-ups and atomic replacements are
 * prepared here under temporary names and renamed into place, so a crash leaves at most a
 * stale temporary here, never a partial object in the union; {@link #clean()} removes them at
 * mount. The union never shows this directory (when it lies inside the upper it is an internal
 * name of the upper's root).
 */
public final class WorkDir {
  private static final Logger LOG = LogManager.getLogger();
  private static final String TEMP_DIR = "tmp";
  private static final String INDEX_DIR = "index";

  private final BranchIo io;
  private final Path dir;
  private final Path temps;
  private final String prefix;
  private final AtomicLong counter = new AtomicLong();

  /** A work directory at {@code dir}; call {@link #prepare()} before use. */
  public WorkDir(BranchIo io, Path dir) {
    this.io = io;
    this.dir = dir;
    this.temps = dir.resolve(TEMP_DIR);
    this.prefix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL) + "-";
  }

  /** The directory itself. */
  public Path path() {
    return dir;
  }

  /** Creates the directory (mode 0700) and its temp area if missing, and empties the temp area. */
  public void prepare() throws IOException {
    ensureDir(dir);
    ensureDir(temps);
    ensureDir(dir.resolve(INDEX_DIR));
    clean();
  }

  private void ensureDir(Path p) throws IOException {
    Stat st = io.lstat(p);
    if (st == null) {
      io.mkdir(p, 0700);
    } else if (!st.isDirectory()) {
      throw new UnionException(Errno.ENOTDIR, p.toString(), "the work directory is not a directory");
    }
  }

  /** Removes every leftover temporary (from a crash); returns how many there were. */
  public int clean() throws IOException {
    int n = 0;
    for (DirEntry e : io.list(temps)) {
      removeTree(temps.resolve(e.name()));
      n++;
    }
    if (n > 0) {
      LOG.info("removed {} stale temporaries from {}", n, temps);
    }
    return n;
  }

  /** The hard-link index ({@link HardLinkIndex}); kept across mounts. */
  public Path indexDir() {
    return dir.resolve(INDEX_DIR);
  }

  /** A fresh temporary name in the work directory (nothing is created). */
  public Path newTempPath() {
    return temps.resolve(prefix + counter.incrementAndGet());
  }

  /** Removes a file or a directory tree inside the work directory, never following symlinks. */
  /**
   * Removes a temporary left by a change that is already complete in the union (an upper
   * directory swapped out for a whiteout, a replaced target moved aside). Best effort: the change
   * stands whatever happens here, so a failure is logged and the next mount, which empties the
   * temporary area, finishes the job.
   */
  public void discard(Path p) {
    try {
      removeTree(p);
    } catch (IOException e) {
      LOG.warn("could not remove {} from the work directory ({}); it goes at the next mount", p, e.getMessage());
    }
  }

  /**
   * Removes a temporary that is already out of the union and throws what went wrong: for the
   * clean-up of a change that failed (add what it throws to the change's own error as suppressed).
   */
  public void removeTree(Path p) throws IOException {
    if (!p.normalize().startsWith(dir)) {
      throw new IllegalArgumentException("refusing to remove outside the work directory: " + p);
    }
    Stat st = io.lstat(p);
    if (st == null) {
      return;
    }
    if (st.isDirectory()) {
      for (DirEntry e : io.list(p)) {
        removeTree(p.resolve(e.name()));
      }
      io.rmdir(p);
    } else {
      io.unlink(p);
    }
  }
}
