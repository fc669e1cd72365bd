package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A small tmpfs mounted on a directory for the life of a test (for an upper that fills up or goes
 * read-only). {@link #close()} unmounts it, lazily if it is still busy; close it after the union
 * that uses it.
 */
public final class RelTmpfs implements AutoCloseable {
  private final Path dir;

  private RelTmpfs(Path dir) {
    this.dir = dir;
  }

  /** {@code mount -t tmpfs -o OPTIONS tmpfs DIR} (e.g. "size=16m" or "size=16m,nr_inodes=64"). */
  public static RelTmpfs mount(Path dir, String options) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Processes.run(Duration.ofSeconds(30), "mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString())
        .requireSuccess("mount tmpfs on " + dir);
    return new RelTmpfs(dir);
  }

  public Path dir() {
    return dir;
  }

  /**
   * {@code mount -o remount,OPTS DIR}, retried for a few seconds while it answers busy (a
   * read-only remount is refused while a file is open for writing, and FUSE releases files
   * asynchronously after close). Returns the last result.
   */
  public Processes.Result remount(String opts) {
    Processes.Result r = null;
    for (int i = 0; i < 50; i++) {
      r = Processes.run(Duration.ofSeconds(30), "mount", "-o", "remount," + opts, dir.toString());
      if (r.exit() == 0) {
        return r;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return r;
  }

  /** Bytes in use on the filesystem. */
  public long usedBytes() {
    try {
      FileStore fs = Files.getFileStore(dir);
      return fs.getTotalSpace() - fs.getUnallocatedSpace();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes free on the filesystem. */
  public long freeBytes() {
    try {
      return Files.getFileStore(dir).getUnallocatedSpace();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    Mounts.unmountQuietly(dir);
  }
}
