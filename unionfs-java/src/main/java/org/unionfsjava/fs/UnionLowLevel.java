package org.unionfsjava.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Pointer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.fuse3.AttrChange;
import org.unionfsjava.fs.fuse3.Conn;
import org.unionfsjava.fs.fuse3.FileInfo;
import org.unionfsjava.fs.fuse3.LibFuse3;
import org.unionfsjava.fs.fuse3.LowLevelOperations;
import org.unionfsjava.fs.fuse3.LowLevelSession;
import org.unionfsjava.fs.fuse3.Request;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.Caller;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.NameCharset;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;

/**
 * The libfuse 3 adapter on the low-level API: node ids instead of paths, with the union's own
 * {@link NodeTable}. The same {@link UnionOps} calls as {@link UnionFuse}; what the low-level API
 * adds:
 *
 * <ul>
 *   <li>No ESTALE: a request for a node a concurrent unlink or rename detached is answered ENOENT,
 *       or served through a handle still open on it; a renamed node keeps working at its new name.
 *   <li>Kernel timeouts per answer: entries, attributes and negative entries for the TTL (1 hour
 *       in fixed lower mode), as the libfuse2 mount options set them.
 *   <li>FUSE_CAP_POSIX_ACL: the kernel caches and checks ACLs (no getxattr round trip for
 *       system.posix_acl_access on every ls -l); readdirplus with attributes and nodes (no LOOKUP
 *       per listed name); in fixed lower mode FOPEN_CACHE_DIR and FOPEN_KEEP_CACHE on opendir, so
 *       repeat listings never reach the daemon (the kernel drops a cached listing when the
 *       directory changes through the mount); the page cache kept across opens in fixed mode and,
 *       in changing mode, only while a file's mtime and size stay as the last open saw them
 *       (libfuse's auto_cache), with the kernel's own FUSE_AUTO_INVAL_DATA in both.
 *   <li>An unlink of a file still open renames it to a hidden name, as libfuse's high-level API
 *       did, and {@link UnlinkedOpenFiles} keeps it; the hidden name goes with the last release.
 * </ul>
 *
 * <p>One request at a time by default, as on libfuse2; {@code -Dunionfs.fuse3.threads=multi}
 * runs libfuse's worker pool ({@code unionfs.fuse3.maxThreads}, 10). Switches for measuring
 * (system properties, default on): {@code unionfs.fuse3.posixAcl}, {@code
 * unionfs.fuse3.readdirplus}, {@code unionfs.fuse3.cacheDir}.
 */
final class UnionLowLevel implements LowLevelOperations, ru.serce.jnrfuse.Mountable {
  private static final Logger LOG = LogManager.getLogger();
  private static final long UNSET_ID = 0xffffffffL;
  private static final Duration FIXED_KERNEL_TIMEOUT = Duration.ofHours(1);
  private static final int ENOENT = 2;

  private final UnionOps ops;
  private final MountOptions options;
  private final NodeTable nodes = new NodeTable();
  private final LowLevelSession session;
  private final boolean fixed;
  private final double timeout;
  private final boolean posixAcl = flag("unionfs.fuse3.posixAcl");
  private final boolean readdirplus = flag("unionfs.fuse3.readdirplus");
  private final boolean cacheDir;
  private final AtomicLong hiddenCounter = new AtomicLong();
  private Path mountPoint;

  UnionLowLevel(UnionOps ops, MountOptions options) {
    this.ops = ops;
    this.options = options;
    this.fixed = options.lowerMode() == LowerMode.FIXED;
    this.timeout = fixed ? FIXED_KERNEL_TIMEOUT.toSeconds() : options.cacheTtl().toMillis() / 1000.0;
    this.cacheDir = fixed && flag("unionfs.fuse3.cacheDir");
    this.session = new LowLevelSession(LibFuse3.load(), this);
  }

  private static boolean flag(String name) {
    return !"false".equals(System.getProperty(name, "true"));
  }

  // ---- mounting ----

  /** Mounts and serves; the libfuse2 arguments UnionMount computed are not used. */
  @Override
  public void mount(Path mountPoint, boolean blocking, boolean debug, String[] libfuse2Args) {
    this.mountPoint = mountPoint;
    boolean multi = "multi".equals(System.getProperty("unionfs.fuse3.threads"));
    int threads = multi ? Integer.getInteger("unionfs.fuse3.maxThreads", 10) : 1;
    int rc = session.run(mountPoint.toString(), arguments(debug), threads);
    if (rc != 0) {
      throw new IllegalStateException("libfuse 3 could not mount or serve " + mountPoint + " (status " + rc + ")");
    }
  }

  /** Mount options for fuse_session_new: the mount's own; caching is set per answer instead. */
  private List<String> arguments(boolean debug) {
    List<String> opts = new ArrayList<>();
    opts.add("fsname=unionfs-java");
    opts.add("subtype=unionfs-java");
    opts.add("default_permissions");
    if (NativeFile.geteuid() == 0) {
      // a union root needs device nodes and setuid programs to work, as on kernel overlayfs
      opts.add("allow_other");
      opts.add("dev");
      opts.add("suid");
    }
    List<String> args = new ArrayList<>();
    if (debug) {
      args.add("-d");
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
  public void init(Conn conn) {
    // The daemon writes as root (CAP_FSETID): the kernel, not the daemon, must drop suid/sgid
    // on write, truncate and chown, as it does without this capability.
    conn.refuse(Conn.HANDLE_KILLPRIV);
    boolean acl = posixAcl && conn.request(Conn.POSIX_ACL);
    conn.request(Conn.PARALLEL_DIROPS);
    if (readdirplus) {
      conn.request(Conn.READDIRPLUS);
      conn.request(Conn.READDIRPLUS_AUTO);
    } else {
      conn.refuse(Conn.READDIRPLUS);
      conn.refuse(Conn.READDIRPLUS_AUTO);
    }
    LOG.info("libfuse 3 low-level: want 0x{} of capable 0x{}; posix_acl {}, readdirplus {}, cache_readdir {}, timeouts {} s",
        Integer.toHexString(conn.want()), Integer.toHexString(conn.capable()), acl, readdirplus, cacheDir, timeout);
  }

  @Override
  public void destroy() {
    ops.table().closeAll();
  }

  // ---- helpers ----

  /** Runs a body through the {@link Barrier}; an error it returns becomes the answer. */
  private static void answer(Request r, String op, String name, Barrier.Body body) {
    int rc = Barrier.call(op, name, body);
    if (rc < 0) {
      r.error(-rc);
    }
  }

  private static Caller caller(Request r) {
    return new Caller(r.uid(), r.gid());
  }

  /** Answers with the node for a name just made or found (one more kernel reference). */
  private int entry(Request r, long parent, String name, UnionPath p) throws IOException {
    Stat st = ops.getattr(p);
    NodeTable.Node n = nodes.lookedUp(parent, name, st.ino(), st.mode());
    if (!r.entry(n.id, st, timeout)) {
      nodes.forget(n.id, 1); // interrupted: the kernel did not take it
    }
    return 0;
  }

  /** The attributes of a node: by its path, or through an open handle when it has none. */
  private Stat attributes(long ino, FileInfo fi) throws IOException {
    if (fi != null) {
      return ops.fgetattr(fi.fh());
    }
    UnionPath p = nodes.pathIfAttached(ino);
    if (p != null) {
      return ops.getattr(p);
    }
    long fh = nodes.anyHandle(ino);
    if (fh < 0) {
      throw new UnionException(Errno.ENOENT, "#" + ino, "removed");
    }
    return ops.fgetattr(fh);
  }

  private String hiddenName(long ino) {
    return String.format("%s%08x%08x", UnlinkedOpenFiles.PREFIX, ino & 0xffffffffL, hiddenCounter.incrementAndGet() & 0xffffffffL);
  }

  /** Moves an open file out of the way (libfuse's hide_node): its node follows to a hidden name. */
  private void hide(long parent, String name, UnionPath p) throws IOException {
    String hidden = hiddenName(nodes.at(parent, name).id);
    ops.rename(p, p.parent().child(hidden));
    nodes.moved(parent, name, parent, hidden);
  }

  // ---- names ----

  @Override
  public void lookup(Request r, long parent, String name) {
    answer(r, "lookup", name, () -> {
      UnionPath p = nodes.childPath(parent, name);
      Stat st;
      try {
        st = ops.getattr(p);
      } catch (UnionException e) {
        if (e.errno() != Errno.ENOENT) {
          throw e;
        }
        r.negativeEntry(timeout);
        return 0;
      }
      NodeTable.Node n = nodes.lookedUp(parent, name, st.ino(), st.mode());
      if (!r.entry(n.id, st, timeout)) {
        nodes.forget(n.id, 1);
      }
      return 0;
    });
  }

  @Override
  public void forget(long ino, long nlookup) {
    nodes.forget(ino, nlookup);
  }

  @Override
  public void mknod(Request r, long parent, String name, int mode, long rdev) {
    answer(r, "mknod", name, () -> {
      UnionPath p = nodes.childPath(parent, name);
      ops.mknod(p, mode, rdev, caller(r));
      return entry(r, parent, name, p);
    });
  }

  @Override
  public void mkdir(Request r, long parent, String name, int mode) {
    answer(r, "mkdir", name, () -> {
      UnionPath p = nodes.childPath(parent, name);
      ops.mkdir(p, mode, caller(r));
      return entry(r, parent, name, p);
    });
  }

  @Override
  public void symlink(Request r, String target, long parent, String name) {
    answer(r, "symlink", name, () -> {
      UnionPath p = nodes.childPath(parent, name);
      ops.symlink(target, p, caller(r));
      return entry(r, parent, name, p);
    });
  }

  @Override
  public void link(Request r, long ino, long newParent, String newName) {
    answer(r, "link", newName, () -> {
      UnionPath to = nodes.childPath(newParent, newName);
      ops.link(nodes.path(ino), to);
      return entry(r, newParent, newName, to);
    });
  }

  @Override
  public void unlink(Request r, long parent, String name) {
    answer(r, "unlink", name, () -> {
      UnionPath p = nodes.childPath(parent, name);
      if (nodes.openCount(parent, name) > 0) {
        hide(parent, name, p);
      } else {
        ops.unlink(p);
        nodes.removed(parent, name);
      }
      r.ok();
      return 0;
    });
  }

  @Override
  public void rmdir(Request r, long parent, String name) {
    answer(r, "rmdir", name, () -> {
      ops.rmdir(nodes.childPath(parent, name));
      nodes.removed(parent, name);
      r.ok();
      return 0;
    });
  }

  /**
   * rename and renameat2. RENAME_NOREPLACE is checked here, then the plain rename runs: not atomic
   * against a change made beneath the union (the kernel orders those made through it).
   * RENAME_EXCHANGE and RENAME_WHITEOUT answer EINVAL, as they did on libfuse2.
   */
  @Override
  public void rename(Request r, long parent, String name, long newParent, String newName, int flags) {
    answer(r, "rename", name, () -> {
      if ((flags & ~RENAME_NOREPLACE) != 0) {
        throw new UnionException(Errno.EINVAL, name, "rename flags 0x" + Integer.toHexString(flags) + " not supported");
      }
      UnionPath from = nodes.childPath(parent, name);
      UnionPath to = nodes.childPath(newParent, newName);
      if ((flags & RENAME_NOREPLACE) != 0 && exists(to)) {
        throw new UnionException(Errno.EEXIST, to.toString(), "file exists");
      }
      if (nodes.openCount(newParent, newName) > 0 && !from.equals(to)) {
        hide(newParent, newName, to); // the replaced file stays readable through its handles
      }
      ops.rename(from, to);
      nodes.moved(parent, name, newParent, newName);
      r.ok();
      return 0;
    });
  }

  private boolean exists(UnionPath p) throws IOException {
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

  // ---- attributes ----

  @Override
  public void getattr(Request r, long ino, FileInfo fi) {
    answer(r, "getattr", "", () -> {
      r.attr(attributes(ino, fi), timeout);
      return 0;
    });
  }

  /** chmod, chown, truncate and utimens in one call, in that order (as libfuse's high-level API). */
  @Override
  public void setattr(Request r, long ino, AttrChange c, FileInfo fi) {
    answer(r, "setattr", "", () -> {
      UnionPath p = nodes.pathIfAttached(ino);
      boolean onPath = c.has(AttrChange.MODE) || c.has(AttrChange.UID) || c.has(AttrChange.GID)
          || c.has(AttrChange.ATIME) || c.has(AttrChange.MTIME) || c.has(AttrChange.ATIME_NOW)
          || c.has(AttrChange.MTIME_NOW) || (c.has(AttrChange.SIZE) && fi == null);
      if (p == null && onPath) {
        throw new UnionException(Errno.ENOENT, "#" + ino, "removed");
      }
      if (c.has(AttrChange.MODE)) {
        ops.chmod(p, c.mode());
      }
      if (c.has(AttrChange.UID) || c.has(AttrChange.GID)) {
        int uid = c.has(AttrChange.UID) && Integer.toUnsignedLong(c.uid()) != UNSET_ID ? c.uid() : -1;
        int gid = c.has(AttrChange.GID) && Integer.toUnsignedLong(c.gid()) != UNSET_ID ? c.gid() : -1;
        ops.chown(p, uid, gid);
      }
      if (c.has(AttrChange.SIZE)) {
        if (fi != null) {
          NativeFile.ftruncate(ops.file(fi.fh()).fd(), c.size());
        } else {
          ops.truncate(p, c.size());
        }
      }
      boolean atime = c.has(AttrChange.ATIME) || c.has(AttrChange.ATIME_NOW);
      boolean mtime = c.has(AttrChange.MTIME) || c.has(AttrChange.MTIME_NOW);
      if (atime || mtime) {
        ops.utimens(p, time(atime, c.has(AttrChange.ATIME_NOW), c.atimeNs()),
            time(mtime, c.has(AttrChange.MTIME_NOW), c.mtimeNs()));
      }
      r.attr(attributes(ino, fi), timeout);
      return 0;
    });
  }

  private static long time(boolean set, boolean now, long ns) {
    return !set ? BranchIo.UTIME_OMIT : now ? BranchIo.UTIME_NOW : ns;
  }

  @Override
  public void readlink(Request r, long ino) {
    answer(r, "readlink", "", () -> {
      r.readlink(ops.readlink(nodes.path(ino)));
      return 0;
    });
  }

  @Override
  public void access(Request r, long ino, int mask) {
    answer(r, "access", "", () -> {
      ops.access(nodes.path(ino));
      r.ok();
      return 0;
    });
  }

  @Override
  public void statfs(Request r, long ino) {
    answer(r, "statfs", "", () -> {
      NativeFile.FsStats s = ops.statfs();
      r.statfs(s.bsize(), s.frsize(), s.blocks(), s.bfree(), s.bavail(), s.files(), s.ffree(), s.namemax());
      return 0;
    });
  }

  // ---- extended attributes ----

  @Override
  public void setxattr(Request r, long ino, String name, Pointer value, long size, int flags) {
    answer(r, "setxattr", name, () -> {
      byte[] v = new byte[(int) size];
      value.get(0, v, 0, v.length);
      ops.setxattr(nodes.path(ino), name, v, flags);
      r.ok();
      return 0;
    });
  }

  @Override
  public void getxattr(Request r, long ino, String name, long size) {
    answer(r, "getxattr", name, () -> {
      sized(r, ops.getxattr(nodes.path(ino), name), size);
      return 0;
    });
  }

  @Override
  public void listxattr(Request r, long ino, long size) {
    answer(r, "listxattr", "", () -> {
      ByteBuffer all = ByteBuffer.allocate(65536);
      for (String n : ops.listxattr(nodes.path(ino))) {
        all.put(NameCharset.bytes(n)).put((byte) 0);
      }
      byte[] bytes = new byte[all.position()];
      all.flip().get(bytes);
      sized(r, bytes, size);
      return 0;
    });
  }

  /** The xattr convention: size 0 asks for the length; a short buffer is ERANGE. */
  private static void sized(Request r, byte[] data, long size) throws UnionException {
    if (size == 0) {
      r.xattrSize(data.length);
    } else if (size < data.length) {
      throw new UnionException(Errno.ERANGE, "", "buffer too small");
    } else {
      r.data(data);
    }
  }

  @Override
  public void removexattr(Request r, long ino, String name) {
    answer(r, "removexattr", name, () -> {
      ops.removexattr(nodes.path(ino), name);
      r.ok();
      return 0;
    });
  }

  // ---- files ----

  @Override
  public void open(Request r, long ino, FileInfo fi) {
    answer(r, "open", "", () -> {
      long fh = ops.open(nodes.path(ino), fi.flags());
      fi.fh(fh);
      nodes.opened(ino, fh);
      if (fixed) {
        fi.keepCache();
      } else {
        Stat st = NativeFile.fstat(ops.file(fh).fd()); // the data's mtime and size
        if (nodes.sameDataAsLastOpen(ino, st.mtimeNs(), st.size())) {
          fi.keepCache();
        }
      }
      if (!r.open(fi)) {
        closeUnwanted(ino, fh);
      }
      return 0;
    });
  }

  @Override
  public void create(Request r, long parent, String name, int mode, FileInfo fi) {
    answer(r, "create", name, () -> {
      UnionPath p = nodes.childPath(parent, name);
      long fh = ops.create(p, mode, fi.flags(), caller(r));
      fi.fh(fh);
      Stat st = ops.fgetattr(fh);
      NodeTable.Node n = nodes.lookedUp(parent, name, st.ino(), st.mode());
      nodes.opened(n.id, fh);
      Stat data = NativeFile.fstat(ops.file(fh).fd());
      nodes.sameDataAsLastOpen(n.id, data.mtimeNs(), data.size());
      if (!r.create(n.id, st, timeout, fi)) {
        closeUnwanted(n.id, fh);
        nodes.forget(n.id, 1);
      }
      return 0;
    });
  }

  /** The kernel did not take an open (interrupted): close it again. */
  private void closeUnwanted(long ino, long fh) {
    nodes.released(ino, fh);
    try {
      ops.release(fh);
    } catch (IOException e) {
      LOG.warn("closing an open the kernel did not take: {}", e.toString());
    }
  }

  @Override
  public void read(Request r, long ino, long size, long offset, FileInfo fi) {
    answer(r, "read", "", () -> {
      Pointer buf = Request.buffer(size);
      r.data(buf, Replies.read(ops, fi.fh(), buf, size, offset));
      return 0;
    });
  }

  @Override
  public void write(Request r, long ino, Pointer buf, long size, long offset, FileInfo fi) {
    answer(r, "write", "", () -> {
      r.written(NativeFile.pwrite(ops.file(fi.fh()).fd(), buf, size, offset));
      return 0;
    });
  }

  @Override
  public void fsync(Request r, long ino, boolean dataOnly, FileInfo fi) {
    answer(r, "fsync", "", () -> {
      NativeFile.fsync(ops.file(fi.fh()).fd(), dataOnly);
      r.ok();
      return 0;
    });
  }

  @Override
  public void fallocate(Request r, long ino, int mode, long offset, long length, FileInfo fi) {
    answer(r, "fallocate", "", () -> {
      NativeFile.fallocate(ops.file(fi.fh()).fd(), mode, offset, length);
      r.ok();
      return 0;
    });
  }

  /** Closes a handle; the last release of a hidden (unlinked) file removes its hidden name. */
  @Override
  public void release(Request r, long ino, FileInfo fi) {
    answer(r, "release", "", () -> {
      try {
        ops.release(fi.fh());
      } finally {
        if (nodes.released(ino, fi.fh()) == 0) {
          String name = nodes.nameIfAttached(ino);
          UnionPath p = name != null && name.startsWith(UnlinkedOpenFiles.PREFIX) ? nodes.pathIfAttached(ino) : null;
          if (p != null) { // else its directory went: the hidden object went with the last handle
            ops.unlink(p);
            nodes.removed(nodes.parentIdOf(ino), name);
          }
        }
      }
      r.ok();
      return 0;
    });
  }

  // ---- directories ----

  @Override
  public void opendir(Request r, long ino, FileInfo fi) {
    answer(r, "opendir", "", () -> {
      long fh = ops.opendir(nodes.path(ino));
      fi.fh(fh);
      if (cacheDir) {
        fi.cacheReaddir();
        fi.keepCache(); // without it the kernel drops the cached listing at each open
      }
      if (!r.open(fi)) {
        ops.releasedir(fh);
      }
      return 0;
    });
  }

  @Override
  public void readdir(Request r, long ino, long size, long offset, FileInfo fi, boolean plus) {
    answer(r, "readdir", "", () -> {
      List<DirHandle.Entry> entries = ops.readdir(fi.fh(), offset);
      UnionPath dir = plus ? nodes.pathIfAttached(ino) : null;
      Request.Listing out = r.listing(size);
      for (int i = (int) offset; i < entries.size(); i++) {
        DirHandle.Entry e = entries.get(i);
        byte[] name = NameCharset.bytes(e.name());
        if (!plus) {
          if (!out.add(name, e.ino(), e.typeBits(), i + 1)) {
            break;
          }
          continue;
        }
        Stat st = dir == null || e.name().equals(".") || e.name().equals("..") ? null : plusAttributes(dir, e);
        if (st == null) {
          if (!out.addPlus(name, 0, new Stat(0, e.ino(), e.typeBits(), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, i + 1)) {
            break;
          }
          continue;
        }
        NodeTable.Node n = nodes.lookedUp(ino, e.name(), st.ino(), st.mode());
        if (!out.addPlus(name, n.id, st, timeout, i + 1)) {
          nodes.forget(n.id, 1); // did not fit: the kernel never saw it
          break;
        }
      }
      out.send();
      return 0;
    });
  }

  /** A listed name's attributes, or null if it went away meanwhile (a lookup will tell). */
  private Stat plusAttributes(UnionPath dir, DirHandle.Entry e) throws IOException {
    try {
      return ops.getattr(dir.child(e.name()));
    } catch (UnionException gone) {
      return null;
    }
  }

  @Override
  public void releasedir(Request r, long ino, FileInfo fi) {
    answer(r, "releasedir", "", () -> {
      ops.releasedir(fi.fh());
      r.ok();
      return 0;
    });
  }
}
