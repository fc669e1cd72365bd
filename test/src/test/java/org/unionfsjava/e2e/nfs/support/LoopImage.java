package org.unionfsjava.e2e.nfs.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.Processes;

/**
 * A filesystem image attached to a loop device and mounted, for lowers with properties a plain
 * directory of the host lacks. {@link #close} unmounts (lazily as a fallback) and detaches the
 * loop device it attached (by its name, never all devices).
 */
public final class LoopImage implements AutoCloseable {
  private final Path mountPoint;
  private String device;

  private LoopImage(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /** True if loop devices can be attached here (root, /dev/loop-control, losetup). */
  public static boolean available() {
    return Files.exists(Path.of("/dev/loop-control")) && Files.isExecutable(Path.of("/usr/sbin/losetup"));
  }

  /**
   * ext4 without the {@code filetype} feature: getdents gives DT_UNKNOWN for every entry, as an
   * NFS client with {@code nordirplus} does; no journal, so it is quick to make.
   */
  public static LoopImage ext4WithoutFileType(Path image, Path mountPoint, int sizeMiB) {
    return make(image, mountPoint, sizeMiB, List.of("mkfs.ext4", "-q", "-F", "-O", "^filetype,^has_journal", "-N", "20000"));
  }

  /** xfs: keeps any number of xattrs on a file, so a list larger than XATTR_LIST_MAX is possible. */
  public static LoopImage xfs(Path image, Path mountPoint, int sizeMiB) {
    return make(image, mountPoint, sizeMiB, List.of("mkfs.xfs", "-q", "-f"));
  }

  private static LoopImage make(Path image, Path mountPoint, int sizeMiB, List<String> mkfs) {
    LoopImage li = new LoopImage(mountPoint);
    try {
      Files.createDirectories(mountPoint);
      Processes.run(Duration.ofSeconds(30), "truncate", "-s", sizeMiB + "M", image.toString()).requireSuccess("truncate");
      List<String> cmd = new ArrayList<>(mkfs);
      cmd.add(image.toString());
      Processes.run(Duration.ofSeconds(60), cmd).requireSuccess(String.join(" ", mkfs));
      li.device = Processes.run(Duration.ofSeconds(30), "losetup", "--find", "--show", image.toString())
          .requireSuccess("losetup --find --show").stdout().strip();
      Processes.run(Duration.ofSeconds(30), "mount", li.device, mountPoint.toString()).requireSuccess("mount " + li.device);
      return li;
    } catch (IOException e) {
      li.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      li.close();
      throw e;
    }
  }

  /** The mounted filesystem's root. */
  public Path dir() {
    return mountPoint;
  }

  /** The loop device (e.g. /dev/loop3), for checks that it is gone after {@link #close}. */
  public String device() {
    return device;
  }

  @Override
  public void close() {
    Mounts.unmountQuietly(mountPoint);
    if (device != null) {
      Processes.run(Duration.ofSeconds(30), "losetup", "-d", device);
      device = null;
    }
  }
}
