package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.benmanes.caffeine.cache.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.unionfsjava.fs.nativeio.NativeBranchIo;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.BranchStack;
import org.unionfsjava.model.Caller;
import org.unionfsjava.model.CopyUp;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.DirectoryMerger;
import org.unionfsjava.model.FormatDetector;
import org.unionfsjava.model.Lookup;
import org.unionfsjava.model.Namespace;
import org.unionfsjava.model.WhiteoutChoice;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionPath;
import org.unionfsjava.model.UpperOnlyBranchIo;
import org.unionfsjava.model.WhiteoutFormat;
import org.unionfsjava.model.WorkDir;

/**
 * A union without a mount: {@link UnionOps} over {@code @TempDir} branches, built the way {@code
 * UnionMount.build} builds it (NativeBranchIo guarded by UpperOnlyBranchIo, work directory {@code UPPER/.unionfs-java}, the
 * format chosen by {@link FormatDetector}, umask 0), but with a {@link FakeTicker} for the cache
 * and an {@link ObservedBranchIo} around the real branch I/O.
 *
 * <p>The calls below are shaped like the FUSE callbacks: each runs through {@link Barrier} and
 * answers what the adapter would hand to the kernel (0, a byte count, or minus a Linux errno),
 * so tests can assert every return value of a replayed program.
 */
final class OpsFixture implements AutoCloseable {
  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int EIO = 5;
  static final int EBADF = 9;
  static final int EEXIST = 17;
  static final int EXDEV = 18;
  static final int ENOTDIR = 20;
  static final int EISDIR = 21;
  static final int EINVAL = 22;
  static final int ENOTEMPTY = 39;
  static final int ENODATA = 61;

  /** The cache's clock: moves only when a test says so (Caffeine wiki, "Testing"). */
  static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  /** What a callback answered: its return code and, for 0 (or a count), the value it produced. */
  record Answer<T>(int rc, T value) {
    /** The value; fails the test unless the call succeeded. */
    T require() {
      assertEquals(0, rc, "expected success, got errno " + -rc);
      return value;
    }
  }

  /** A callback body that produces a value. */
  @FunctionalInterface
  interface Body<T> {
    T get() throws IOException;
  }

  /** A callback body without a value. */
  @FunctionalInterface
  interface VoidBody {
    void run() throws IOException;
  }

  final String formatName;
  final Path upper;
  final List<Path> lowers;
  final Path workDir;
  final Duration ttl;
  final FakeTicker ticker = new FakeTicker();
  final ObservedBranchIo io;
  final WhiteoutFormat format;
  final ResolutionCache cache;
  final UnionOps ops;
  private final int savedUmask;

  private OpsFixture(Path root, String formatName, int lowerCount, LowerMode mode, Duration ttl,
      long cacheBytes) throws IOException {
    this.formatName = formatName;
    this.ttl = ttl;
    this.upper = Files.createDirectories(root.resolve("upper"));
    List<Path> ls = new ArrayList<>();
    for (int i = 1; i <= lowerCount; i++) {
      ls.add(Files.createDirectories(root.resolve("lower" + i)));
    }
    this.lowers = List.copyOf(ls);
    // as UnionMount.build: umask 0 (restored at close, the JVM is shared with other tests)
    this.savedUmask = NativeFile.setUmask(0);
    BranchStack stack = BranchStack.of(upper, lowers);
    this.workDir = upper.resolve(UnionMount.DEFAULT_WORKDIR_NAME);
    this.io = new ObservedBranchIo(new UpperOnlyBranchIo(new NativeBranchIo(), upper, workDir));
    String hiddenName = workDir.getFileName().toString();
    WorkDir work = new WorkDir(io, workDir);
    work.prepare();
    this.format = new FormatDetector(io).choose(WhiteoutChoice.of(formatName), upper, work, hiddenName);
    Lookup lookup = new Lookup(stack, io, format, hiddenName);
    this.cache = new ResolutionCache(lookup, mode, ttl, cacheBytes, ticker::read);
    DirectoryMerger merger = new DirectoryMerger(io, lookup);
    CopyUp copyUp = new CopyUp(io, format, work, cache, true);
    Namespace namespace = new Namespace(io, work, lookup, copyUp, merger);
    this.ops = new UnionOps(stack, io, format, cache, namespace, copyUp, merger, new OpenFileTable(), work);
  }

  /** A union of an upper and one lower in this format ("overlay" or "aufs"), cache TTL 1 s. */
  static OpsFixture of(Path root, String formatName) throws IOException {
    return new OpsFixture(root, formatName, 1, LowerMode.CHANGING, Duration.ofSeconds(1),
        Tuning.DEFAULT_CACHE_BYTES);
  }

  /** A union of an upper and one lower in fixed lower mode (nothing from a lower goes stale). */
  static OpsFixture ofFixedLowers(Path root, String formatName) throws IOException {
    return new OpsFixture(root, formatName, 1, LowerMode.FIXED, Duration.ofSeconds(1),
        Tuning.DEFAULT_CACHE_BYTES);
  }

  /** A union of an upper and {@code lowerCount} lowers, with this cache TTL. */
  static OpsFixture of(Path root, String formatName, int lowerCount, Duration ttl) throws IOException {
    return new OpsFixture(root, formatName, lowerCount, LowerMode.CHANGING, ttl,
        Tuning.DEFAULT_CACHE_BYTES);
  }

  /** As {@link #of(Path, String, int, Duration)} with the lookup cache bounded at {@code cacheBytes}. */
  static OpsFixture withCacheBytes(Path root, long cacheBytes) throws IOException {
    return new OpsFixture(root, "overlay", 1, LowerMode.CHANGING, Duration.ofSeconds(1), cacheBytes);
  }

  @Override
  public void close() {
    ops.table().closeAll();
    NativeFile.setUmask(savedUmask);
  }

  // ---- the branches, written directly (as another NFS client would) ----

  /** Lower i, counted from 1 = top. */
  Path lower(int i) {
    return lowers.get(i - 1);
  }

  /** Writes a file into a branch directory, creating its parents; returns its path. */
  static Path put(Path branchRoot, String rel, String content) throws IOException {
    Path p = branchRoot.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.write(p, content.getBytes(StandardCharsets.UTF_8));
    return p;
  }

  /** Moves the cache's clock forward. */
  void advance(Duration d) {
    ticker.advance(d);
  }

  /** Moves the cache's clock past the TTL. */
  void passTtl() {
    ticker.advance(ttl.plusNanos(1));
  }

  // ---- the callbacks, answering as the adapter does ----

  static UnionPath path(String p) {
    try {
      return UnionPath.of(p);
    } catch (IOException e) {
      throw new IllegalArgumentException(p, e);
    }
  }

  private static <T> Answer<T> answer(String op, String path, Body<T> body) {
    List<T> box = new ArrayList<>(1);
    int rc = Barrier.call(op, path, () -> {
      box.add(body.get());
      return 0;
    });
    return new Answer<>(rc, rc == 0 ? box.get(0) : null);
  }

  private static int call(String op, String path, VoidBody body) {
    return Barrier.call(op, path, () -> {
      body.run();
      return 0;
    });
  }

  Answer<Stat> getattr(String p) {
    return answer("getattr", p, () -> ops.getattr(UnionPath.of(p)));
  }

  Answer<Stat> fgetattr(long fh) {
    return answer("fgetattr", "#" + fh, () -> ops.fgetattr(fh));
  }

  int mkdir(String p, int mode) {
    return call("mkdir", p, () -> ops.mkdir(UnionPath.of(p), mode, Caller.ROOT));
  }

  int unlink(String p) {
    return call("unlink", p, () -> ops.unlink(UnionPath.of(p)));
  }

  int rmdir(String p) {
    return call("rmdir", p, () -> ops.rmdir(UnionPath.of(p)));
  }

  int rename(String from, String to) {
    return call("rename", from, () -> ops.rename(UnionPath.of(from), UnionPath.of(to)));
  }

  int link(String from, String to) {
    return call("link", from, () -> ops.link(UnionPath.of(from), UnionPath.of(to)));
  }

  int symlink(String target, String link) {
    return call("symlink", link, () -> ops.symlink(target, UnionPath.of(link), Caller.ROOT));
  }

  int chmod(String p, int mode) {
    return call("chmod", p, () -> ops.chmod(UnionPath.of(p), mode));
  }

  int chown(String p, int uid, int gid) {
    return call("chown", p, () -> ops.chown(UnionPath.of(p), uid, gid));
  }

  int truncate(String p, long size) {
    return call("truncate", p, () -> ops.truncate(UnionPath.of(p), size));
  }

  int utimens(String p, long atimeNs, long mtimeNs) {
    return call("utimens", p, () -> ops.utimens(UnionPath.of(p), atimeNs, mtimeNs));
  }

  Answer<Long> open(String p, int flags) {
    return answer("open", p, () -> ops.open(UnionPath.of(p), flags));
  }

  Answer<Long> create(String p, int mode, int flags) {
    return answer("create", p, () -> ops.create(UnionPath.of(p), mode, flags, Caller.ROOT));
  }

  /** write: the byte count or minus the errno, through native memory as the adapter writes. */
  int write(long fh, byte[] data, long offset) {
    Pointer buf = Memory.allocateDirect(Runtime.getSystemRuntime(), Math.max(1, data.length));
    buf.put(0, data, 0, data.length);
    return Barrier.call("write", "#" + fh, () -> NativeFile.pwrite(ops.file(fh).fd(), buf, data.length, offset));
  }

  /** read: the bytes read (their count is the answer's rc when it is not negative). */
  Answer<byte[]> read(long fh, int size, long offset) {
    Pointer buf = Memory.allocateDirect(Runtime.getSystemRuntime(), Math.max(1, size));
    int rc = Barrier.call("read", "#" + fh, () -> NativeFile.pread(ops.file(fh).fd(), buf, size, offset));
    if (rc < 0) {
      return new Answer<>(rc, null);
    }
    byte[] out = new byte[rc];
    buf.get(0, out, 0, rc);
    return new Answer<>(rc, out);
  }

  int fsync(long fh, boolean dataOnly) {
    return call("fsync", "#" + fh, () -> NativeFile.fsync(ops.file(fh).fd(), dataOnly));
  }

  int release(long fh) {
    return call("release", "#" + fh, () -> ops.release(fh));
  }

  Answer<Long> opendir(String p) {
    return answer("opendir", p, () -> ops.opendir(UnionPath.of(p)));
  }

  /** readdir from an offset: the entries the adapter would pass to the filler (from the offset on). */
  Answer<List<DirHandle.Entry>> readdir(long fh, long offset) {
    return answer("readdir", "#" + fh, () -> {
      List<DirHandle.Entry> all = ops.readdir(fh, offset);
      return offset >= all.size() ? List.of() : List.copyOf(all.subList((int) offset, all.size()));
    });
  }

  int releasedir(long fh) {
    return call("releasedir", "#" + fh, () -> ops.releasedir(fh));
  }

  Answer<byte[]> getxattr(String p, String name) {
    return answer("getxattr", p, () -> ops.getxattr(UnionPath.of(p), name));
  }

  Answer<List<String>> listxattr(String p) {
    return answer("listxattr", p, () -> ops.listxattr(UnionPath.of(p)));
  }

  int setxattr(String p, String name, byte[] value, int flags) {
    return call("setxattr", p, () -> ops.setxattr(UnionPath.of(p), name, value, flags));
  }

  int removexattr(String p, String name) {
    return call("removexattr", p, () -> ops.removexattr(UnionPath.of(p), name));
  }

  // ---- compound reads, every step asserted ----

  /** open(O_RDONLY), read to the end in 4 KiB calls, release: the content. */
  byte[] readFile(String p) {
    long fh = open(p, NativeFile.O_RDONLY).require();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long off = 0; ; ) {
      Answer<byte[]> r = read(fh, 4096, off);
      if (r.rc() < 0) {
        throw new AssertionError("read " + p + " at " + off + " failed with errno " + -r.rc());
      }
      if (r.rc() == 0) {
        break;
      }
      out.write(r.value(), 0, r.rc());
      off += r.rc();
    }
    assertEquals(0, release(fh), "release " + p);
    return out.toByteArray();
  }

  String readString(String p) {
    return new String(readFile(p), StandardCharsets.UTF_8);
  }

  /** opendir, readdir from 0, releasedir: the names without "." and "..". */
  List<String> list(String p) {
    long fh = opendir(p).require();
    List<String> names = new ArrayList<>();
    for (DirHandle.Entry e : readdir(fh, 0).require()) {
      if (!e.name().equals(".") && !e.name().equals("..")) {
        names.add(e.name());
      }
    }
    assertEquals(0, releasedir(fh), "releasedir " + p);
    return names;
  }

  // ---- branch snapshots, to show that a lower was not touched ----

  /**
   * Everything about a branch tree that the union must not change in a lower: per relative path
   * the kind, mode, owner, size, mtime (ns), content digest or symlink target, and xattrs.
   */
  Map<String, String> snapshot(Path branchRoot) throws IOException {
    Map<String, String> out = new TreeMap<>();
    snapshot(branchRoot, branchRoot, out);
    return out;
  }

  private void snapshot(Path root, Path p, Map<String, String> out) throws IOException {
    NativeBranchIo real = new NativeBranchIo();
    Stat st = real.lstat(p);
    StringBuilder sb = new StringBuilder();
    sb.append(st.kind()).append(" mode=").append(Integer.toOctalString(st.mode()))
        .append(" uid=").append(st.uid()).append(" gid=").append(st.gid())
        .append(" size=").append(st.size()).append(" mtime=").append(st.mtimeNs())
        .append(" ino=").append(st.ino()).append(" rdev=").append(st.rdev());
    switch (st.kind()) {
      case REGULAR -> sb.append(" sha256=").append(sha256(Files.readAllBytes(p)));
      case SYMLINK -> sb.append(" -> ").append(real.readlink(p));
      default -> { }
    }
    for (String x : new TreeSet<>(real.listXattrs(p))) {
      byte[] v = real.getXattr(p, x);
      sb.append(' ').append(x).append('=').append(v == null ? "?" : HexFormat.of().formatHex(v));
    }
    out.put(root.relativize(p).toString(), sb.toString());
    if (st.isDirectory()) {
      for (DirEntry e : real.list(p)) {
        snapshot(root, p.resolve(e.name()), out);
      }
    }
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
