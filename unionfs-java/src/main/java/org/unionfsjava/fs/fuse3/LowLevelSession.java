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
 * One libfuse 3 low-level session: fills a native {@code struct fuse_lowlevel_ops} with jnr-ffi
 * closures that decode their arguments and call a {@link LowLevelOperations}, then creates the
 * session, mounts, serves (one request at a time, or with a pool of worker threads) and unmounts,
 * all on the calling thread.
 *
 * <p>Every closure catches what the filesystem throws and answers EIO if the request is still
 * unanswered: an exception escaping a jnr-ffi upcall would leave the kernel waiting.
 */
public final class LowLevelSession {
  private static final Logger LOG = LogManager.getLogger();
  private static final int EIO = 5;

  /** FUSE_LOG_ERR: this level and the ones above it are errors. */
  private static final int FUSE_LOG_ERR = 3;
  /** The last error libfuse logged in this process ("unknown option(s): ..."), or null. */
  private static volatile String lastLibfuseError;
  /** libfuse's log function, installed once and kept reachable for the process. */
  private static LowLevelCallbacks.Log logFunction;

  private final LibFuse3 lib;
  private final LowLevelOperations fs;
  private final Runtime runtime = Runtime.getSystemRuntime();
  /** The closures, their native stubs and argv, reachable for as long as the session lives. */
  private final List<Object> keepAlive = new ArrayList<>();

  public LowLevelSession(LibFuse3 lib, LowLevelOperations fs) {
    this.lib = lib;
    this.fs = fs;
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

  private Pointer cString(String s) {
    byte[] b = NameCharset.bytes(s);
    Pointer m = Memory.allocateDirect(runtime, b.length + 1, true);
    m.put(0, b, 0, b.length);
    keepAlive.add(m);
    return m;
  }

  /**
   * Creates the session with {@code options} (libfuse's and the mount's: {@code -o a,b}, {@code
   * -d}), mounts at {@code mountPoint} and serves until unmounted. Returns 0 after a clean
   * unmount, non-zero if libfuse refused the options or the mount.
   *
   * @param maxThreads 1 serves one request at a time; more runs libfuse's worker pool
   */
  public int run(String mountPoint, List<String> options, int maxThreads) {
    installLogFunction(lib);
    lastLibfuseError = null;
    List<String> argv = new ArrayList<>();
    argv.add("unionfs-java");
    argv.addAll(options);
    Pointer array = Memory.allocateDirect(runtime, 8L * (argv.size() + 1), true);
    keepAlive.add(array);
    for (int i = 0; i < argv.size(); i++) {
      array.putPointer(8L * i, cString(argv.get(i)));
    }
    array.putAddress(8L * argv.size(), 0L);
    // struct fuse_args { int argc; char **argv; int allocated; }
    Pointer args = Memory.allocateDirect(runtime, Fuse3Abi.ARGS_SIZE, true);
    keepAlive.add(args);
    args.putInt(Fuse3Abi.ARGS_ARGC, argv.size());
    args.putPointer(Fuse3Abi.ARGS_ARGV, array);
    args.putInt(Fuse3Abi.ARGS_ALLOCATED, 0);
    LOG.info("libfuse {} low-level session with {}, {} thread(s) at most", lib.fuse_version(), argv, maxThreads);
    Pointer se = lib.fuse_session_new(args, buildOperations(), Fuse3Abi.LL_OPS_SIZE, null);
    if (se == null || se.address() == 0) {
      return 1;
    }
    try {
      if (lib.fuse_set_signal_handlers(se) != 0) {
        return 2;
      }
      try {
        if (lib.fuse_session_mount(se, cString(mountPoint)) != 0) {
          return 3;
        }
        try {
          if (maxThreads <= 1) {
            return lib.fuse_session_loop(se);
          }
          Pointer config = lib.fuse_loop_cfg_create();
          lib.fuse_loop_cfg_set_max_threads(config, maxThreads);
          try {
            return lib.fuse_session_loop_mt_312(se, config);
          } finally {
            lib.fuse_loop_cfg_destroy(config);
          }
        } finally {
          lib.fuse_session_unmount(se);
        }
      } finally {
        lib.fuse_remove_signal_handlers(se);
      }
    } finally {
      lib.fuse_session_destroy(se);
    }
  }

  /**
   * The last error message libfuse logged since the last {@link #run} began, without its
   * {@code fuse: } prefix and trailing newline ("unknown option(s): `-o relatime'", "mount
   * failed: Invalid argument"), or null: why a run returned non-zero.
   */
  public static String lastError() {
    return lastLibfuseError;
  }

  /**
   * Routes libfuse's log through a function of ours that writes every message to stderr, as
   * libfuse's default does (the background server's log; --fuse-debug's trace), and keeps the
   * last error so that a failed mount can say why.
   */
  private static synchronized void installLogFunction(LibFuse3 lib) {
    if (logFunction != null || lib.fuse_version() < 307) {
      return;
    }
    Runtime runtime = Runtime.getSystemRuntime();
    logFunction = (level, format, args) -> {
      try {
        Pointer buf = Memory.allocateDirect(runtime, 1024, true);
        int n = lib.vsnprintf(buf, 1024, format, args);
        String text = n <= 0 ? "" : str(buf);
        System.err.print(text);
        System.err.flush();
        if (level <= FUSE_LOG_ERR) {
          String line = text.strip();
          lastLibfuseError = line.startsWith("fuse: ") ? line.substring(6) : line;
        }
      } catch (Throwable t) {
        // nothing may escape into libfuse; the message is lost, the mount goes on
      }
    };
    lib.fuse_set_log_func(logFunction);
  }

  private <T> void slot(Pointer ops, int index, Class<T> type, T callback) {
    ClosureManager cm = runtime.getClosureManager();
    Pointer stub = cm.getClosurePointer(type, callback);
    keepAlive.add(callback);
    keepAlive.add(stub);
    ops.putPointer(8L * index, stub);
  }

  private interface Body {
    void run(Request r);
  }

  /** Runs one callback; answers EIO if it threw before answering. */
  private void serve(String op, Pointer req, Body body) {
    Request r = new Request(lib, req);
    try {
      body.run(r);
    } catch (Throwable t) {
      LOG.error("fuse3 {} failed unexpectedly", op, t);
      if (!r.answered()) {
        r.error(EIO);
      }
    }
  }

  private Pointer buildOperations() {
    Pointer ops = Memory.allocateDirect(runtime, Fuse3Abi.LL_OPS_SIZE, true);
    keepAlive.add(ops);
    LowLevelOperations f = fs;
    slot(ops, Fuse3Abi.LL_INIT, LowLevelCallbacks.Init.class, (userData, conn) -> {
      try {
        f.init(new Conn(conn));
      } catch (Throwable t) {
        LOG.error("fuse3 init failed", t);
      }
    });
    slot(ops, Fuse3Abi.LL_DESTROY, LowLevelCallbacks.Destroy.class, userData -> {
      try {
        f.destroy();
      } catch (Throwable t) {
        LOG.error("fuse3 destroy failed", t);
      }
    });
    slot(ops, Fuse3Abi.LL_LOOKUP, LowLevelCallbacks.ParentName.class,
        (req, parent, name) -> serve("lookup", req, r -> f.lookup(r, parent, str(name))));
    slot(ops, Fuse3Abi.LL_FORGET, LowLevelCallbacks.Forget.class, (req, ino, n) -> serve("forget", req, r -> {
      f.forget(ino, n);
      r.none();
    }));
    slot(ops, Fuse3Abi.LL_FORGET_MULTI, LowLevelCallbacks.ForgetMulti.class, (req, count, forgets) -> serve("forget", req, r -> {
      for (long i = 0; i < count; i++) {
        long at = (long) Fuse3Abi.FORGET_SIZE * i;
        f.forget(forgets.getLong(at + Fuse3Abi.FORGET_INO), forgets.getLong(at + Fuse3Abi.FORGET_NLOOKUP));
      }
      r.none();
    }));
    slot(ops, Fuse3Abi.LL_GETATTR, LowLevelCallbacks.InoFi.class,
        (req, ino, fi) -> serve("getattr", req, r -> f.getattr(r, ino, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.LL_SETATTR, LowLevelCallbacks.Setattr.class, (req, ino, attr, toSet, fi) ->
        serve("setattr", req, r -> f.setattr(r, ino, new AttrChange(attr, toSet), FileInfo.of(fi))));
    slot(ops, Fuse3Abi.LL_READLINK, LowLevelCallbacks.Ino.class, (req, ino) -> serve("readlink", req, r -> f.readlink(r, ino)));
    slot(ops, Fuse3Abi.LL_MKNOD, LowLevelCallbacks.Mknod.class, (req, parent, name, mode, rdev) ->
        serve("mknod", req, r -> f.mknod(r, parent, str(name), mode, rdev)));
    slot(ops, Fuse3Abi.LL_MKDIR, LowLevelCallbacks.Mkdir.class, (req, parent, name, mode) ->
        serve("mkdir", req, r -> f.mkdir(r, parent, str(name), mode)));
    slot(ops, Fuse3Abi.LL_UNLINK, LowLevelCallbacks.ParentName.class,
        (req, parent, name) -> serve("unlink", req, r -> f.unlink(r, parent, str(name))));
    slot(ops, Fuse3Abi.LL_RMDIR, LowLevelCallbacks.ParentName.class,
        (req, parent, name) -> serve("rmdir", req, r -> f.rmdir(r, parent, str(name))));
    slot(ops, Fuse3Abi.LL_SYMLINK, LowLevelCallbacks.Symlink.class, (req, target, parent, name) ->
        serve("symlink", req, r -> f.symlink(r, str(target), parent, str(name))));
    slot(ops, Fuse3Abi.LL_RENAME, LowLevelCallbacks.Rename.class, (req, parent, name, newParent, newName, flags) ->
        serve("rename", req, r -> f.rename(r, parent, str(name), newParent, str(newName), flags)));
    slot(ops, Fuse3Abi.LL_LINK, LowLevelCallbacks.Link.class, (req, ino, newParent, newName) ->
        serve("link", req, r -> f.link(r, ino, newParent, str(newName))));
    slot(ops, Fuse3Abi.LL_OPEN, LowLevelCallbacks.InoFi.class, (req, ino, fi) -> serve("open", req, r -> f.open(r, ino, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.LL_READ, LowLevelCallbacks.SizeOffset.class, (req, ino, size, off, fi) ->
        serve("read", req, r -> f.read(r, ino, size, off, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.LL_WRITE, LowLevelCallbacks.Write.class, (req, ino, buf, size, off, fi) ->
        serve("write", req, r -> f.write(r, ino, buf, size, off, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.LL_RELEASE, LowLevelCallbacks.InoFi.class,
        (req, ino, fi) -> serve("release", req, r -> f.release(r, ino, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.LL_FSYNC, LowLevelCallbacks.Fsync.class, (req, ino, datasync, fi) ->
        serve("fsync", req, r -> f.fsync(r, ino, datasync != 0, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.LL_OPENDIR, LowLevelCallbacks.InoFi.class,
        (req, ino, fi) -> serve("opendir", req, r -> f.opendir(r, ino, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.LL_READDIR, LowLevelCallbacks.SizeOffset.class, (req, ino, size, off, fi) ->
        serve("readdir", req, r -> f.readdir(r, ino, size, off, FileInfo.of(fi), false)));
    slot(ops, Fuse3Abi.LL_READDIRPLUS, LowLevelCallbacks.SizeOffset.class, (req, ino, size, off, fi) ->
        serve("readdirplus", req, r -> f.readdir(r, ino, size, off, FileInfo.of(fi), true)));
    slot(ops, Fuse3Abi.LL_RELEASEDIR, LowLevelCallbacks.InoFi.class,
        (req, ino, fi) -> serve("releasedir", req, r -> f.releasedir(r, ino, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.LL_STATFS, LowLevelCallbacks.Ino.class, (req, ino) -> serve("statfs", req, r -> f.statfs(r, ino)));
    slot(ops, Fuse3Abi.LL_SETXATTR, LowLevelCallbacks.Setxattr.class, (req, ino, name, value, size, flags) ->
        serve("setxattr", req, r -> f.setxattr(r, ino, str(name), value, size, flags)));
    slot(ops, Fuse3Abi.LL_GETXATTR, LowLevelCallbacks.Getxattr.class, (req, ino, name, size) ->
        serve("getxattr", req, r -> f.getxattr(r, ino, str(name), size)));
    slot(ops, Fuse3Abi.LL_LISTXATTR, LowLevelCallbacks.InoSize.class, (req, ino, size) ->
        serve("listxattr", req, r -> f.listxattr(r, ino, size)));
    slot(ops, Fuse3Abi.LL_REMOVEXATTR, LowLevelCallbacks.InoName.class, (req, ino, name) ->
        serve("removexattr", req, r -> f.removexattr(r, ino, str(name))));
    slot(ops, Fuse3Abi.LL_ACCESS, LowLevelCallbacks.Access.class, (req, ino, mask) -> serve("access", req, r -> f.access(r, ino, mask)));
    slot(ops, Fuse3Abi.LL_CREATE, LowLevelCallbacks.Create.class, (req, parent, name, mode, fi) ->
        serve("create", req, r -> f.create(r, parent, str(name), mode, FileInfo.of(fi))));
    slot(ops, Fuse3Abi.LL_FALLOCATE, LowLevelCallbacks.Fallocate.class, (req, ino, mode, off, len, fi) ->
        serve("fallocate", req, r -> f.fallocate(r, ino, mode, off, len, FileInfo.of(fi))));
    return ops;
  }
}
