package org.unionfsjava.fs;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.fuse3.FileInfo;
import org.unionfsjava.fs.fuse3.FillDir;
import org.unionfsjava.fs.fuse3.Fuse3Operations;
import org.unionfsjava.fs.fuse3.Fuse3Session;
import org.unionfsjava.fs.fuse3.LibFuse3;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.fs.nativeio.StatLayout;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.Caller;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.NameCharset;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;

/**
 * The libfuse 3 adapter, selected with {@code -Dunionfs.fuse=3} and not yet the default (see
 * {@link FuseLibrary} for why). The same {@link UnionOps} calls as {@link UnionFuse}; what differs
 * is what libfuse 3 lets the union negotiate:
 *
 * <ul>
 *   <li>on request ({@code -Dunionfs.fuse3.threads=multi}), a multi-threaded loop (libfuse 3.13+
 *       has no partial path locking, so the deadlock that
 *       forces {@code -s} on libfuse2 is gone);
 *   <li>FUSE_CAP_POSIX_ACL: the kernel caches and checks ACLs (no getxattr round trip for
 *       system.posix_acl_access on every ls -l);
 *   <li>readdirplus with full attributes (no LOOKUP per listed name);
 *   <li>in fixed lower mode, FOPEN_CACHE_DIR on opendir: repeat listings never reach the daemon.
 *       The kernel drops a cached listing when the directory changes through the mount (it bumps
 *       the inode's version on create, unlink, rename...) or its mtime changes; lowers do not
 *       change in fixed mode.
 * </ul>
 *
 * <p>Lives in this package (not in {@code fs.fuse3}, which holds the binding) because {@link
 * UnionOps} and {@link Barrier} are package-private.
 *
 * <p>Switches for measuring (system properties, default on): {@code unionfs.fuse3.posixAcl},
 * {@code unionfs.fuse3.readdirplus}, {@code unionfs.fuse3.cacheDir}; {@code unionfs.fuse3.threads}
 * = {@code single} runs libfuse's -s loop.
 */
final class UnionFuse3 implements Fuse3Operations, ru.serce.jnrfuse.Mountable {
  private static final Logger LOG = LogManager.getLogger();
  private static final StatLayout STAT = StatLayout.host();
  private static final long UNSET_ID = 0xffffffffL;
  /** As UnionMount's FIXED_KERNEL_TIMEOUT. */
  private static final Duration FIXED_KERNEL_TIMEOUT = Duration.ofHours(1);
  private static final int STATVFS_SIZE = 112;

  private final UnionOps ops;
  private final MountOptions options;
  private final Fuse3Session session;
  private final boolean fixed;
  private final boolean posixAcl = flag("unionfs.fuse3.posixAcl");
  private final boolean readdirplus = flag("unionfs.fuse3.readdirplus");
  private final boolean cacheDir;
  private Path mountPoint;

  UnionFuse3(UnionOps ops, MountOptions options) {
    this.ops = ops;
    this.options = options;
    this.fixed = options.lowerMode() == LowerMode.FIXED;
    this.cacheDir = fixed && flag("unionfs.fuse3.cacheDir");
    this.session = new Fuse3Session(LibFuse3.load(), this, STAT.size());
    session.cacheDirectories(cacheDir);
  }

  private static boolean flag(String name) {
    return !"false".equals(System.getProperty(name, "true"));
  }

  // ---- mounting ----

  /** Mounts and serves; the libfuse2 arguments UnionMount computed are ignored (see {@link #arguments}). */
  @Override
  public void mount(Path mountPoint, boolean blocking, boolean debug, String[] libfuse2Args) {
    this.mountPoint = mountPoint;
    int rc = session.run(arguments(mountPoint, debug));
    if (rc != 0) {
      throw new IllegalStateException("libfuse 3 could not mount or serve " + mountPoint + " (status " + rc + ")");
    }
  }

  /**
   * argv for fuse_main_real: only mount options go on the command line; the library settings
   * (use_ino, timeouts, page cache) are set in {@link #init} instead. libfuse 3 has no
   * big_writes (always on; writes up to max_pages, 1 MiB by default).
   */
  private List<String> arguments(Path mountPoint, boolean debug) {
    List<String> opts = new ArrayList<>();
    opts.add("fsname=unionfs-java");
    opts.add("subtype=unionfs-java");
    opts.add("default_permissions");
    // the worker pool (fuse_main_real of 3.14 warns about an unset value otherwise)
    opts.add("max_threads=" + Integer.getInteger("unionfs.fuse3.maxThreads", 10));
    if (NativeFile.geteuid() == 0) {
      opts.add("allow_other");
      opts.add("dev");
      opts.add("suid");
    }
    List<String> args = new ArrayList<>();
    args.add(mountPoint.toString());
    args.add("-f");
    if (debug) {
      args.add("-d");
    }
    // One request at a time, as on libfuse2, unless -Dunionfs.fuse3.threads=multi (for trying:
    // see FuseLibrary for the ESTALE answers this adapter still gives under racing changes).
    if (!"multi".equals(System.getProperty("unionfs.fuse3.threads"))) {
      args.add("-s");
    }
    args.add("-o");
    args.add(String.join(",", opts));
    for (String extra : options.fuseOptions()) {
      args.add("-o");
      args.add(extra);
    }
    return args;
  }

  @Override
  public void umount() {
    if (mountPoint != null) {
      MountTable.unmount(mountPoint);
    }
  }

  @Override
  public void init(Conn conn, Config cfg) {
    double timeout = fixed ? FIXED_KERNEL_TIMEOUT.toSeconds() : options.cacheTtl().toMillis() / 1000.0;
    cfg.timeouts(timeout, timeout, timeout);
    cfg.useIno(true);
    // A file unlinked while open keeps a hidden name (UnlinkedOpenFiles), as with libfuse2.
    cfg.hardRemove(false);
    // libfuse 3 passes NULL paths to every call with a file handle when nullpath_ok is set
    // (libfuse2 only when there was no path); chmod/chown/utimens on an open file need the path.
    cfg.nullpathOk(false);
    cfg.kernelCache(fixed);
    cfg.autoCache(!fixed);
    // The daemon writes as root (CAP_FSETID): the kernel, not the daemon, must drop suid/sgid
    // on write, truncate and chown, as it does without this capability.
    conn.refuse(Conn.HANDLE_KILLPRIV);
    boolean acl = posixAcl && conn.request(Conn.POSIX_ACL);
    // lookups and listings in one directory may run in parallel (UnionOps is thread-safe)
    conn.request(Conn.PARALLEL_DIROPS);
    if (readdirplus) {
      conn.request(Conn.READDIRPLUS);
      conn.request(Conn.READDIRPLUS_AUTO);
    } else {
      conn.refuse(Conn.READDIRPLUS);
      conn.refuse(Conn.READDIRPLUS_AUTO);
    }
    LOG.info("libfuse 3: want 0x{} of capable 0x{}; posix_acl {}, readdirplus {}, cache_readdir {}, timeouts {} s",
        Integer.toHexString(conn.want()), Integer.toHexString(conn.capable()), acl, readdirplus, cacheDir, timeout);
  }

  @Override
  public void destroy() {
    ops.table().closeAll();
  }

  // ---- helpers ----

  private Caller caller() {
    return new Caller(session.callerUid(), session.callerGid());
  }

  private static UnionPath path(String p) throws UnionException {
    if (p == null) {
      throw new UnionException(Errno.ESTALE, "", "libfuse has no path for this file any more");
    }
    return UnionPath.of(p);
  }

  private static String nameOf(String s) {
    return s == null ? "(null)" : s;
  }

  // ---- operations ----

  @Override
  public int getattr(String path, Pointer stat, FileInfo fi) {
    return Barrier.call("getattr", nameOf(path), () -> {
      STAT.write(fi != null ? ops.fgetattr(fi.fh()) : ops.getattr(path(path)), stat);
      return 0;
    });
  }

  @Override
  public int readlink(String path, Pointer buf, long size) {
    return Barrier.call("readlink", nameOf(path), () -> Replies.linkTarget(ops.readlink(path(path)), buf, size));
  }

  @Override
  public int mknod(String path, int mode, long rdev) {
    return Barrier.call("mknod", nameOf(path), () -> {
      ops.mknod(path(path), mode, rdev, caller());
      return 0;
    });
  }

  @Override
  public int mkdir(String path, int mode) {
    return Barrier.call("mkdir", nameOf(path), () -> {
      ops.mkdir(path(path), mode, caller());
      return 0;
    });
  }

  @Override
  public int unlink(String path) {
    return Barrier.call("unlink", nameOf(path), () -> {
      ops.unlink(path(path));
      return 0;
    });
  }

  @Override
  public int rmdir(String path) {
    return Barrier.call("rmdir", nameOf(path), () -> {
      ops.rmdir(path(path));
      return 0;
    });
  }

  @Override
  public int symlink(String target, String linkPath) {
    return Barrier.call("symlink", nameOf(linkPath), () -> {
      ops.symlink(target, path(linkPath), caller());
      return 0;
    });
  }

  /**
   * rename and renameat2. RENAME_NOREPLACE is checked here, then the plain rename runs: not atomic
   * against a concurrent create of the target (libfuse's path locks do not cover it). RENAME_EXCHANGE and RENAME_WHITEOUT
   * answer EINVAL, which is what callers saw on libfuse2 (the kernel turned its ENOSYS into EINVAL).
   */
  @Override
  public int rename(String from, String to, int flags) {
    return Barrier.call("rename", nameOf(from), () -> {
      if ((flags & ~RENAME_NOREPLACE) != 0) {
        throw new UnionException(Errno.EINVAL, from, "rename flags 0x" + Integer.toHexString(flags) + " not supported");
      }
      UnionPath target = path(to);
      if ((flags & RENAME_NOREPLACE) != 0 && exists(target)) {
        throw new UnionException(Errno.EEXIST, to, "file exists");
      }
      ops.rename(path(from), target);
      return 0;
    });
  }

  private boolean exists(UnionPath p) throws java.io.IOException {
    try {
      ops.getattr(p);
      return true;
    } catch (UnionException e) {
      if (e.errno() == Errno.ENOENT) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public int link(String from, String to) {
    return Barrier.call("link", nameOf(from), () -> {
      ops.link(path(from), path(to));
      return 0;
    });
  }

  @Override
  public int chmod(String path, int mode, FileInfo fi) {
    return Barrier.call("chmod", nameOf(path), () -> {
      ops.chmod(path(path), mode);
      return 0;
    });
  }

  @Override
  public int chown(String path, int uid, int gid, FileInfo fi) {
    return Barrier.call("chown", nameOf(path), () -> {
      ops.chown(path(path), Integer.toUnsignedLong(uid) == UNSET_ID ? -1 : uid,
          Integer.toUnsignedLong(gid) == UNSET_ID ? -1 : gid);
      return 0;
    });
  }

  @Override
  public int truncate(String path, long size, FileInfo fi) {
    return Barrier.call("truncate", nameOf(path), () -> {
      if (fi != null) {
        NativeFile.ftruncate(ops.file(fi.fh()).fd(), size);
      } else {
        ops.truncate(path(path), size);
      }
      return 0;
    });
  }

  @Override
  public int open(String path, FileInfo fi) {
    return Barrier.call("open", nameOf(path), () -> {
      fi.fh(ops.open(path(path), fi.flags()));
      return 0;
    });
  }

  @Override
  public int create(String path, int mode, FileInfo fi) {
    return Barrier.call("create", nameOf(path), () -> {
      fi.fh(ops.create(path(path), mode, fi.flags(), caller()));
      return 0;
    });
  }

  @Override
  public int read(String path, Pointer buf, long size, long offset, FileInfo fi) {
    return Barrier.call("read", nameOf(path), () -> Replies.read(ops, fi.fh(), buf, size, offset));
  }

  @Override
  public int write(String path, Pointer buf, long size, long offset, FileInfo fi) {
    return Barrier.call("write", nameOf(path), () -> NativeFile.pwrite(ops.file(fi.fh()).fd(), buf, size, offset));
  }

  @Override
  public int statfs(String path, Pointer out) {
    return Barrier.call("statfs", nameOf(path), () -> {
      NativeFile.FsStats s = ops.statfs();
      out.setMemory(0, STATVFS_SIZE, (byte) 0);
      out.putLong(0, s.bsize());
      out.putLong(8, s.frsize());
      out.putLong(16, s.blocks());
      out.putLong(24, s.bfree());
      out.putLong(32, s.bavail());
      out.putLong(40, s.files());
      out.putLong(48, s.ffree());
      out.putLong(56, s.ffree());
      out.putLong(80, s.namemax());
      return 0;
    });
  }

  @Override
  public int release(String path, FileInfo fi) {
    return Barrier.call("release", nameOf(path), () -> {
      ops.release(fi.fh());
      return 0;
    });
  }

  @Override
  public int fsync(String path, boolean dataOnly, FileInfo fi) {
    return Barrier.call("fsync", nameOf(path), () -> {
      NativeFile.fsync(ops.file(fi.fh()).fd(), dataOnly);
      return 0;
    });
  }

  @Override
  public int setxattr(String path, String name, Pointer value, long size, int flags) {
    return Barrier.call("setxattr", nameOf(path), () -> {
      byte[] v = new byte[(int) size];
      value.get(0, v, 0, v.length);
      ops.setxattr(path(path), name, v, flags);
      return 0;
    });
  }

  @Override
  public int getxattr(String path, String name, Pointer value, long size) {
    return Barrier.call("getxattr", nameOf(path), () -> Replies.copyOut(ops.getxattr(path(path), name), value, size));
  }

  @Override
  public int listxattr(String path, Pointer list, long size) {
    return Barrier.call("listxattr", nameOf(path), () -> Replies.nameList(ops.listxattr(path(path)), list, size));
  }

  @Override
  public int removexattr(String path, String name) {
    return Barrier.call("removexattr", nameOf(path), () -> {
      ops.removexattr(path(path), name);
      return 0;
    });
  }

  @Override
  public int opendir(String path, FileInfo fi) {
    return Barrier.call("opendir", nameOf(path), () -> {
      fi.fh(ops.opendir(path(path)));
      if (cacheDir) {
        fi.cacheReaddir(); // libfuse 3.16.1+ passes these on; 3.14: Fuse3Session.cacheDirectories
        fi.keepCache(); // without it the kernel drops the cached listing at each open
      }
      return 0;
    });
  }

  @Override
  public int readdir(String path, FillDir filler, long offset, FileInfo fi, boolean plus) {
    return Barrier.call("readdir", nameOf(path), () -> {
      List<DirHandle.Entry> entries = ops.readdir(fi.fh(), offset);
      UnionPath dir = plus ? path(path) : null;
      Pointer st = filler.stat();
      for (int i = (int) offset; i < entries.size(); i++) {
        DirHandle.Entry e = entries.get(i);
        boolean full = false;
        if (plus && !e.name().equals(".") && !e.name().equals("..")) {
          try {
            STAT.write(ops.getattr(dir.child(e.name())), st);
            full = true;
          } catch (UnionException gone) {
            // removed meanwhile: list it without attributes, a lookup will tell
          }
        }
        if (!full) {
          STAT.write(new Stat(0, e.ino(), e.typeBits(), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0), st);
        }
        if (!filler.add(NameCharset.bytes(e.name()), i + 1, full)) {
          break;
        }
      }
      return 0;
    });
  }

  @Override
  public int releasedir(String path, FileInfo fi) {
    return Barrier.call("releasedir", nameOf(path), () -> {
      ops.releasedir(fi.fh());
      return 0;
    });
  }

  @Override
  public int access(String path, int mask) {
    return Barrier.call("access", nameOf(path), () -> {
      ops.access(path(path));
      return 0;
    });
  }

  @Override
  public int utimens(String path, long aSec, long aNsec, long mSec, long mNsec, FileInfo fi) {
    return Barrier.call("utimens", nameOf(path), () -> {
      ops.utimens(path(path), nanos(aSec, aNsec), nanos(mSec, mNsec));
      return 0;
    });
  }

  private static long nanos(long sec, long nsec) {
    if (nsec == BranchIo.UTIME_NOW || nsec == BranchIo.UTIME_OMIT) {
      return nsec;
    }
    return sec * 1_000_000_000L + nsec;
  }

  @Override
  public int fallocate(String path, int mode, long offset, long length, FileInfo fi) {
    return Barrier.call("fallocate", nameOf(path), () -> {
      NativeFile.fallocate(ops.file(fi.fh()).fd(), mode, offset, length);
      return 0;
    });
  }
}
