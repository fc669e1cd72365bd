package org.unionfsjava.transport;

import org.unionfsjava.transport.NativeCalls.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A mounted FUSE filesystem and its /dev/fuse descriptor: mounted with mount(2) when the process
 * may (root), through fusermount3 otherwise ({@link Fusermount}). {@link #close} unmounts
 * (lazily if busy) and closes the descriptor; a {@link Session} serves the descriptor meanwhile.
 */
public final class FuseMount implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();
  private static final Map<String, Long> GENERIC = Map.of("ro", 1L, "noexec", 8L, "sync", 16L,
      "dirsync", 128L, "noatime", 1024L, "nodiratime", 2048L, "rw", 0L, "nosuid", 0L, "nodev", 0L);

  private final Path mountpoint;
  private final int deviceFd;
  private final boolean byFusermount;
  private boolean mounted = true;
  private boolean closed;

  private FuseMount(Path mountpoint, int deviceFd, boolean byFusermount) {
    this.mountpoint = mountpoint;
    this.deviceFd = deviceFd;
    this.byFusermount = byFusermount;
  }

  /** Mounts with mount(2) as root, through fusermount3 for any other user. */
  public static FuseMount mount(Path mountpoint, MountOptions options) throws IOException {
    return isRoot() ? mountWithKernel(mountpoint, options) : mountWithFusermount(mountpoint, options);
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name")) || "0".equals(uidOfProcess());
  }

  private static String uidOfProcess() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2]; // the effective uid
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot read /proc/self/status", e);
    }
    return "";
  }

  /**
   * Opens /dev/fuse and mounts it with mount(2): source fsname, type fuse.subtype, data
   * "fd=N,rootmode=40000,user_id=U,group_id=G" and the FUSE options. Needs CAP_SYS_ADMIN.
   */
  public static FuseMount mountWithKernel(Path mountpoint, MountOptions options) throws IOException {
    Path target = mountpoint.toAbsolutePath();
    int fd = FuseDevice.open();
    long flags = LibC.MS_NOSUID | LibC.MS_NODEV;
    for (String o : options.extra()) {
      Long bit = GENERIC.get(o);
      if (bit == null) {
        FuseDevice.close(fd);
        throw new IllegalArgumentException("unknown mount option: " + o);
      }
      flags |= bit;
    }
    String uid = uidOfProcess();
    String data = "fd=" + fd + ",rootmode=40000,user_id=" + (uid.isEmpty() ? "0" : uid) + ",group_id=" + gidOfProcess();
    String fuse = options.fuseOptions();
    if (!fuse.isEmpty()) {
      data += "," + fuse;
    }
    if (LibC.INSTANCE.mount(options.fsname(), target.toString(), "fuse." + options.subtype(), flags, data) != 0) {
      int errno = LibC.errno();
      FuseDevice.close(fd);
      throw new IOException("mount(2) of " + target + " failed: errno " + errno + (errno == Errno.EPERM ? " (not root)" : ""));
    }
    LOG.debug("mounted {} with mount(2): {}", target, data);
    return new FuseMount(target, fd, false);
  }

  private static String gidOfProcess() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Gid:")) {
          return line.split("\\s+")[2];
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot read /proc/self/status", e);
    }
    return "0";
  }

  /** Mounts through the set-uid fusermount3, which passes the descriptor back over a socket. */
  public static FuseMount mountWithFusermount(Path mountpoint, MountOptions options) throws IOException {
    Path target = mountpoint.toAbsolutePath();
    int fd = Fusermount.mount(target, options.fusermountOptions());
    return new FuseMount(target, fd, true);
  }

  public Path mountpoint() {
    return mountpoint;
  }

  /** The /dev/fuse descriptor to serve with a {@link Session}. */
  public int deviceFd() {
    return deviceFd;
  }

  public boolean byFusermount() {
    return byFusermount;
  }

  /**
   * The connection's number under /sys/fs/fuse/connections (the minor device number of the
   * mount, from /proc/self/mountinfo, so nothing asks the filesystem), or -1 if not found.
   */
  public long connectionId() {
    try {
      for (String line : new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), java.nio.charset.StandardCharsets.UTF_8).lines().toList()) {
        String[] f = line.split(" ");
        if (f.length > 4 && f[4].equals(mountpoint.toString())) {
          return Long.parseLong(f[2].substring(f[2].indexOf(':') + 1));
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot read /proc/self/mountinfo", e);
    }
    return -1;
  }

  /** Whether /proc/self/mountinfo lists the mountpoint. */
  public boolean listed() {
    return connectionId() >= 0;
  }

  /** Unmounts: umount2 as root (lazily if busy), fusermount3 -u (then -z) otherwise. */
  public synchronized void unmount() throws IOException {
    if (!mounted) {
      return;
    }
    if (byFusermount && !isRoot()) {
      if (Fusermount.unmount(mountpoint, false) != 0 && Fusermount.unmount(mountpoint, true) != 0) {
        throw new IOException("fusermount3 -u " + mountpoint + " failed");
      }
    } else if (LibC.INSTANCE.umount2(mountpoint.toString(), 0) != 0) {
      int errno = LibC.errno();
      if (errno != Errno.EBUSY || LibC.INSTANCE.umount2(mountpoint.toString(), LibC.MNT_DETACH) != 0) {
        throw new IOException("umount2 " + mountpoint + " failed: errno " + (errno == Errno.EBUSY ? LibC.errno() : errno));
      }
      LOG.info("{} was busy: unmounted lazily", mountpoint);
    }
    mounted = false;
  }

  /**
   * Aborts the connection (writes /sys/fs/fuse/connections/N/abort, root only): every waiting
   * request fails with ECONNABORTED, the session's reads end. The last resort for a hung session.
   */
  public boolean abort() {
    long id = connectionId();
    if (id < 0) {
      return false;
    }
    try {
      Files.writeString(Path.of("/sys/fs/fuse/connections/" + id + "/abort"), "1");
      return true;
    } catch (IOException e) {
      LOG.warn("cannot abort FUSE connection {}", id, e);
      return false;
    }
  }

  /** Unmounts (aborting the connection if that fails) and closes the descriptor. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      unmount();
    } catch (IOException e) {
      abort();
      throw e;
    } finally {
      FuseDevice.close(deviceFd);
    }
  }

  /** Unmounts, then waits for the session to end; aborts the connection if it does not. */
  public void closeWith(Session session, long timeout, TimeUnit unit) throws IOException, InterruptedException {
    try {
      unmount();
    } finally {
      if (!session.awaitTermination(timeout, unit)) {
        LOG.warn("session on {} did not end in {} {}: aborting", mountpoint, timeout, unit);
        abort();
      }
      session.close();
      close();
    }
  }

}
