package org.unionfsjava.fs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.BranchStack;
import org.unionfsjava.model.Caller;
import org.unionfsjava.model.CopyUp;
import org.unionfsjava.model.DirectoryMerger;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.HardLinkIndex;
import org.unionfsjava.model.Layer;
import org.unionfsjava.model.MergedEntry;
import org.unionfsjava.model.Namespace;
import org.unionfsjava.model.Origin;
import org.unionfsjava.model.Resolution;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;
import org.unionfsjava.model.WhiteoutFormat;
import org.unionfsjava.model.WorkDir;

/**
 * The union's operations in plain Java: each resolves (through the cache), acts through the model
 * and the branch I/O, and drops from the cache exactly what it changed. No FUSE types here; the
 * adapter {@link UnionFuse} decodes and encodes.
 *
 * <p>Invalidation: every operation that changes a name calls {@link ResolutionCache#invalidate}
 * for that name (which also drops the ancestors it copied up); rename and exchange for both names.
 */
final class UnionOps {
  private static final int O_ACCMODE = 3;
  private static final int O_DIRECT = 040000;

  private final BranchStack stack;
  private final BranchIo io;
  private final WhiteoutFormat format;
  private final ResolutionCache cache;
  private final Namespace namespace;
  private final CopyUp copyUp;
  private final DirectoryMerger merger;
  private final OpenFileTable table;
  private final UnlinkedOpenFiles unlinked;
  private final HardLinkIndex index;
  /** Origins of upper objects by resolution (see {@link #originOf}); a one-element array holds "none". */
  private final Cache<Resolution.Visible, Origin[]> origins = Caffeine.newBuilder()
      .weakKeys().maximumSize(100_000).executor(Runnable::run).build();

  /** The branches, upper first. */
  BranchStack stack() {
    return stack;
  }

  UnionOps(BranchStack stack, BranchIo io, WhiteoutFormat format, ResolutionCache cache,
      Namespace namespace, CopyUp copyUp, DirectoryMerger merger, OpenFileTable table, WorkDir work) {
    this.stack = stack;
    this.io = io;
    this.format = format;
    this.cache = cache;
    this.namespace = namespace;
    this.copyUp = copyUp;
    this.merger = merger;
    this.table = table;
    this.unlinked = new UnlinkedOpenFiles(io, namespace, work, table);
    this.index = copyUp.index();
  }

  OpenFileTable table() {
    return table;
  }

  private Resolution resolve(UnionPath p) throws IOException {
    if (UnlinkedOpenFiles.isHiddenName(p)) {
      return unlinked.resolve(p);
    }
    return cache.resolve(p);
  }

  /** Refuses names the union reserves for itself (libfuse2's hidden names). */
  private static UnionPath creatable(UnionPath p) throws UnionException {
    if (UnlinkedOpenFiles.isHiddenName(p)) {
      throw new UnionException(Errno.EINVAL, p.toString(), "names starting with "
          + UnlinkedOpenFiles.PREFIX + " are reserved for open files being unlinked");
    }
    return p;
  }

  private Resolution.Visible visible(UnionPath p) throws IOException {
    return resolve(p).requireVisible();
  }

  private Resolution.Visible parentOf(UnionPath p) throws IOException {
    return resolve(p.parent()).requireDirectory();
  }

  // ---- attributes ----

  /** The attributes the union reports for a path. */
  Stat getattr(UnionPath p) throws IOException {
    return reported(visible(p));
  }

  /** The attributes of an open file. */
  Stat fgetattr(long fh) throws IOException {
    OpenFile f = table.file(fh);
    UnionPath hidden = unlinked.hiddenPathOf(fh);
    if (hidden != null) {
      return getattr(hidden); // unlinked while open: what its hidden name reports (its names left)
    }
    if (f.attrPath() != null) {
      Stat meta = io.lstat(f.attrPath());
      if (meta != null) {
        return meta.withInode(upperIno(f.attrPath(), meta.ino()), meta.nlink() - unlinked.keptLinks(meta));
      }
    }
    Stat st = NativeFile.fstat(f.fd());
    if (f.branch().isUpper()) {
      long ino = InodeNumbers.ofUpper(st.ino(), Origin.parse(NativeFile.fgetxattr(f.fd(), format.originXattr())));
      return st.withInode(ino, st.nlink() - unlinked.keptLinks(st));
    }
    return st.withInode(InodeNumbers.of(f.branch().index(), st.ino()), st.nlink());
  }

  /**
   * The origin an upper object recorded, read once per resolution: only the union sets or moves
   * an origin (copy-up, rename), and each such change drops the name's resolution, so a cached
   * answer lives exactly as long as the resolution it was read for (identity keys, weak).
   */
  private Origin originOf(Resolution.Visible v) throws IOException {
    Origin[] known = origins.getIfPresent(v);
    if (known == null) {
      known = new Origin[] {Origin.parse(io.getXattr(v.top().path(), format.originXattr()))};
      origins.put(v, known);
    }
    return known[0];
  }

  /** The union's inode number of an upper object: its origin's, if it recorded one. */
  private long upperIno(Path real, long realIno) throws IOException {
    return InodeNumbers.ofUpper(realIno, Origin.parse(io.getXattr(real, format.originXattr())));
  }

  private Stat reported(Resolution.Visible v) throws IOException {
    Layer top = v.top();
    if (top.inUpper()) {
      Stat st = io.lstat(top.path()); // the upper changes through open files too: always fresh
      if (st == null) {
        cache.invalidate(v.path());
        throw new UnionException(Errno.ENOENT, v.path().toString(), "vanished from the upper");
      }
      Path idx = index.indexOfUpper(top.path(), st);
      // a file unlinked while open keeps a link in the work directory, which is no union name
      long nlink = idx != null ? index.links(idx, st) : st.isDirectory() && v.hasLowerLayers() ? 1
          : st.isDirectory() ? st.nlink() : st.nlink() - unlinked.keptLinks(st);
      if (v.isMetacopy()) {
        Stat data = io.lstat(v.dataLayer().path()); // a metacopy is sparse: its blocks are the lower's
        if (data != null) {
          st = new Stat(st.dev(), st.ino(), st.mode(), st.nlink(), st.uid(), st.gid(), st.rdev(),
              st.size(), st.blksize(), data.blocks(), st.atimeNs(), st.mtimeNs(), st.ctimeNs());
        }
      }
      return st.withInode(InodeNumbers.ofUpper(st.ino(), originOf(v)), nlink);
    }
    Path idx = index.existingFor(v);
    if (idx != null) {
      // another name of this hard-linked lower file was copied up: all names show that copy
      Stat st = io.lstat(idx);
      if (st != null) {
        return st.withInode(upperIno(idx, st.ino()), index.links(idx, st));
      }
    }
    Stat st = v.stat();
    // a lower file unlinked while open (its hidden name) has no union names left
    long nlink = UnlinkedOpenFiles.isHiddenName(v.path()) ? 0
        : st.isDirectory() && v.hasLowerLayers() ? 1 : st.nlink();
    return st.withInode(InodeNumbers.of(top.branch().index(), st.ino()), nlink);
  }

  /**
   * The index copy behind a visible object about to lose a name: a hard-linked lower file gets
   * one now if it has none (its link count lives there); null for an object that is no hard link.
   */
  private Path indexOf(Resolution.Visible v) throws IOException {
    if (HardLinkIndex.applies(v)) {
      return copyUp.ensureIndexed(v);
    }
    if (v.inUpper()) {
      Stat st = io.lstat(v.top().path());
      return st == null ? null : index.indexOfUpper(v.top().path(), st);
    }
    return index.existingFor(v);
  }

  String readlink(UnionPath p) throws IOException {
    Resolution.Visible v = visible(p);
    if (v.kind() != FileKind.SYMLINK) {
      throw new UnionException(Errno.EINVAL, p.toString(), "not a symbolic link");
    }
    return io.readlink(v.top().path());
  }

  void access(UnionPath p) throws IOException {
    visible(p);
  }

  NativeFile.FsStats statfs() throws IOException {
    return NativeFile.statvfs(stack.upper().root());
  }

  // ---- changes of attributes (each copies up first) ----

  private Path upperFor(Resolution.Visible v, boolean withData) throws IOException {
    if (v.inUpper() && !v.isMetacopy()) {
      return v.top().path();
    }
    if (UnlinkedOpenFiles.isHiddenName(v.path())) {
      throw new UnionException(Errno.EPERM, v.path().toString(), "an unlinked lower file cannot be changed");
    }
    Path up = copyUp.ensureUpper(v, withData);
    cache.invalidate(v.path());
    return up;
  }

  /** The upper object for a change of attributes only: a regular file gets a metadata-only copy. */
  private Path upperForMetadata(Resolution.Visible v) throws IOException {
    if (v.inUpper()) {
      return v.top().path();
    }
    if (UnlinkedOpenFiles.isHiddenName(v.path())) {
      throw new UnionException(Errno.EPERM, v.path().toString(), "an unlinked lower file cannot be changed");
    }
    Path up = copyUp.ensureUpperMetadata(v);
    cache.invalidate(v.path());
    return up;
  }

  void chmod(UnionPath p, int mode) throws IOException {
    Resolution.Visible v = visible(p);
    io.chmod(upperForMetadata(v), mode & 07777);
  }

  void chown(UnionPath p, int uid, int gid) throws IOException {
    Resolution.Visible v = visible(p);
    io.lchown(upperForMetadata(v), uid, gid);
  }

  void utimens(UnionPath p, long atimeNs, long mtimeNs) throws IOException {
    Resolution.Visible v = visible(p);
    if (atimeNs == BranchIo.UTIME_OMIT && mtimeNs == BranchIo.UTIME_OMIT) {
      return;
    }
    io.utimens(upperForMetadata(v), atimeNs, mtimeNs);
  }

  void truncate(UnionPath p, long size) throws IOException {
    Resolution.Visible v = visible(p);
    if (v.isDirectory()) {
      throw new UnionException(Errno.EISDIR, p.toString(), "is a directory");
    }
    io.truncate(upperFor(v, size > 0), size);
  }

  // ---- xattrs (the format's own are invisible) ----

  byte[] getxattr(UnionPath p, String name) throws IOException {
    Resolution.Visible v = visible(p);
    byte[] value = format.isPrivateXattr(name) ? null : io.getXattr(v.top().path(), name);
    if (value == null) {
      throw new UnionException(Errno.ENODATA, p.toString(), "no attribute " + name);
    }
    return value;
  }

  List<String> listxattr(UnionPath p) throws IOException {
    Resolution.Visible v = visible(p);
    List<String> out = new ArrayList<>();
    for (String n : io.listXattrs(v.top().path())) {
      if (!format.isPrivateXattr(n)) {
        out.add(n);
      }
    }
    return out;
  }

  void setxattr(UnionPath p, String name, byte[] value, int flags) throws IOException {
    Resolution.Visible v = visible(p);
    if (format.isPrivateXattr(name)) {
      throw new UnionException(Errno.EPERM, p.toString(), name + " belongs to the union's format");
    }
    io.setXattr(upperForMetadata(v), name, value, flags);
  }

  void removexattr(UnionPath p, String name) throws IOException {
    Resolution.Visible v = visible(p);
    if (format.isPrivateXattr(name) || io.getXattr(v.top().path(), name) == null) {
      throw new UnionException(Errno.ENODATA, p.toString(), "no attribute " + name);
    }
    io.removeXattr(upperForMetadata(v), name);
  }

  // ---- names ----

  void mknod(UnionPath p, int mode, long rdev, Caller caller) throws IOException {
    format.checkUserNode(p, mode, rdev); // before anything changes: overlay refuses its whiteout 0/0
    Resolution r = resolve(creatable(p));
    boolean regular = (mode & FileKind.S_IFMT) == FileKind.REGULAR.typeBits() || (mode & FileKind.S_IFMT) == 0;
    namespace.create(r, caller, false, at -> {
      if (regular) {
        io.createFile(at, mode & 07777);
      } else {
        io.mknod(at, mode, rdev);
      }
    });
    cache.invalidate(p);
  }

  void mkdir(UnionPath p, int mode, Caller caller) throws IOException {
    Resolution r = resolve(creatable(p));
    namespace.create(r, caller, true, at -> io.mkdir(at, mode & 07777));
    cache.invalidate(p);
  }

  void symlink(String target, UnionPath link, Caller caller) throws IOException {
    Resolution r = resolve(creatable(link));
    namespace.create(r, caller, false, at -> io.symlink(target, at));
    cache.invalidate(link);
  }

  void link(UnionPath from, UnionPath to) throws IOException {
    Resolution.Visible src = visible(from);
    Resolution dst = resolve(creatable(to));
    try {
      Path at = namespace.link(src, dst);
      Path idx = index.indexOfUpper(at, io.lstat(at));
      if (idx != null) {
        index.adjustLinks(idx, +1);
      }
    } finally {
      cache.invalidate(from);
      cache.invalidate(to);
    }
  }

  void unlink(UnionPath p) throws IOException {
    if (UnlinkedOpenFiles.isHiddenName(p)) {
      unlinked.remove(p);
      return;
    }
    Resolution.Visible v = visible(p);
    try {
      Path idx = indexOf(v);
      namespace.unlink(v, parentOf(p));
      if (idx != null) {
        index.adjustLinks(idx, -1);
      }
    } finally {
      cache.invalidate(p);
    }
  }

  void rmdir(UnionPath p) throws IOException {
    Resolution.Visible v = visible(p);
    try {
      namespace.rmdir(v, parentOf(p));
    } finally {
      cache.invalidate(p);
    }
  }

  void rename(UnionPath from, UnionPath to) throws IOException {
    Resolution.Visible src = visible(from);
    Resolution.Visible srcParent = parentOf(from);
    if (UnlinkedOpenFiles.isHiddenName(to)) {
      try {
        Path idx = indexOf(src);
        unlinked.hide(src, srcParent, to); // libfuse2 unlinking a file that is still open
        if (idx != null) {
          index.adjustLinks(idx, -1);
        }
      } finally {
        cache.invalidate(from);
      }
      return;
    }
    if (UnlinkedOpenFiles.isHiddenName(from)) {
      throw new UnionException(Errno.EINVAL, from.toString(), "an unlinked file cannot be renamed");
    }
    Resolution dst = resolve(to);
    Resolution.Visible dstParent = resolve(to.parent()).requireDirectory();
    try {
      namespace.rename(src, srcParent, dst, dstParent);
    } finally {
      cache.invalidate(from);
      cache.invalidate(to);
    }
  }

  /**
   * renameat2(RENAME_EXCHANGE): both names must be visible (ENOENT), neither a hidden name of an
   * unlinked open file (EINVAL); the model swaps the two objects (see Namespace#exchange), and
   * both names are dropped from the cache with everything below them.
   */
  void exchange(UnionPath a, UnionPath b) throws IOException {
    if (UnlinkedOpenFiles.isHiddenName(a) || UnlinkedOpenFiles.isHiddenName(b)) {
      throw new UnionException(Errno.EINVAL, a.toString(), "an unlinked file cannot be exchanged");
    }
    Resolution.Visible va = visible(a);
    Resolution.Visible vb = visible(b);
    Resolution.Visible aParent = parentOf(a);
    Resolution.Visible bParent = parentOf(b);
    try {
      namespace.exchange(va, aParent, vb, bParent);
    } finally {
      cache.invalidate(a);
      cache.invalidate(b);
    }
  }

  // ---- open files ----

  /** Opens a file; an open for writing or with O_TRUNC copies it up first. Returns the handle. */
  /** An open with these flags may write (or truncate): it copies a lower file up first. */
  static boolean writes(int flags) {
    return (flags & O_ACCMODE) != NativeFile.O_RDONLY || (flags & NativeFile.O_TRUNC) != 0;
  }

  long open(UnionPath p, int flags) throws IOException {
    Resolution.Visible v = visible(p);
    boolean writing = writes(flags);
    if (v.isDirectory() && writing) {
      throw new UnionException(Errno.EISDIR, p.toString(), "is a directory");
    }
    int realFlags = (flags & ~(NativeFile.O_CREAT | NativeFile.O_EXCL | O_DIRECT)) | NativeFile.O_CLOEXEC;
    if (writing && (!v.inUpper() || v.isMetacopy())) {
      Path up = upperFor(v, (flags & NativeFile.O_TRUNC) == 0);
      return table.addFile(new OpenFile(NativeFile.open(up, realFlags, 0), stack.upper(), p, flags, up));
    }
    if (v.isMetacopy()) {
      Layer data = v.dataLayer();
      int fd = NativeFile.open(data.path(), realFlags, 0);
      return table.addFile(new OpenFile(fd, data.branch(), p, flags, data.path(), v.top().path(), NativeFile.fstat(fd)));
    }
    Layer top = v.top();
    Path idx = index.existingFor(v);
    if (idx != null) {
      return table.addFile(new OpenFile(NativeFile.open(idx, realFlags, 0), stack.upper(), p, flags, idx));
    }
    int fd = NativeFile.open(top.path(), realFlags, 0);
    Stat atOpen = top.inUpper() ? null : NativeFile.fstat(fd);
    long fh = table.addFile(new OpenFile(fd, top.branch(), p, flags, top.path(), null, atOpen));
    if (UnlinkedOpenFiles.isHiddenName(p)) {
      unlinked.opened(p, fh);
    }
    return fh;
  }

  /** Creates and opens a new regular file (O_CREAT|O_EXCL semantics; FUSE calls it only for a new name). */
  long create(UnionPath p, int mode, int flags, Caller caller) throws IOException {
    Resolution r = resolve(creatable(p));
    if (r instanceof Resolution.Visible) {
      if ((flags & NativeFile.O_EXCL) != 0) {
        throw new UnionException(Errno.EEXIST, p.toString(), "file exists");
      }
      return open(p, flags);
    }
    int[] fd = {-1};
    int realFlags = (flags & ~(O_DIRECT | NativeFile.O_TRUNC)) | NativeFile.O_CREAT | NativeFile.O_EXCL | NativeFile.O_CLOEXEC;
    try {
      namespace.create(r, caller, false, at -> fd[0] = NativeFile.open(at, realFlags, mode & 07777));
    } catch (IOException | RuntimeException e) {
      if (fd[0] >= 0) {
        NativeFile.close(fd[0]);
      }
      throw e;
    } finally {
      cache.invalidate(p);
    }
    return table.addFile(new OpenFile(fd[0], stack.upper(), p, flags, null));
  }

  OpenFile file(long fh) throws UnionException {
    return table.file(fh);
  }

  /**
   * Reopens a read-only lower file whose descriptor went stale (ESTALE: its NFS server restarted
   * and forgot the handle), if the file at its path is still the same one (inode, size, mtime);
   * otherwise answers ESTALE, so a file replaced on the server never mixes two versions.
   */
  OpenFile reopenStale(long fh) throws IOException {
    return reopenStale(fh, table.file(fh));
  }

  /**
   * As {@link #reopenStale(long)} for the descriptor a read found stale: reads may run in
   * parallel, so if another one reopened the file meanwhile, its descriptor is the answer (the
   * stale one is closed once, by whoever replaced it).
   */
  synchronized OpenFile reopenStale(long fh, OpenFile stale) throws IOException {
    OpenFile f = table.file(fh);
    if (f != stale) {
      return f;
    }
    Stat was = f.atOpen();
    Stat now = f.real() == null ? null : io.lstat(f.real());
    if (was == null || now == null || now.ino() != was.ino() || now.size() != was.size()
        || now.mtimeNs() != was.mtimeNs()) {
      throw new UnionException(Errno.ESTALE, f.openedAs().toString(), "the lower file changed while it was open");
    }
    OpenFile fresh = f.withFd(NativeFile.open(f.real(), (f.flags() & ~(NativeFile.O_CREAT | NativeFile.O_EXCL
        | NativeFile.O_TRUNC)) | NativeFile.O_CLOEXEC, 0));
    table.replace(fh, f, fresh);
    try {
      NativeFile.close(f.fd());
    } catch (UnionException ignored) {
      // the stale descriptor is gone either way
    }
    return fresh;
  }

  void release(long fh) throws IOException {
    try {
      table.release(fh);
    } finally {
      unlinked.released(fh);
    }
  }

  // ---- directories ----

  long opendir(UnionPath p) throws IOException {
    resolve(p).requireDirectory();
    return table.addDir(new DirHandle(p));
  }

  /**
   * The entries of an open directory from an offset: the first read lists it; a later read from
   * offset 0 (rewinddir) takes a fresh listing.
   */
  List<DirHandle.Entry> readdir(long fh, long offset) throws IOException {
    DirHandle d = table.dir(fh);
    List<DirHandle.Entry> entries = d.entries();
    if (entries == null || offset == 0) {
      entries = listing(resolve(d.path()).requireDirectory());
      d.refresh(entries);
    }
    return entries;
  }

  /** A fresh listing of a directory, for a read without a handle (see KernelCachedListings). */
  List<DirHandle.Entry> listing(UnionPath p) throws IOException {
    return listing(resolve(p).requireDirectory());
  }

  void releasedir(long fh) {
    table.releaseDir(fh);
  }

  private List<DirHandle.Entry> listing(Resolution.Visible dir) throws IOException {
    List<MergedEntry> merged = merger.list(dir);
    List<DirHandle.Entry> out = new ArrayList<>(merged.size() + 2);
    Stat self = reported(dir);
    out.add(new DirHandle.Entry(".", self.ino(), FileKind.DIRECTORY.typeBits()));
    out.add(new DirHandle.Entry("..", 1, FileKind.DIRECTORY.typeBits()));
    for (MergedEntry e : merged) {
      long ino = e.ino();
      if (ino == 0) {
        Stat st = io.lstat(DirectoryMerger.realPath(dir, e));
        ino = st == null ? 1 : st.ino();
      }
      ino = e.branch().isUpper() ? upperIno(DirectoryMerger.realPath(dir, e), ino) : InodeNumbers.of(e.branch().index(), ino);
      out.add(new DirHandle.Entry(e.name(), ino, e.kind().typeBits()));
    }
    return out;
  }
}
