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
      return v.top().path();
    }
    List<Restore> restores = new ArrayList<>();
    Path parent = ensureUpperDir(v.path().parent(), restores);
    Path target = parent.resolve(v.path().name());
    copyOnce(v, target, withData, true);
    restoreTimes(restores);
    return target;
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
    copyOnce(dir, target, false, true);
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
  private void copyOnce(Resolution.Visible v, Path target, boolean withData, boolean viaIndex) throws IOException {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> other = inFlight.putIfAbsent(target, mine);
    if (other != null) {
      await(other, v);
      return;
    }
    try {
      if (io.lstat(target) == null) {
        if (viaIndex && HardLinkIndex.applies(v)) {
          linkThroughIndex(v, target, withData);
        } else {
          copy(v, target, withData);
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
   * Copies a hard-linked lower file up once, into the index, and links the name to that copy; a
   * later copy-up of another name of the same lower inode only adds a link.
   */
  private void linkThroughIndex(Resolution.Visible v, Path target, boolean withData) throws IOException {
    Path idx = index.pathFor(v.top().branch().index(), v.stat().ino());
    copyOnce(v, idx, withData, false);
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

  private void copy(Resolution.Visible v, Path target, boolean withData) throws IOException {
    Path src = v.top().path();
    Stat st = io.lstat(src);
    if (st == null) {
      throw new UnionException(Errno.ENOENT, v.path().toString(), "vanished from " + v.top().branch().label());
    }
    Path temp = work.newTempPath();
    try {
      switch (st.kind()) {
        case REGULAR:
          if (withData) {
            io.copyFileData(src, temp, syncData);
          } else {
            io.createFile(temp, 0600);
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
      io.rename(temp, target, BranchIo.RenameMode.NOREPLACE);
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

  /**
   * Records where the object came from, so it keeps its inode number in the union: the origin
   * the lower object itself recorded (it was copied up once, in a layer now below), else the
   * lower's branch and inode. Best effort: an upper without the needed xattrs keeps working.
   */
  private void recordOrigin(Resolution.Visible v, Path src, Stat st, Path temp) throws IOException {
    byte[] origin = io.getXattr(src, format.originXattr());
    if (origin == null) {
      origin = Origin.format(v.top().branch().index(), st.ino());
    }
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

  private void copyXattrs(Path src, Path temp) throws IOException {
    for (String name : io.listXattrs(src)) {
      if (format.isPrivateXattr(name)) {
        continue;
      }
      byte[] value = io.getXattr(src, name);
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
