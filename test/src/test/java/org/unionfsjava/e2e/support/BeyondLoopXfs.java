package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A reflink-capable XFS filesystem for a test: a sparse image file, {@code mkfs.xfs -m reflink=1},
 * a loop device of its own ({@code losetup --find --show}) and a mount. {@link #close()} unmounts
 * (lazily as a fallback) and detaches exactly that loop device; it never throws.
 */
public final class BeyondLoopXfs implements AutoCloseable {
  private static final Duration T = Duration.ofSeconds(60);
  private final Path image;
  private final Path mnt;
  private String loop;

  private BeyondLoopXfs(Path image, Path mnt) {
    this.image = image;
    this.mnt = mnt;
  }

  /** Makes an image of {@code bytes} under {@code dir}, formats and mounts it at {@code dir/xfs}. */
  public static BeyondLoopXfs create(Path dir, long bytes) {
    BeyondLoopXfs x = new BeyondLoopXfs(dir.resolve("xfs.img"), dir.resolve("xfs"));
    try {
      Files.createDirectories(x.mnt);
      Processes.run(T, "truncate", "-s", Long.toString(bytes), x.image.toString()).requireSuccess("truncate");
      Processes.run(T, "mkfs.xfs", "-q", "-m", "reflink=1", x.image.toString()).requireSuccess("mkfs.xfs");
      x.loop = Processes.run(T, "losetup", "--find", "--show", x.image.toString())
          .requireSuccess("losetup").stdout().trim();
      Processes.run(T, "mount", "-t", "xfs", x.loop, x.mnt.toString()).requireSuccess("mount " + x.loop);
      return x;
    } catch (IOException e) {
      x.close();
      throw new UncheckedIOException(e);
    } catch (AssertionError | RuntimeException e) {
      x.close();
      throw e;
    }
  }

  /** Where the filesystem is mounted. */
  public Path mnt() {
    return mnt;
  }

  /** The loop device, such as /dev/loop3. */
  public String device() {
    return loop;
  }

  @Override
  public void close() {
    Mounts.unmountQuietly(mnt);
    if (loop != null && !loop.isEmpty()) {
      Processes.run(T, "losetup", "-d", loop);
      loop = null;
    }
  }
}
