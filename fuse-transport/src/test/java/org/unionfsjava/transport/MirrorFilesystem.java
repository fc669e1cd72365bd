package org.unionfsjava.transport;

import org.unionfsjava.transport.NativeCalls.LibC;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The test filesystem: a mirror of a directory served through the transport. Nodes are paths
 * with lookup counts (FORGET drops them); data goes through libc descriptors (reads spliced),
 * or passthrough when asked for and granted. It counts what reached it, so tests can tell
 * which requests the kernel sent.
 */
class MirrorFilesystem implements RequestHandler {
  static final long DEFAULT_TIMEOUT = TimeUnit.SECONDS.toNanos(1);
  /** Entry and attribute timeout of every answer. */
  volatile long timeout = DEFAULT_TIMEOUT;
  /** A lookup of this name blocks until the request is interrupted (answers EINTR then). */
  static final String BLOCKING_NAME = "blocks-until-interrupted";

  final Path root;
  final boolean passthrough;
  /** Answer READ by splicing from the file (else pread into the reply buffer and write). */
  volatile boolean splice = true;
  final AtomicInteger reads = new AtomicInteger();
  final AtomicInteger writes = new AtomicInteger();
  final AtomicInteger passthroughOpens = new AtomicInteger();
  final AtomicInteger refusedBacking = new AtomicInteger();
  final AtomicInteger lastBackingErrno = new AtomicInteger();
  final AtomicInteger interrupted = new AtomicInteger();
  final AtomicInteger blocked = new AtomicInteger();
  final AtomicLong forgets = new AtomicLong();
  volatile Connection connection;

  private final Map<Long, Node> nodes = new ConcurrentHashMap<>();
  private final Map<Path, Node> byPath = new ConcurrentHashMap<>();
  private final AtomicLong nextNode = new AtomicLong(2);
  private final Map<Long, OpenFile> files = new ConcurrentHashMap<>();
  private final AtomicLong nextHandle = new AtomicLong(1);
  private final Map<Long, List<Path>> listings = new ConcurrentHashMap<>();

  static final class Node {
    final long id;
    volatile Path path;
    final AtomicLong lookups = new AtomicLong();

    Node(long id, Path path) {
      this.id = id;
      this.path = path;
    }
  }

  record OpenFile(int fd, long node, int backingId) {}

  MirrorFilesystem(Path root, boolean passthrough) {
    this.root = root;
    this.passthrough = passthrough;
    Node r = new Node(Protocol.ROOT_ID, root);
    nodes.put(r.id, r);
    byPath.put(root, r);
  }

  /** The node id given for a path, or 0. */
  long nodeOf(Path p) {
    Node n = byPath.get(p);
    return n == null ? 0 : n.id;
  }

  /** Nodes the kernel still holds a reference to (root not counted). */
  int liveNodes() {
    return nodes.size() - 1;
  }

  @Override
  public void init(Connection c) {
    c.want(InitFlags.EXPORT_SUPPORT | InitFlags.CACHE_SYMLINKS | InitFlags.HANDLE_KILLPRIV_V2);
    connection = c;
  }

  private static String string(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return new String(a, StandardCharsets.UTF_8);
  }

  private Path path(long node) {
    Node n = nodes.get(node);
    return n == null ? null : n.path;
  }

  private static int errno(Exception e) {
    if (e instanceof NoSuchFileException) {
      return Errno.ENOENT;
    }
    if (e instanceof FileAlreadyExistsException) {
      return Errno.EEXIST;
    }
    if (e instanceof DirectoryNotEmptyException) {
      return Errno.ENOTEMPTY;
    }
    if (e instanceof NotDirectoryException) {
      return Errno.ENOTDIR;
    }
    if (e instanceof AccessDeniedException) {
      return Errno.EPERM;
    }
    if (e instanceof FileSystemException && String.valueOf(((FileSystemException) e).getReason()).contains("No data")) {
      return Errno.ENODATA;
    }
    if (e instanceof UnsupportedOperationException) {
      return Errno.EOPNOTSUPP;
    }
    return Errno.EIO;
  }

  static void fill(Attributes a, Path p) throws IOException {
    Map<String, Object> m = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
    a.ino = (Long) m.get("ino");
    a.size = (Long) m.get("size");
    a.blocks = (a.size + 511) / 512;
    a.mode = (Integer) m.get("mode");
    a.nlink = (Integer) m.get("nlink");
    a.uid = (Integer) m.get("uid");
    a.gid = (Integer) m.get("gid");
    a.rdev = ((Long) m.get("rdev")).intValue();
    a.blksize = 4096;
    long at = ((FileTime) m.get("lastAccessTime")).to(TimeUnit.NANOSECONDS);
    long mt = ((FileTime) m.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
    long ct = ((FileTime) m.get("ctime")).to(TimeUnit.NANOSECONDS);
    a.atime = Math.floorDiv(at, 1_000_000_000L);
    a.atimeNanos = (int) Math.floorMod(at, 1_000_000_000L);
    a.mtime = Math.floorDiv(mt, 1_000_000_000L);
    a.mtimeNanos = (int) Math.floorMod(mt, 1_000_000_000L);
    a.ctime = Math.floorDiv(ct, 1_000_000_000L);
    a.ctimeNanos = (int) Math.floorMod(ct, 1_000_000_000L);
  }

  private Node remember(Path p) {
    Node n = byPath.computeIfAbsent(p, q -> {
      Node fresh = new Node(nextNode.getAndIncrement(), q);
      nodes.put(fresh.id, fresh);
      return fresh;
    });
    n.lookups.incrementAndGet();
    return n;
  }

  private void entry(Request r, Path p) throws IOException {
    Attributes a = r.attributes();
    fill(a, p);
    Node n = remember(p);
    if (!r.replyEntry(n.id, 0, timeout, timeout, a)) {
      forget(n.id, 1);
    }
  }

  @Override
  public void lookup(Request r, long parent, ByteBuffer name) {
    String s = string(name);
    if (s.equals(BLOCKING_NAME)) {
      blockUntilInterrupted(r);
      return;
    }
    Path dir = path(parent);
    if (dir == null) {
      r.replyError(Errno.ENOENT);
      return;
    }
    Path p = s.equals(".") ? dir : s.equals("..") ? (dir.equals(root) ? dir : dir.getParent()) : dir.resolve(s);
    try {
      entry(r, p);
    } catch (NoSuchFileException e) {
      r.replyNegativeEntry(timeout);
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  private void blockUntilInterrupted(Request r) {
    blocked.incrementAndGet();
    Object signal = new Object();
    r.onInterrupt(() -> {
      synchronized (signal) {
        signal.notifyAll();
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    synchronized (signal) {
      while (!r.interrupted() && System.nanoTime() < deadline) {
        try {
          signal.wait(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (r.interrupted()) {
      interrupted.incrementAndGet();
    }
    r.replyError(Errno.EINTR);
  }

  @Override
  public void forget(long node, long nlookup) {
    forgets.addAndGet(nlookup);
    Node n = nodes.get(node);
    if (n != null && node != Protocol.ROOT_ID && n.lookups.addAndGet(-nlookup) <= 0) {
      nodes.remove(node);
      byPath.remove(n.path, n);
    }
  }

  @Override
  public void getattr(Request r, long node, int flags, long fh) {
    Path p = path(node);
    if (p == null) {
      r.replyError(Errno.ENOENT);
      return;
    }
    try {
      Attributes a = r.attributes();
      fill(a, p);
      r.replyAttr(a, timeout);
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void setattr(Request r, long node, AttributeChange c) {
    Path p = path(node);
    try {
      if (c.has(Protocol.FATTR_MODE)) {
        Files.setAttribute(p, "unix:mode", c.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
      }
      if (c.has(Protocol.FATTR_UID) || c.has(Protocol.FATTR_GID)) {
        if (c.has(Protocol.FATTR_UID)) {
          Files.setAttribute(p, "unix:uid", c.uid(), LinkOption.NOFOLLOW_LINKS);
        }
        if (c.has(Protocol.FATTR_GID)) {
          Files.setAttribute(p, "unix:gid", c.gid(), LinkOption.NOFOLLOW_LINKS);
        }
      }
      if (c.has(Protocol.FATTR_SIZE)) {
        try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
          if (c.size() < ch.size()) {
            ch.truncate(c.size());
          } else if (c.size() > ch.size()) {
            ch.write(ByteBuffer.allocate(1), c.size() - 1);
            ch.truncate(c.size());
          }
        }
      }
      if (c.has(Protocol.FATTR_MTIME) || c.has(Protocol.FATTR_MTIME_NOW)) {
        FileTime t = c.has(Protocol.FATTR_MTIME_NOW) ? FileTime.fromMillis(System.currentTimeMillis())
            : FileTime.from(c.mtime() * 1_000_000_000L + c.mtimeNanos(), TimeUnit.NANOSECONDS);
        Files.setLastModifiedTime(p, t);
      }
      getattr(r, node, 0, 0);
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void readlink(Request r, long node) {
    try {
      r.replyData(Files.readSymbolicLink(path(node)).toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void symlink(Request r, long parent, ByteBuffer name, ByteBuffer target) {
    try {
      Path p = path(parent).resolve(string(name));
      Files.createSymbolicLink(p, Path.of(string(target)));
      entry(r, p);
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void mkdir(Request r, long parent, ByteBuffer name, int mode, int umask) {
    try {
      Path p = path(parent).resolve(string(name));
      Files.createDirectory(p);
      Files.setAttribute(p, "unix:mode", mode & ~umask & 07777);
      entry(r, p);
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void unlink(Request r, long parent, ByteBuffer name) {
    try {
      Path p = path(parent).resolve(string(name));
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        r.replyError(Errno.EISDIR);
        return;
      }
      Files.delete(p);
      r.replyOk();
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void rmdir(Request r, long parent, ByteBuffer name) {
    try {
      Path p = path(parent).resolve(string(name));
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        r.replyError(Errno.ENOTDIR);
        return;
      }
      Files.delete(p);
      r.replyOk();
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void rename(Request r, long parent, ByteBuffer name, long newParent, ByteBuffer newName, int flags) {
    if ((flags & ~RENAME_NOREPLACE) != 0) {
      r.replyError(Errno.EINVAL);
      return;
    }
    Path from = path(parent).resolve(string(name));
    Path to = path(newParent).resolve(string(newName));
    try {
      if ((flags & RENAME_NOREPLACE) != 0) {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      Node moved = byPath.remove(from);
      if (moved != null) {
        moved.path = to;
        byPath.put(to, moved);
      }
      r.replyOk();
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  private int openFd(Path p, int flags) {
    int fd = LibC.INSTANCE.open(p.toString(), flags & ~(LibC.O_CLOEXEC | 0100 | 0200 | 01000) | LibC.O_CLOEXEC, 0);
    return fd < 0 ? -LibC.errno() : fd;
  }

  private void opened(Request r, long node, Path p, int fd, int flags, Attributes created) {
    int backing = 0;
    if (passthrough) {
      backing = r.session().backingFiles().open(fd);
      if (backing > 0) {
        passthroughOpens.incrementAndGet();
      } else {
        refusedBacking.incrementAndGet();
        lastBackingErrno.set(-backing);
        backing = 0;
      }
    }
    long fh = nextHandle.getAndIncrement();
    files.put(fh, new OpenFile(fd, node, backing));
    boolean taken;
    if (created != null) {
      Node n = nodes.get(node);
      taken = r.replyCreate(node, 0, timeout, timeout, created, fh, 0, backing);
      if (!taken) {
        forget(n.id, 1);
      }
    } else {
      taken = backing > 0 ? r.replyOpenPassthrough(fh, 0, backing) : r.replyOpen(fh, 0);
    }
    if (!taken) {
      closeHandle(r.session(), fh);
    }
  }

  @Override
  public void open(Request r, long node, int flags) {
    Path p = path(node);
    int fd = openFd(p, flags);
    if (fd < 0) {
      r.replyError(-fd);
      return;
    }
    opened(r, node, p, fd, flags, null);
  }

  @Override
  public void create(Request r, long parent, ByteBuffer name, int flags, int mode, int umask) {
    Path p = path(parent).resolve(string(name));
    int fd = LibC.INSTANCE.open(p.toString(), flags | 0100 | LibC.O_CLOEXEC, mode & ~umask & 07777);
    if (fd < 0) {
      r.replyError(LibC.errno());
      return;
    }
    try {
      Attributes a = r.attributes();
      fill(a, p);
      Node n = remember(p);
      opened(r, n.id, p, fd, flags, a);
    } catch (IOException e) {
      LibC.INSTANCE.close(fd);
      r.replyError(errno(e));
    }
  }

  @Override
  public void read(Request r, long node, long fh, long offset, int size, int flags) {
    reads.incrementAndGet();
    OpenFile f = files.get(fh);
    if (f == null) {
      r.replyError(Errno.EBADF);
      return;
    }
    if (splice) {
      r.replyDataFrom(f.fd(), offset, size);
      return;
    }
    ByteBuffer b = r.dataBuffer(size);
    long n = LibC.INSTANCE.pread(f.fd(), NativeBuffer.addressOf(b), size, offset);
    if (n < 0) {
      r.replyError(LibC.errno());
    } else {
      r.replyData((int) n);
    }
  }

  @Override
  public void write(Request r, long node, long fh, long offset, ByteBuffer data, int writeFlags, int flags) {
    writes.incrementAndGet();
    OpenFile f = files.get(fh);
    if (f == null) {
      r.replyError(Errno.EBADF);
      return;
    }
    long n = LibC.INSTANCE.pwrite(f.fd(), NativeBuffer.addressOf(data) + data.position(), data.remaining(), offset);
    if (n < 0) {
      r.replyError(LibC.errno());
    } else {
      r.replyWrite((int) n);
    }
  }

  @Override
  public void flush(Request r, long node, long fh, long lockOwner) {
    r.replyOk();
  }

  @Override
  public void fsync(Request r, long node, long fh, boolean dataOnly) {
    OpenFile f = files.get(fh);
    if (f == null) {
      r.replyError(Errno.EBADF);
    } else if (LibC.INSTANCE.fsync(f.fd()) != 0) {
      r.replyError(LibC.errno());
    } else {
      r.replyOk();
    }
  }

  private void closeHandle(Session s, long fh) {
    OpenFile f = files.remove(fh);
    if (f != null) {
      if (f.backingId() > 0) {
        s.backingFiles().close(f.backingId());
      }
      LibC.INSTANCE.close(f.fd());
    }
  }

  @Override
  public void release(Request r, long node, long fh, int flags, int releaseFlags) {
    closeHandle(r.session(), fh);
    r.replyOk();
  }

  @Override
  public void statfs(Request r, long node) {
    try {
      FileStore s = Files.getFileStore(root);
      long bsize = 4096;
      r.replyStatfs(s.getTotalSpace() / bsize, s.getUnallocatedSpace() / bsize, s.getUsableSpace() / bsize,
          1_000_000, 500_000, (int) bsize, 255, (int) bsize);
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  private static String userAttribute(ByteBuffer name) {
    String s = string(name);
    return s.startsWith("user.") ? s.substring(5) : null;
  }

  @Override
  public void setxattr(Request r, long node, ByteBuffer name, ByteBuffer value, int flags) {
    String n = userAttribute(name);
    if (n == null) {
      r.replyError(Errno.EOPNOTSUPP);
      return;
    }
    try {
      Files.getFileAttributeView(path(node), UserDefinedFileAttributeView.class).write(n, value.duplicate());
      r.replyOk();
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void getxattr(Request r, long node, ByteBuffer name, int size) {
    String n = userAttribute(name);
    if (n == null) {
      r.replyError(Errno.ENODATA);
      return;
    }
    try {
      UserDefinedFileAttributeView v = Files.getFileAttributeView(path(node), UserDefinedFileAttributeView.class);
      if (!v.list().contains(n)) {
        r.replyError(Errno.ENODATA);
        return;
      }
      int length = v.size(n);
      if (size == 0) {
        r.replyXattrSize(length);
      } else if (size < length) {
        r.replyError(Errno.ERANGE);
      } else {
        ByteBuffer b = r.dataBuffer(length);
        v.read(n, b);
        r.replyData(length);
      }
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void listxattr(Request r, long node, int size) {
    try {
      StringBuilder sb = new StringBuilder();
      for (String n : Files.getFileAttributeView(path(node), UserDefinedFileAttributeView.class).list()) {
        sb.append("user.").append(n).append('\0');
      }
      byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
      if (size == 0) {
        r.replyXattrSize(b.length);
      } else if (size < b.length) {
        r.replyError(Errno.ERANGE);
      } else {
        r.replyData(b);
      }
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void removexattr(Request r, long node, ByteBuffer name) {
    String n = userAttribute(name);
    try {
      UserDefinedFileAttributeView v = Files.getFileAttributeView(path(node), UserDefinedFileAttributeView.class);
      if (n == null || !v.list().contains(n)) {
        r.replyError(Errno.ENODATA);
        return;
      }
      v.delete(n);
      r.replyOk();
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void opendir(Request r, long node, int flags) {
    Path p = path(node);
    try (Stream<Path> s = Files.list(p)) {
      List<Path> entries = new ArrayList<>(s.sorted().toList());
      long fh = nextHandle.getAndIncrement();
      listings.put(fh, entries);
      r.replyOpen(fh, 0);
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void readdir(Request r, long node, long fh, long offset, int size, boolean plus) {
    List<Path> entries = listings.get(fh);
    if (entries == null) {
      r.replyError(Errno.EBADF);
      return;
    }
    DirectoryListing l = r.listing(size);
    try {
      for (long i = offset; i < entries.size() + 2; i++) {
        boolean dot = i < 2;
        Path p = dot ? path(node) : entries.get((int) (i - 2));
        ByteBuffer name = ByteBuffer.wrap((i == 0 ? "." : i == 1 ? ".." : p.getFileName().toString())
            .getBytes(StandardCharsets.UTF_8));
        Attributes a = r.attributes();
        try {
          fill(a, p);
        } catch (NoSuchFileException gone) {
          continue;
        }
        boolean fit;
        if (!plus) {
          fit = l.add(name, a.ino, a.direntType(), i + 1);
        } else if (dot) {
          fit = l.addPlus(name, 0, 0, 0, 0, a, i + 1);
        } else {
          Node n = remember(p);
          fit = l.addPlus(name, n.id, 0, timeout, timeout, a, i + 1);
          if (!fit) {
            forget(n.id, 1);
          }
        }
        if (!fit) {
          break;
        }
      }
      l.reply();
    } catch (IOException e) {
      r.replyError(errno(e));
    }
  }

  @Override
  public void releasedir(Request r, long node, long fh, int flags) {
    listings.remove(fh);
    r.replyOk();
  }

  @Override
  public void access(Request r, long node, int mask) {
    r.replyOk();
  }

}
