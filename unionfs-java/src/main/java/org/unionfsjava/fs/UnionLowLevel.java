package org.unionfsjava.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
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
import org.unionfsjava.fs.nativeio.Errnos;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.Branch;
import org.unionfsjava.model.Caller;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.NameCharset;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;

/**
 * The libfuse 3 adapter on the low-level API: decodes a request, runs it through the {@link
 * Barrier} on {@link NodeLayer} (node ids to paths, the node table) or straight on {@link
 * UnionOps}, and answers it. The same union operations as {@link UnionFuse}; what the low-level
 * API adds:
 *
 * <ul>
 *   <li>No ESTALE: a request for a node a concurrent unlink or rename detached is answered ENOENT,
 *       or served through a handle still open on it; a renamed node keeps working at its new name.
 *   <li>Kernel timeouts per answer: entries, attributes and negative entries for the TTL (1 hour
 *       in fixed lower mode), as the libfuse2 mount options set them.
 *   <li>FUSE_CAP_POSIX_ACL: the kernel caches and checks ACLs (no getxattr round trip for
 *       system.posix_acl_access on every ls -l); readdirplus with attributes and nodes (no LOOKUP
 *       per listed name); in fixed lower mode OPENDIR is answered ENOSYS, after which the kernel
 *       opens directories itself with FOPEN_CACHE_DIR and FOPEN_KEEP_CACHE: no OPENDIR or
 *       RELEASEDIR round trip per directory opened, and repeat listings never reach the daemon
 *       (the kernel drops a cached listing when the directory changes through the mount; {@link
 *       KernelCachedListings} serves the reads that fill it); the page cache kept across opens
 *       in fixed mode and, in changing mode, only while a file's mtime and size stay as the last
 *       open saw them (libfuse's auto_cache), with the kernel's own FUSE_AUTO_INVAL_DATA in both.
 *   <li>An unlink of a file still open renames it to a hidden name, as libfuse's high-level API
 *       did, and {@link UnlinkedOpenFiles} keeps it; the hidden name goes with the last release.
 * </ul>
 *
 * <p>Threads, chosen by measurement on two cores: one loop thread answers every request; reads
 * of several open files at once go to four reader threads beside it ({@link ReadDispatch},
 * {@code unionfs.fuse3.readers}), so reads waiting on a slow lower overlap (four readers of a
 * lower answering in 2 ms: 2.5 s one at a time, 0.9 s with the readers) while metadata keeps the
 * single thread's speed (libfuse's worker pool made a cold 50,000-file walk 1.8 times slower).
 * {@code -Dunionfs.fuse3.threads=multi} runs libfuse's worker pool instead ({@code
 * unionfs.fuse3.maxThreads}, 10); either way a read-write lock keeps each union operation atomic
 * to the others. Switches for measuring
 * (system properties, default on): {@code unionfs.fuse3.posixAcl}, {@code
 * unionfs.fuse3.readdirplus}, {@code unionfs.fuse3.cacheDir}, {@code unionfs.fuse3.noOpendir},
 * {@code unionfs.fuse3.splice}.
 */
final class UnionLowLevel implements LowLevelOperations, ru.serce.jnrfuse.Mountable {
  private static final Logger LOG = LogManager.getLogger();

  private final UnionOps ops;
  private final MountConfig options;
  private final NodeLayer nodes;
  private final LowLevelSession session;
  private final boolean fixed;
  private final double timeout;
  private final boolean posixAcl;
  private final boolean readdirplus;
  private final boolean cacheDir;
  /** Fixed mode: OPENDIR answered ENOSYS, listings read by node into the kernel's cache. */
  private final boolean noOpendir;
  private final KernelCachedListings handleless;
  /**
   * Makes each union operation atomic to the others when libfuse's worker pool serves requests in
   * parallel: a change (create, unlink, rename, copy-up, ...) is a sequence of steps in the
   * branches (a whiteout, then a removal; a copy, then a rename) that a lookup running between two
   * steps would see half done. Requests that read names share it; changes hold it alone; data
   * requests on open handles (read, write, fsync, fallocate) and forget do not take it.
   */
  private final ReadWriteLock namespace = new ReentrantReadWriteLock();
  /** libfuse's worker pool serves requests ({@code -Dunionfs.fuse3.threads=multi}), not one loop. */
  private final boolean multi;
  /** The worker pool's largest size ({@code unionfs.fuse3.maxThreads}). */
  private final int maxThreads;
  /** Where READs are answered: the reader threads or the loop (their threads start on first use). */
  private final ReadDispatch reads;
  private Path mountPoint;
  /**
   * Reads answered by libfuse splicing from the branch file's descriptor into the kernel's
   * buffer (fuse_reply_data), not by pread into a buffer of ours and a copy out of it: no branch
   * is on NFS (there a read can fail with ESTALE, which {@link Replies#read} retries on a new
   * descriptor, and a spliced read could not) and the session took SPLICE_WRITE at init.
   * {@code -Dunionfs.fuse3.splice=false} turns it off.
   */
  private final boolean spliceable;
  private volatile boolean spliceReads;

  UnionLowLevel(UnionOps ops, MountConfig options) {
    this.ops = ops;
    this.nodes = new NodeLayer(ops);
    this.options = options;
    KernelCachePolicy policy = options.kernelCachePolicy();
    Tuning tuning = options.tuning();
    this.fixed = policy.keepsPageCache();
    this.timeout = policy.timeoutSeconds();
    this.posixAcl = tuning.posixAcl();
    this.readdirplus = tuning.readdirplus();
    this.multi = tuning.workerPool();
    this.maxThreads = tuning.maxThreads();
    this.reads = new ReadDispatch(multi ? 0 : tuning.readers());
    this.cacheDir = policy.keepsListings() && tuning.cacheDir();
    this.noOpendir = cacheDir && tuning.noOpendir();
    this.handleless = new KernelCachedListings(node -> ops.listing(nodes.path(node)));
    this.spliceable = tuning.splice() && noBranchOnNfs(ops);
    this.session = new LowLevelSession(LibFuse3.load(), this);
  }

  private static boolean noBranchOnNfs(UnionOps ops) {
    for (Branch b : ops.stack().all()) {
      try {
        if (NativeFile.fsMagic(b.root()) == NativeFile.NFS_SUPER_MAGIC) {
          return false;
        }
      } catch (UnionException e) {
        return false; // cannot tell: keep the reads that can retry
      }
    }
    return true;
  }

  // ---- mounting ----

  /** Mounts and serves; the libfuse2 arguments UnionMount computed are not used. */
  @Override
  public void mount(Path mountPoint, boolean blocking, boolean debug, String[] libfuse2Args) {
    this.mountPoint = mountPoint;
    int threads = multi ? maxThreads : 1;
    LOG.info("serving {} with {}", mountPoint, threads == 1
        ? "one thread and " + reads.threads() + " reader threads"
        : "libfuse's worker pool of up to " + threads + " threads");
    int rc = session.run(mountPoint.toString(), arguments(debug), threads);
    if (rc != 0) {
      String why = LowLevelSession.lastError();
      throw new IllegalStateException(why != null ? "libfuse 3 answered '" + why + "'"
          : "libfuse 3 could not mount or serve " + mountPoint + " (status " + rc + ")");
    }
  }

  /** Mount options for fuse_session_new: the mount's own; caching is set per answer instead. */
  private List<String> arguments(boolean debug) {
    List<String> opts = new ArrayList<>();
    opts.add(MountSource.fsnameOption(options.upper(), options.lowers()));
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
    spliceReads = spliceable && conn.request(Conn.SPLICE_WRITE);
    if (spliceReads) {
      conn.request(Conn.SPLICE_MOVE);
    }
    if (readdirplus) {
      conn.request(Conn.READDIRPLUS);
      conn.request(Conn.READDIRPLUS_AUTO);
    } else {
      conn.refuse(Conn.READDIRPLUS);
      conn.refuse(Conn.READDIRPLUS_AUTO);
    }
    LOG.info("libfuse 3 low-level: want 0x{} of capable 0x{}; posix_acl {}, readdirplus {}, cache_readdir {}, "
        + "no opendir {}, spliced reads {}, timeouts {} s", Integer.toHexString(conn.want()),
        Integer.toHexString(conn.capable()), acl, readdirplus, cacheDir, noOpendir, spliceReads, timeout);
  }

  @Override
  public void destroy() {
    reads.shutdown();
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

  /** {@link #answer} for a request that reads names: alongside others, never during a change. */
  private void reading(Request r, String op, String name, Barrier.Body body) {
    answerHolding(namespace.readLock(), r, op, name, body);
  }

  /** {@link #answer} for a request that changes names or copies up: alone. */
  private void changing(Request r, String op, String name, Barrier.Body body) {
    answerHolding(namespace.writeLock(), r, op, name, body);
  }

  private static void answerHolding(Lock lock, Request r, String op, String name, Barrier.Body body) {
    lock.lock();
    try {
      answer(r, op, name, body);
    } finally {
      lock.unlock();
    }
  }

  private static Caller caller(Request r) {
    return new Caller(r.uid(), r.gid());
  }

  private static long fh(FileInfo fi) {
    return fi == null ? -1 : fi.fh();
  }

  /** Answers with a node handed to the kernel; takes the reference back if the kernel did not. */
  private int entry(Request r, NodeLayer.Entry e) {
    if (!r.entry(e.node(), e.attributes(), timeout)) {
      nodes.unreferenced(e.node());
    }
    return 0;
  }

  private static int ok(Request r) {
    r.ok();
    return 0;
  }

  // ---- names ----

  @Override
  public void lookup(Request r, long parent, String name) {
    reading(r, "lookup", name, () -> {
      NodeLayer.Entry e = nodes.lookup(parent, name);
      if (e == null) {
        r.negativeEntry(timeout);
        return 0;
      }
      return entry(r, e);
    });
  }

  @Override
  public void forget(long ino, long nlookup) {
    nodes.forget(ino, nlookup);
  }

  @Override
  public void mknod(Request r, long parent, String name, int mode, long rdev) {
    changing(r, "mknod", name, () -> {
      nodes.mknod(parent, name, mode, rdev, caller(r));
      return entry(r, nodes.made(parent, name));
    });
  }

  @Override
  public void mkdir(Request r, long parent, String name, int mode) {
    changing(r, "mkdir", name, () -> {
      nodes.mkdir(parent, name, mode, caller(r));
      return entry(r, nodes.made(parent, name));
    });
  }

  @Override
  public void symlink(Request r, String target, long parent, String name) {
    changing(r, "symlink", name, () -> {
      nodes.symlink(target, parent, name, caller(r));
      return entry(r, nodes.made(parent, name));
    });
  }

  @Override
  public void link(Request r, long ino, long newParent, String newName) {
    changing(r, "link", newName, () -> {
      nodes.link(ino, newParent, newName);
      return entry(r, nodes.made(newParent, newName));
    });
  }

  @Override
  public void unlink(Request r, long parent, String name) {
    changing(r, "unlink", name, () -> {
      nodes.unlink(parent, name);
      return ok(r);
    });
  }

  @Override
  public void rmdir(Request r, long parent, String name) {
    changing(r, "rmdir", name, () -> {
      nodes.rmdir(parent, name);
      return ok(r);
    });
  }

  /**
   * rename and renameat2: RENAME_NOREPLACE checks, RENAME_EXCHANGE swaps the two names
   * ({@link NodeLayer#exchange}); RENAME_WHITEOUT, and EXCHANGE together with NOREPLACE, answer
   * EINVAL (kernel overlayfs answers EINVAL to RENAME_WHITEOUT too).
   */
  @Override
  public void rename(Request r, long parent, String name, long newParent, String newName, int flags) {
    changing(r, "rename", name, () -> {
      if (flags == RENAME_EXCHANGE) {
        nodes.exchange(parent, name, newParent, newName);
        return ok(r);
      }
      if ((flags & ~RENAME_NOREPLACE) != 0) {
        throw new UnionException(Errno.EINVAL, name, "rename flags 0x" + Integer.toHexString(flags) + " not supported");
      }
      nodes.rename(parent, name, newParent, newName, (flags & RENAME_NOREPLACE) != 0);
      return ok(r);
    });
  }

  // ---- attributes ----

  @Override
  public void getattr(Request r, long ino, FileInfo fi) {
    reading(r, "getattr", "", () -> {
      r.attr(nodes.attributes(ino, fh(fi)), timeout);
      return 0;
    });
  }

  @Override
  public void setattr(Request r, long ino, AttrChange change, FileInfo fi) {
    changing(r, "setattr", "", () -> {
      nodes.setattr(ino, change, fh(fi));
      r.attr(nodes.attributes(ino, fh(fi)), timeout);
      return 0;
    });
  }

  @Override
  public void readlink(Request r, long ino) {
    reading(r, "readlink", "", () -> {
      r.readlink(ops.readlink(nodes.path(ino)));
      return 0;
    });
  }

  @Override
  public void access(Request r, long ino, int mask) {
    reading(r, "access", "", () -> {
      ops.access(nodes.path(ino));
      return ok(r);
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
    changing(r, "setxattr", name, () -> {
      byte[] v = new byte[(int) size];
      value.get(0, v, 0, v.length);
      ops.setxattr(nodes.path(ino), name, v, flags);
      return ok(r);
    });
  }

  @Override
  public void getxattr(Request r, long ino, String name, long size) {
    reading(r, "getxattr", name, () -> sized(r, ops.getxattr(nodes.path(ino), name), size));
  }

  @Override
  public void listxattr(Request r, long ino, long size) {
    reading(r, "listxattr", "", () -> sized(r, Replies.nameList(ops.listxattr(nodes.path(ino))), size));
  }

  /** An xattr value or name list by the size convention ({@link Replies#fitsIn}). */
  private static int sized(Request r, byte[] data, long size) throws UnionException {
    if (Replies.fitsIn(data, size)) {
      r.data(data);
    } else {
      r.xattrSize(data.length);
    }
    return 0;
  }

  @Override
  public void removexattr(Request r, long ino, String name) {
    changing(r, "removexattr", name, () -> {
      ops.removexattr(nodes.path(ino), name);
      return ok(r);
    });
  }

  // ---- files ----

  /** The page cache is kept across opens in fixed mode; in changing mode while the data is unchanged. */
  @Override
  public void open(Request r, long ino, FileInfo fi) {
    boolean writing = UnionOps.writes(fi.flags());
    Barrier.Body body = () -> {
      long fh = nodes.open(ino, fi.flags());
      fi.fh(fh);
      if (fixed || nodes.sameDataAsLastOpen(ino, fh)) {
        fi.keepCache();
      }
      if (!r.open(fi)) {
        nodes.closeUnwanted(ino, fh);
      }
      return 0;
    };
    if (writing) {
      changing(r, "open", "", body); // may copy up
    } else {
      reading(r, "open", "", body);
    }
  }

  @Override
  public void create(Request r, long parent, String name, int mode, FileInfo fi) {
    changing(r, "create", name, () -> {
      NodeLayer.Created c = nodes.create(parent, name, mode, fi.flags(), caller(r));
      fi.fh(c.fh());
      if (!r.create(c.entry().node(), c.entry().attributes(), timeout, fi)) {
        nodes.closeUnwanted(c.entry().node(), c.fh());
        nodes.unreferenced(c.entry().node());
      }
      return 0;
    });
  }

  /**
   * Answered where {@link ReadDispatch} says: by a reader thread or on the loop. Spliced by
   * libfuse from the branch file's descriptor where {@link #spliceReads}, else read into a buffer
   * of ours with the ESTALE retry of {@link Replies#read}. (The handle is read here: {@code fi}
   * lives only as long as this callback.)
   */
  @Override
  public void read(Request r, long ino, long size, long offset, FileInfo fi) {
    long fh = fi.fh();
    reads.submit(fh, () -> answer(r, "read", "", () -> {
      if (spliceReads) {
        r.dataFrom(ops.file(fh).fd(), size, offset);
        return 0;
      }
      Pointer buf = Request.buffer(size);
      r.data(buf, Replies.read(ops, fh, buf, size, offset));
      return 0;
    }));
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
      return ok(r);
    });
  }

  @Override
  public void fallocate(Request r, long ino, int mode, long offset, long length, FileInfo fi) {
    answer(r, "fallocate", "", () -> {
      NativeFile.fallocate(ops.file(fi.fh()).fd(), mode, offset, length);
      return ok(r);
    });
  }

  @Override
  public void release(Request r, long ino, FileInfo fi) {
    changing(r, "release", "", () -> {
      nodes.release(ino, fi.fh());
      return ok(r);
    });
  }

  // ---- directories ----

  @Override
  public void opendir(Request r, long ino, FileInfo fi) {
    if (noOpendir) {
      // the kernel opens directories itself from now on, caching their listings (see
      // KernelCachedListings): no OPENDIR and RELEASEDIR round trips for each directory opened
      r.error(Errnos.toLinux(Errno.ENOSYS));
      return;
    }
    reading(r, "opendir", "", () -> {
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

  /**
   * Entries from the handle's listing, from {@code offset} on, as many as fit; with {@code plus}
   * each with its attributes and node (the kernel counts a reference for each it takes), "." and
   * ".." and names gone meanwhile without.
   */
  @Override
  public void readdir(Request r, long ino, long size, long offset, FileInfo fi, boolean plus) {
    reading(r, "readdir", "", () -> {
      boolean byNode = noOpendir && fi.fh() == 0;
      List<DirHandle.Entry> entries = byNode ? handleless.read(ino, offset) : ops.readdir(fi.fh(), offset);
      UnionPath dir = plus ? nodes.pathIfAttached(ino) : null;
      Request.Listing out = r.listing(size);
      int last = (int) offset;
      for (int i = (int) offset; i < entries.size(); i++) {
        DirHandle.Entry e = entries.get(i);
        byte[] name = NameCharset.bytes(e.name());
        if (!plus) {
          if (!out.add(name, e.ino(), e.typeBits(), i + 1)) {
            break;
          }
          last = i + 1;
          continue;
        }
        boolean dots = e.name().equals(".") || e.name().equals("..");
        NodeLayer.Entry n = dir == null || dots ? null : nodes.listed(ino, dir, e.name());
        boolean fits = n == null
            ? out.addPlus(name, 0, new Stat(0, e.ino(), e.typeBits(), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, i + 1)
            : out.addPlus(name, n.node(), n.attributes(), timeout, i + 1);
        if (!fits) {
          if (n != null) {
            nodes.unreferenced(n.node()); // did not fit: the kernel never saw it
          }
          break;
        }
        last = i + 1;
      }
      if (byNode && last == entries.size()) {
        handleless.finished(ino, entries);
      }
      out.send();
      return 0;
    });
  }

  @Override
  public void releasedir(Request r, long ino, FileInfo fi) {
    answer(r, "releasedir", "", () -> {
      ops.releasedir(fi.fh());
      return ok(r);
    });
  }
}
