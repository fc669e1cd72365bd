package org.unionfsjava.fs.fuse3;

import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.provider.ClosureManager;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.model.NameCharset;

/**
 * One libfuse 3 mount: fills a native {@code struct fuse_operations} with jnr-ffi closures that
 * decode their arguments and call a {@link Fuse3Operations}, then runs {@code fuse_main_real}
 * (mount, multi-threaded loop, unmount) on the calling thread.
 *
 * <p>Every closure catches what the filesystem throws: an exception escaping a jnr-ffi upcall
 * would return garbage to libfuse.
 */
public final class Fuse3Session {
  private static final Logger LOG = LogManager.getLogger();
  private static final int EIO = 5;

  private final LibFuse3 lib;
  private final Fuse3Operations fs;
  private final int statSize;
  private final Runtime runtime = Runtime.getSystemRuntime();
  /** The closures and their native stubs, reachable for as long as the session lives. */
  private final List<Object> keepAlive = new ArrayList<>();
  private volatile Pointer fuse;
  private volatile boolean cacheDirs;
  private String mountPoint;

  public Fuse3Session(LibFuse3 lib, Fuse3Operations fs, int statSize) {
    this.lib = lib;
    this.fs = fs;
    this.statSize = statSize;
  }

  /**
   * Asks the kernel to cache every directory listing (FOPEN_CACHE_DIR with FOPEN_KEEP_CACHE on
   * each opendir); call before {@link #run}. Only for trees that change through this mount alone:
   * the kernel drops a cached listing when the directory changes through the mount or its mtime
   * changes, never for a change made beneath the filesystem.
   *
   * <p>libfuse before 3.16.1 ignores {@code cache_readdir} and {@code keep_cache} set by a
   * high-level opendir (fixed by libfuse PR #822). On 3.14 (Debian 12) the session's low-level
   * opendir is wrapped at init to set the two bits itself; this reaches into libfuse's private
   * {@code struct fuse_session} and is checked against the mount point before anything is written.
   */
  public void cacheDirectories(boolean on) {
    cacheDirs = on;
  }

  /** The calling request's uid and gid (inside a callback only). */
  public int callerUid() {
    return lib.fuse_get_context().getInt(Fuse3Abi.CTX_UID);
  }

  public int callerGid() {
    return lib.fuse_get_context().getInt(Fuse3Abi.CTX_GID);
  }

  /**
   * Drops a path's dentry and attributes from the kernel (for changes the kernel did not see).
   * Returns 0 or a negative errno; -ENOENT if the kernel had nothing cached.
   */
  public int invalidatePath(String path) {
    Pointer f = fuse;
    if (f == null) {
      return -EIO;
    }
    return lib.fuse_invalidate_path(f, cString(path));
  }

  private Pointer cString(String s) {
    byte[] b = NameCharset.bytes(s);
    Pointer m = Memory.allocateDirect(runtime, b.length + 1, true);
    m.put(0, b, 0, b.length);
    return m;
  }

  static String str(Pointer p) {
    if (p == null || p.address() == 0) {
      return null;
    }
    int len = p.indexOf(0, (byte) 0);
    byte[] b = new byte[len];
    p.get(0, b, 0, len);
    return NameCharset.string(b);
  }

  /**
   * Mounts and serves until unmounted; returns fuse_main_real's status (0 after a clean
   * unmount). {@code args} are argv[1..]: the mount point, {@code -f}, {@code -o ...}.
   */
  public int run(List<String> args) {
    Pointer ops = buildOperations();
    List<String> argv = new ArrayList<>();
    argv.add("unionfs-java");
    argv.addAll(args);
    mountPoint = args.get(0);
    Pointer array = Memory.allocateDirect(runtime, 8L * (argv.size() + 1), true);
    for (int i = 0; i < argv.size(); i++) {
      Pointer s = cString(argv.get(i));
      keepAlive.add(s);
      array.putPointer(8L * i, s);
    }
    array.putAddress(8L * argv.size(), 0L);
    LOG.info("libfuse {} with {}", lib.fuse_version(), argv);
    return lib.fuse_main_real(argv.size(), array, ops, Fuse3Abi.OPS_SIZE, null);
  }

  private static final com.kenai.jffi.CallContext LL_OPENDIR_CALL = com.kenai.jffi.CallContextCache.getInstance()
      .getCallContext(com.kenai.jffi.Type.VOID, new com.kenai.jffi.Type[] {com.kenai.jffi.Type.POINTER,
          com.kenai.jffi.Type.UINT64, com.kenai.jffi.Type.POINTER}, com.kenai.jffi.CallingConvention.DEFAULT);

  private void wrapLowLevelOpendir() {
    int version = lib.fuse_version();
    if (version >= 317) {
      return; // the high-level API passes cache_readdir on
    }
    if (version != 314) {
      LOG.warn("libfuse {}: directory listings are not cached (needs 3.14 for the workaround, or 3.16.1+)", version);
      return;
    }
    Pointer se = lib.fuse_get_session(fuse);
    String seMount = se == null ? null : str(se.getPointer(Fuse3Abi.SE_MOUNTPOINT));
    if (seMount == null || !seMount.equals(mountPoint)) {
      LOG.warn("libfuse's session does not look like 3.14's (mount point {}): directory listings are not cached", seMount);
      return;
    }
    long at = Fuse3Abi.SE_OPS + 8L * Fuse3Abi.LL_OPENDIR;
    long original = se.getAddress(at);
    int bits = Fuse3Abi.FI_KEEP_CACHE | Fuse3Abi.FI_CACHE_READDIR;
    Fuse3Callbacks.LowLevelOpendir wrapper = (req, ino, fi) -> {
      // the high-level opendir fills a copy of fi and replies with this one: set the bits first
      fi.putInt(Fuse3Abi.FI_BITS, fi.getInt(Fuse3Abi.FI_BITS) | bits);
      com.kenai.jffi.Invoker.getInstance().invokeN3(LL_OPENDIR_CALL, original, req.address(), ino, fi.address());
    };
    Pointer stub = runtime.getClosureManager().getClosurePointer(Fuse3Callbacks.LowLevelOpendir.class, wrapper);
    keepAlive.add(wrapper);
    keepAlive.add(stub);
    se.putAddress(at, stub.address());
    LOG.info("libfuse 3.14: every opendir asks the kernel to cache the listing");
  }

  private <T> void slot(Pointer ops, int index, Class<T> type, T callback) {
    ClosureManager cm = runtime.getClosureManager();
    Pointer stub = cm.getClosurePointer(type, callback);
    keepAlive.add(callback);
    keepAlive.add(stub);
    ops.putPointer(8L * index, stub);
  }

  private interface Call {
    int run() throws Exception;
  }

  private static int guard(String op, Call body) {
    try {
      return body.run();
    } catch (Throwable t) {
      LOG.error("fuse3 {} failed unexpectedly", op, t);
      return -EIO;
    }
  }

  private Pointer buildOperations() {
    Pointer ops = Memory.allocateDirect(runtime, Fuse3Abi.OPS_SIZE, true);
    keepAlive.add(ops);
    Fuse3Operations f = fs;
    slot(ops, Fuse3Abi.OP_GETATTR, Fuse3Callbacks.Getattr.class,
        (path, st, fi) -> guard("getattr", () -> f.getattr(str(path), st, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_READLINK, Fuse3Callbacks.Readlink.class,
        (path, buf, size) -> guard("readlink", () -> f.readlink(str(path), buf, size)));
    slot(ops, Fuse3Abi.OP_MKNOD, Fuse3Callbacks.Mknod.class,
        (path, mode, rdev) -> guard("mknod", () -> f.mknod(str(path), mode, rdev)));
    slot(ops, Fuse3Abi.OP_MKDIR, Fuse3Callbacks.Mkdir.class,
        (path, mode) -> guard("mkdir", () -> f.mkdir(str(path), mode)));
    slot(ops, Fuse3Abi.OP_UNLINK, Fuse3Callbacks.PathOnly.class,
        path -> guard("unlink", () -> f.unlink(str(path))));
    slot(ops, Fuse3Abi.OP_RMDIR, Fuse3Callbacks.PathOnly.class,
        path -> guard("rmdir", () -> f.rmdir(str(path))));
    slot(ops, Fuse3Abi.OP_SYMLINK, Fuse3Callbacks.TwoPaths.class,
        (target, link) -> guard("symlink", () -> f.symlink(str(target), str(link))));
    slot(ops, Fuse3Abi.OP_RENAME, Fuse3Callbacks.Rename.class,
        (from, to, flags) -> guard("rename", () -> f.rename(str(from), str(to), flags)));
    slot(ops, Fuse3Abi.OP_LINK, Fuse3Callbacks.TwoPaths.class,
        (from, to) -> guard("link", () -> f.link(str(from), str(to))));
    slot(ops, Fuse3Abi.OP_CHMOD, Fuse3Callbacks.Chmod.class,
        (path, mode, fi) -> guard("chmod", () -> f.chmod(str(path), mode, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_CHOWN, Fuse3Callbacks.Chown.class,
        (path, uid, gid, fi) -> guard("chown", () -> f.chown(str(path), uid, gid, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_TRUNCATE, Fuse3Callbacks.Truncate.class,
        (path, size, fi) -> guard("truncate", () -> f.truncate(str(path), size, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_OPEN, Fuse3Callbacks.PathFi.class,
        (path, fi) -> guard("open", () -> f.open(str(path), FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_READ, Fuse3Callbacks.ReadWrite.class,
        (path, buf, size, off, fi) -> guard("read", () -> f.read(str(path), buf, size, off, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_WRITE, Fuse3Callbacks.ReadWrite.class,
        (path, buf, size, off, fi) -> guard("write", () -> f.write(str(path), buf, size, off, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_STATFS, Fuse3Callbacks.Statfs.class,
        (path, out) -> guard("statfs", () -> f.statfs(str(path), out)));
    slot(ops, Fuse3Abi.OP_RELEASE, Fuse3Callbacks.PathFi.class,
        (path, fi) -> guard("release", () -> f.release(str(path), FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_FSYNC, Fuse3Callbacks.Fsync.class,
        (path, datasync, fi) -> guard("fsync", () -> f.fsync(str(path), datasync != 0, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_SETXATTR, Fuse3Callbacks.Setxattr.class,
        (path, name, value, size, flags) -> guard("setxattr", () -> f.setxattr(str(path), str(name), value, size, flags)));
    slot(ops, Fuse3Abi.OP_GETXATTR, Fuse3Callbacks.Getxattr.class,
        (path, name, value, size) -> guard("getxattr", () -> f.getxattr(str(path), str(name), value, size)));
    slot(ops, Fuse3Abi.OP_LISTXATTR, Fuse3Callbacks.Listxattr.class,
        (path, list, size) -> guard("listxattr", () -> f.listxattr(str(path), list, size)));
    slot(ops, Fuse3Abi.OP_REMOVEXATTR, Fuse3Callbacks.Removexattr.class,
        (path, name) -> guard("removexattr", () -> f.removexattr(str(path), str(name))));
    slot(ops, Fuse3Abi.OP_OPENDIR, Fuse3Callbacks.PathFi.class,
        (path, fi) -> guard("opendir", () -> f.opendir(str(path), FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_READDIR, Fuse3Callbacks.Readdir.class,
        (path, buf, filler, off, fi, flags) -> guard("readdir", () -> f.readdir(str(path),
            new FillDir(filler, buf, statSize), off, FileInfo.of(fi), (flags & Fuse3Abi.READDIR_PLUS) != 0)));
    slot(ops, Fuse3Abi.OP_RELEASEDIR, Fuse3Callbacks.PathFi.class,
        (path, fi) -> guard("releasedir", () -> f.releasedir(str(path), FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_INIT, Fuse3Callbacks.Init.class, (conn, cfg) -> {
      try {
        fuse = lib.fuse_get_context().getPointer(Fuse3Abi.CTX_FUSE);
        f.init(new Fuse3Operations.Conn(conn), new Fuse3Operations.Config(cfg));
        if (cacheDirs) {
          wrapLowLevelOpendir();
        }
      } catch (Throwable t) {
        LOG.error("fuse3 init failed", t);
      }
      return null;
    });
    slot(ops, Fuse3Abi.OP_DESTROY, Fuse3Callbacks.Destroy.class, data -> {
      try {
        f.destroy();
      } catch (Throwable t) {
        LOG.error("fuse3 destroy failed", t);
      }
    });
    slot(ops, Fuse3Abi.OP_ACCESS, Fuse3Callbacks.Access.class,
        (path, mask) -> guard("access", () -> f.access(str(path), mask)));
    slot(ops, Fuse3Abi.OP_CREATE, Fuse3Callbacks.Create.class,
        (path, mode, fi) -> guard("create", () -> f.create(str(path), mode, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_UTIMENS, Fuse3Callbacks.Utimens.class,
        (path, tv, fi) -> guard("utimens", () -> f.utimens(str(path), tv.getLong(0), tv.getLong(8),
            tv.getLong(16), tv.getLong(24), FileInfo.of(fi))));
    slot(ops, Fuse3Abi.OP_FALLOCATE, Fuse3Callbacks.Fallocate.class,
        (path, mode, off, len, fi) -> guard("fallocate", () -> f.fallocate(str(path), mode, off, len, FileInfo.of(fi))));
    return ops;
  }
}
