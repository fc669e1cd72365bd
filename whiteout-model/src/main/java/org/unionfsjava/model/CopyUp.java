package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Copies an object from a lower into the upper before it is changed (see package-info, "Copy-up").
 *
 * <p>Parents first, each with its lower metadata; then the object into a temporary name in the
 * work directory (data, symlink target or device node; then owner, mode, xattrs, times) and an
 * atomic rename into place, so a crash leaves either no upper object or a complete one. Two
 * threads copying the same object: the first copies, the second waits for it and uses the result.
 */
public final class CopyUp {
  private static final Logger LOG = LogManager.getLogger();

  private final BranchIo io;
  private final WhiteoutFormat format;
  private final WorkDir work;
  private final Resolver resolver;
  private final boolean syncData;
  private final ConcurrentHashMap<Path, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Path, CompletableFuture<Void>> completing = new ConcurrentHashMap<>();
  private final HardLinkIndex index;

  /**
   * @param resolver resolves parents (a cached resolver in the file system)
   * @param syncData fsync copied data before it is renamed into place
   */
  public CopyUp(BranchIo io, WhiteoutFormat format, WorkDir work, Resolver resolver, boolean syncData) {
    this.io = io;
    this.format = format;
    this.work = work;
    this.resolver = resolver;
    this.syncData = syncData;
    this.index = new HardLinkIndex(io, work, format);
  }

  /** The hard-link index this copy-up routes hard-linked lower files through. */
  public HardLinkIndex index() {
    return index;
  }

  /**
   * Makes sure the object is in the upper and returns its upper path.
   *
   * @param withData false when the caller is about to truncate the file to zero anyway
   */
  public Path ensureUpper(Resolution.Visible v, boolean withData) throws IOException {
    if (v.inUpper()) {
      if (v.isMetacopy()) {
        if (withData) {
          completeData(v);
        } else {
          format.clearMetacopy(io, v.top().path()); // about to be truncated: the lower data is moot
        }
      }
      return v.top().path();
    }
    return copyUpAs(v, withData ? Content.FULL : Content.EMPTY);
  }

  /**
   * Makes sure the object is in the upper for a change of its attributes only (chmod, chown,
   * utimens, xattrs): a regular file gets a metadata-only copy, in time independent of its size,
   * whose data stays in the lower until the file is first opened for writing.
   */
  public Path ensureUpperMetadata(Resolution.Visible v) throws IOException {
    if (v.inUpper()) {
      return v.top().path();
    }
    boolean metaOnly = v.kind() == FileKind.REGULAR && !HardLinkIndex.applies(v);
    return copyUpAs(v, metaOnly ? Content.METADATA : Content.FULL);
  }

  /** What a regular file's copy-up brings along. */
  private enum Content {
    /** All data. */
    FULL,
    /** No data: the caller truncates the file to zero anyway. */
    EMPTY,
    /** No data, but the lower's size: reads keep coming from the lower (a metacopy). */
    METADATA
  }

  private Path copyUpAs(Resolution.Visible v, Content content) throws IOException {
    List<Restore> restores = new ArrayList<>();
    Path parent = ensureUpperDir(v.path().parent(), restores);
    Path target = parent.resolve(v.path().name());
    copyOnce(v, target, content, true);
    restoreTimes(restores);
    return target;
  }

  /**
   * Turns a metadata-only copy into a full one: the lower's data and the copy's own metadata
   * into a temporary, which then replaces the copy in one rename.
   */
  private void completeData(Resolution.Visible v) throws IOException {
    Path up = v.top().path();
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> other = completing.putIfAbsent(up, mine);
    if (other != null) {
      await(other, v);
      return;
    }
    Path temp = work.newTempPath();
    try {
      if (format.isMetacopy(io, up)) {
        Stat meta = io.lstat(up);
        io.copyFileData(v.dataLayer().path(), temp, syncData);
        copyMetadata(up, meta, temp);
        copyOrigin(up, temp);
        io.rename(temp, up, BranchIo.RenameMode.REPLACE);
        LOG.debug("completed the data of {}", v.path());
      }
      mine.complete(null);
    } catch (IOException | RuntimeException e) {
      try {
        work.removeTree(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      mine.completeExceptionally(e);
      throw e;
    } finally {
      completing.remove(up, mine);
    }
  }

  private void copyOrigin(Path from, Path to) throws IOException {
    byte[] origin = io.getXattr(from, format.originXattr());
    if (origin != null) {
      io.setXattr(to, format.originXattr(), origin, 0);
    }
  }

  /** Makes sure a visible directory exists in the upper (with its ancestors) and returns it. */
  public Path ensureUpperDir(Resolution.Visible dir) throws IOException {
    if (dir.inUpper()) {
      return dir.top().path();
    }
    List<Restore> restores = new ArrayList<>();
    Path p = ensureUpperDir(dir.path(), restores);
    restoreTimes(restores);
    return p;
  }

  private record Restore(Path upperPath, Stat lowerStat) {}

  private Path ensureUpperDir(UnionPath dirPath, List<Restore> restores) throws IOException {
    Resolution.Visible dir = resolver.resolve(dirPath).requireDirectory();
    if (dir.inUpper()) {
      return dir.top().path();
    }
    Path parent = ensureUpperDir(dirPath.parent(), restores);
    Path target = parent.resolve(dirPath.name());
    copyOnce(dir, target, Content.EMPTY, true);
    // the child about to be created changes this directory's times: put the lower's back after
    restores.add(0, new Restore(target, dir.stat()));
    return target;
  }

  private void restoreTimes(List<Restore> restores) {
    for (Restore r : restores) {
      try {
        io.utimens(r.upperPath(), r.lowerStat().atimeNs(), r.lowerStat().mtimeNs());
      } catch (IOException e) {
        LOG.debug("could not restore times of {}: {}", r.upperPath(), e.getMessage());
      }
    }
  }

  /**
   * Copies {@code v} to {@code target} unless it is there, once even when threads race.
   *
   * @param viaIndex route a hard-linked lower file through the index (false for the index copy itself)
   */
  private void copyOnce(Resolution.Visible v, Path target, Content content, boolean viaIndex) throws IOException {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> other = inFlight.putIfAbsent(target, mine);
    if (other != null) {
      await(other, v);
      return;
    }
    try {
      if (io.lstat(target) == null) {
        if (viaIndex && HardLinkIndex.applies(v)) {
          linkThroughIndex(v, target, content != Content.EMPTY);
        } else {
          copy(v, target, content);
        }
      }
      mine.complete(null);
    } catch (IOException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(target, mine);
    }
  }

  /**
   * The index copy of a hard-linked lower file, made now if it has none: deleting one of its names
   * must lower the link count the other names report, and the count lives on the index copy.
   */
  public Path ensureIndexed(Resolution.Visible v) throws IOException {
    Path idx = index.pathFor(v.top().branch().index(), v.stat().ino());
    copyOnce(v, idx, Content.FULL, false);
    index.initLinks(idx, v.stat().nlink());
    return idx;
  }

  /**
   * Copies a hard-linked lower file up once, into the index, and links the name to that copy; a
   * later copy-up of another name of the same lower inode only adds a link.
   */
  private void linkThroughIndex(Resolution.Visible v, Path target, boolean withData) throws IOException {
    Path idx = index.pathFor(v.top().branch().index(), v.stat().ino());
    copyOnce(v, idx, withData ? Content.FULL : Content.EMPTY, false);
    index.initLinks(idx, v.stat().nlink());
    try {
      io.link(idx, target);
    } catch (UnionException e) {
      if (e.errno() != Errno.EEXIST) {
        throw e;
      }
    }
  }

  private static void await(CompletableFuture<Void> other, Resolution.Visible v) throws IOException {
    try {
      other.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnionException(Errno.EINTR, v.path().toString(), "interrupted waiting for a copy-up");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException) {
        throw (IOException) e.getCause();
      }
      throw new UnionException(Errno.EIO, v.path().toString(), "copy-up failed", e.getCause());
    }
  }

  private void copy(Resolution.Visible v, Path target, Content content) throws IOException {
    Path src = v.top().path();
    Stat st = io.lstat(src);
    if (st == null) {
      throw new UnionException(Errno.ENOENT, v.path().toString(), "vanished from " + v.top().branch().label());
    }
    Path temp = work.newTempPath();
    try {
      switch (st.kind()) {
        case REGULAR:
          if (content == Content.FULL) {
            io.copyFileData(src, temp, syncData);
          } else {
            io.createFile(temp, 0600);
            if (content == Content.METADATA) {
              io.truncate(temp, st.size()); // sparse: the size is the lower's, the data stays there
            }
          }
          break;
        case DIRECTORY:
          io.mkdir(temp, 0700);
          break;
        case SYMLINK:
          io.symlink(io.readlink(src), temp);
          break;
        default:
          io.mknod(temp, st.mode(), st.rdev());
          break;
      }
      copyMetadata(src, st, temp);
      recordOrigin(v, src, st, temp);
      CrashPoints.reach("copyup.after-data");
      if (content == Content.METADATA && !markedMetacopy(temp)) {
        work.removeTree(temp);
        copy(v, target, Content.FULL);
        return;
      }
      io.rename(temp, target, BranchIo.RenameMode.NOREPLACE);
      CrashPoints.reach("copyup.after-rename");
      LOG.debug("copied up {} from {}", v.path(), v.top().branch().label());
    } catch (IOException | RuntimeException e) {
      try {
        work.removeTree(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      if (e instanceof UnionException && ((UnionException) e).errno() == Errno.EEXIST && io.lstat(target) != null) {
        return; // created by a concurrent operation on the same name: use it
      }
      throw e;
    }
  }

  /** Marks a metadata-only copy; false if this upper cannot record it (then the copy must be full). */
  private boolean markedMetacopy(Path temp) throws IOException {
    try {
      format.markMetacopy(io, temp);
      return true;
    } catch (UnionException e) {
      if (e.errno() == Errno.ENOTSUP || e.errno() == Errno.EPERM) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Records where the object came from, so it keeps its inode number in the union: the branch
   * and inode of the lower object copied (an origin that object recorded itself belongs to
   * another stack and is not used). Best effort: an upper without the needed xattrs works on.
   */
  private void recordOrigin(Resolution.Visible v, Path src, Stat st, Path temp) throws IOException {
    byte[] origin = Origin.format(v.top().branch().index(), st.ino());
    try {
      io.setXattr(temp, format.originXattr(), origin, 0);
    } catch (UnionException e) {
      if (e.errno() != Errno.ENOTSUP && e.errno() != Errno.EPERM && e.errno() != Errno.EACCES) {
        throw e;
      }
      LOG.debug("no origin recorded for {}: {}", v.path(), e.getMessage());
    }
  }

  /** Owner, then mode (chown clears setuid), then xattrs, then times: the order a copy needs. */
  private void copyMetadata(Path src, Stat st, Path temp) throws IOException {
    io.lchown(temp, st.uid(), st.gid());
    if (st.kind() != FileKind.SYMLINK) {
      io.chmod(temp, st.permissions());
    }
    copyXattrs(src, temp);
    io.utimens(temp, st.atimeNs(), st.mtimeNs());
  }

  /**
   * Errors of reading a lower's xattrs that do not stop a copy-up: the data is what the user
   * asked for, and a lower that cannot show its xattrs (NFS, a list over XATTR_LIST_MAX, a FUSE
   * lower that refuses them) has none the union could show either.
   */
  private static boolean unreadableXattr(Errno e) {
    return e == Errno.ENOTSUP || e == Errno.EACCES || e == Errno.EPERM || e == Errno.E2BIG
        || e == Errno.ERANGE || e == Errno.ENODATA;
  }

  private void copyXattrs(Path src, Path temp) throws IOException {
    List<String> names;
    try {
      names = io.listXattrs(src);
    } catch (UnionException e) {
      if (!unreadableXattr(e.errno())) {
        throw e;
      }
      LOG.warn("xattrs of {} not copied up: {}", src, e.getMessage());
      return;
    }
    for (String name : names) {
      if (format.isPrivateXattr(name)) {
        continue;
      }
      byte[] value;
      try {
        value = io.getXattr(src, name);
      } catch (UnionException e) {
        if (!unreadableXattr(e.errno())) {
          throw e;
        }
        LOG.warn("xattr {} of {} not copied up: {}", name, src, e.getMessage());
        continue;
      }
      if (value == null) {
        continue;
      }
      try {
        io.setXattr(temp, name, value, 0);
      } catch (UnionException e) {
        if (e.errno() == Errno.ENOTSUP || e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
          LOG.warn("xattr {} of {} not copied up: {}", name, src, e.getMessage());
        } else {
          throw e;
        }
      }
    }
  }
}
