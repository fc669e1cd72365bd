package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The union's changes to names: create, delete and rename, with whiteouts and opaque directories
 * (see package-info, "Delete", "Create over a whiteout", "Rename"). Every change lands in the
 * upper; lowers are only read.
 *
 * <p>Callers pass resolutions they just made; after a change they must drop what they cached about
 * the names involved.
 */
public final class Namespace {
  private final BranchIo io;
  private final WhiteoutFormat format;
  private final WorkDir work;
  private final Lookup lookup;
  private final CopyUp copyUp;
  private final DirectoryMerger merger;

  public Namespace(BranchIo io, WorkDir work, Lookup lookup, CopyUp copyUp, DirectoryMerger merger) {
    this.io = io;
    this.format = lookup.format();
    this.work = work;
    this.lookup = lookup;
    this.copyUp = copyUp;
    this.merger = merger;
  }

  /** Makes a new object at a path in the upper. */
  @FunctionalInterface
  public interface Maker {
    /** Creates the object at {@code at}, which does not exist yet. */
    void make(Path at) throws IOException;
  }

  /**
   * Creates a new object at a name that is not visible: the parent is copied up, the object is
   * made and given to the caller, and a whiteout there is replaced in one step (a directory made
   * over a whiteout becomes opaque). Returns the object's upper path.
   */
  public Path create(Resolution target, Caller caller, boolean isDirectory, Maker maker) throws IOException {
    format.checkUserName(target.path());
    target.requireAbsent();
    Resolution.Visible parent = target.requireParent();
    Path parentUpper = copyUp.ensureUpperDir(parent);
    String name = target.path().name();
    Path at = parentUpper.resolve(name);
    if (target instanceof Resolution.WhitedOut) {
      Path temp = work.newTempPath();
      try {
        maker.make(temp);
        CrashPoints.reach("create.after-temp");
        chownToCaller(temp, caller, parentUpper);
        if (isDirectory) {
          format.markOpaque(io, temp);
        }
        format.replaceWhiteout(io, work, temp, parentUpper, name);
      } catch (IOException | RuntimeException e) {
        removeAfterFailure(temp, e);
        throw e;
      }
    } else {
      maker.make(at);
      try {
        chownToCaller(at, caller, parentUpper);
      } catch (IOException | RuntimeException e) {
        removeQuietly(at, isDirectory);
        throw e;
      }
    }
    return at;
  }

  /** New objects belong to the caller; the group follows a setgid parent as on Linux. */
  private void chownToCaller(Path p, Caller caller, Path parentUpper) throws IOException {
    int gid = caller.gid();
    Stat parent = io.lstat(parentUpper);
    if (parent != null && (parent.mode() & 02000) != 0) {
      gid = parent.gid();
    }
    if (caller.uid() != 0 || gid != 0) {
      Stat now = io.lstat(p);
      int mode = now.mode();
      io.lchown(p, caller.uid(), gid);
      if (now.kind() != FileKind.SYMLINK && (mode & 06000) != 0) {
        io.chmod(p, mode & 07777); // chown cleared setuid/setgid asked for at creation
      }
    }
  }

  private void removeQuietly(Path p, boolean dir) {
    try {
      if (dir) {
        io.rmdir(p);
      } else {
        io.unlink(p);
      }
    } catch (IOException ignored) {
      // best effort after a failed create
    }
  }

  /** Hard-links a visible non-directory to a new name; the source is copied up first. */
  public Path link(Resolution.Visible source, Resolution target) throws IOException {
    if (source.isDirectory()) {
      throw new UnionException(Errno.EPERM, source.path().toString(), "hard link to a directory");
    }
    format.checkUserName(target.path());
    target.requireAbsent();
    Path src = copyUp.ensureUpper(source, true);
    Resolution.Visible parent = target.requireParent();
    Path parentUpper = copyUp.ensureUpperDir(parent);
    Path at = parentUpper.resolve(target.path().name());
    if (target instanceof Resolution.WhitedOut) {
      Path temp = work.newTempPath();
      io.link(src, temp);
      try {
        format.replaceWhiteout(io, work, temp, parentUpper, target.path().name());
      } catch (IOException | RuntimeException e) {
        removeAfterFailure(temp, e);
        throw e;
      }
    } else {
      io.link(src, at);
    }
    return at;
  }

  /** unlink(2) of a visible non-directory: delete the upper object, whiteout where a lower has the name. */
  public void unlink(Resolution.Visible v, Resolution.Visible parent) throws IOException {
    if (v.isDirectory()) {
      throw new UnionException(Errno.EISDIR, v.path().toString(), "is a directory");
    }
    remove(v, parent);
  }

  /**
   * unlink(2) of a non-directory that is still open somewhere: the name goes exactly as with
   * {@link #unlink}, but an upper object is moved to {@code keep} (a temporary in the work
   * directory) instead of being deleted, so it stays reachable for fstat and open handles. Returns
   * where the object lives now: {@code keep}, or its lower path (lowers are never changed).
   */
  public Layer unlinkKeeping(Resolution.Visible v, Resolution.Visible parent, Path keep) throws IOException {
    if (v.isDirectory()) {
      throw new UnionException(Errno.EISDIR, v.path().toString(), "is a directory");
    }
    String name = v.path().name();
    if (!v.inUpper()) {
      format.whiteout(io, work, copyUp.ensureUpperDir(parent), name);
      return v.top();
    }
    if (lookup.lowerHasName(parent, name)) {
      format.renameLeavingWhiteout(io, work, v.top().path(), keep);
    } else {
      io.rename(v.top().path(), keep, BranchIo.RenameMode.NOREPLACE);
    }
    return new Layer(v.top().branch(), keep);
  }

  /** rmdir(2) of a visible directory, which must look empty in the union. */
  public void rmdir(Resolution.Visible v, Resolution.Visible parent) throws IOException {
    if (!v.isDirectory()) {
      throw new UnionException(Errno.ENOTDIR, v.path().toString(), "not a directory");
    }
    if (v.path().isRoot()) {
      throw new UnionException(Errno.EBUSY, "/", "the union's root");
    }
    if (!merger.isEmpty(v)) {
      throw new UnionException(Errno.ENOTEMPTY, v.path().toString(), "directory not empty");
    }
    remove(v, parent);
  }

  private void remove(Resolution.Visible v, Resolution.Visible parent) throws IOException {
    String name = v.path().name();
    if (v.inUpper()) {
      Path parentUpper = v.top().path().getParent();
      if (v.hasLowerLayers() || lookup.lowerHasName(parent, name)) {
        format.whiteout(io, work, parentUpper, name);
      } else if (v.isDirectory()) {
        removeUpperDirectory(v.top().path());
      } else {
        io.unlink(v.top().path());
      }
    } else {
      Path parentUpper = copyUp.ensureUpperDir(parent);
      format.whiteout(io, work, parentUpper, name);
    }
  }

  /** Removes the temporary of a change that failed; a failure here is added to the change's error. */
  private void removeAfterFailure(Path temp, Throwable failure) {
    try {
      work.removeTree(temp);
    } catch (IOException cleanup) {
      failure.addSuppressed(cleanup);
    }
  }

  /** Removes an upper directory that looks empty in the union but may still hold markers. */
  private void removeUpperDirectory(Path dir) throws IOException {
    try {
      io.rmdir(dir);
    } catch (UnionException e) {
      if (e.errno() != Errno.ENOTEMPTY) {
        throw e;
      }
      Path temp = work.newTempPath();
      io.rename(dir, temp, BranchIo.RenameMode.NOREPLACE);
      work.discard(temp);
    }
  }

  /**
   * rename(2) inside the union. Files from a lower are copied up, renamed in the upper, and a
   * whiteout is left at the old name where a lower still has it. A directory with lower content
   * is copied up alone (not its children) and given a redirect to where its lower content lives,
   * so the rename takes the same time whatever the size of the tree below it.
   */
  public void rename(Resolution.Visible src, Resolution.Visible srcParent, Resolution dst,
      Resolution.Visible dstParent) throws IOException {
    if (src.path().equals(dst.path())) {
      return;
    }
    if (src.path().isRoot() || dst.path().isRoot()) {
      throw new UnionException(Errno.EBUSY, "/", "the union's root");
    }
    if (dst.path().startsWith(src.path())) {
      throw new UnionException(Errno.EINVAL, dst.path().toString(), "cannot move a directory into itself");
    }
    format.checkUserName(dst.path());
    if (dst instanceof Resolution.Visible) {
      Resolution.Visible dstVisible = (Resolution.Visible) dst;
      checkReplaceable(src, dstVisible);
      if (sameUpperObject(src, dstVisible)) {
        return; // two names of one file: POSIX says do nothing
      }
    } else {
      dst.requireParent();
    }
    Path srcUpper = copyUp.ensureUpper(src, true);
    CrashPoints.reach("rename.after-copyup");
    boolean redirected = src.isDirectory() && src.hasLowerLayers();
    if (redirected && redirectAbsolute(src, srcUpper)) {
      CrashPoints.reach("rename.after-redirect");
    }
    Path dstParentUpper = copyUp.ensureUpperDir(dstParent);
    String dstName = dst.path().name();
    Path dstUpper = dstParentUpper.resolve(dstName);
    boolean whiteoutAtSource = lookup.lowerHasName(srcParent, src.path().name());
    if (src.isDirectory() && !redirected && lookup.lowerHasName(dstParent, dstName)) {
      format.markOpaque(io, srcUpper); // nothing of a lower directory of the new name may show through
    }
    Stat atDst = io.lstat(dstUpper);
    CrashPoints.reach("rename.before-final");
    if (atDst != null && atDst.isDirectory()) {
      renameOverUpperDirectory(srcUpper, dstUpper, whiteoutAtSource);
    } else if (atDst != null && src.isDirectory()) {
      // only an overlay whiteout node can be here: a directory cannot replace it, so swap; the
      // node then stands at the old name, which is what a lower still having that name needs
      io.rename(srcUpper, dstUpper, BranchIo.RenameMode.EXCHANGE);
      if (!whiteoutAtSource) {
        io.unlink(srcUpper);
      }
    } else if (whiteoutAtSource) {
      format.renameLeavingWhiteout(io, work, srcUpper, dstUpper);
    } else {
      io.rename(srcUpper, dstUpper, BranchIo.RenameMode.REPLACE);
    }
    if (!(dst instanceof Resolution.Missing)) {
      // the replaced whiteout, or (aufs) a marker a crash left beside the old object: the object
      // now there hides the lowers alone (a non-directory, redirected, opaque, or no lower has it)
      format.dropWhiteoutBeside(io, dstParentUpper, dstName);
    }
  }

  private void renameOverUpperDirectory(Path srcUpper, Path dstUpper, boolean whiteoutAtSource) throws IOException {
    // the target looks empty but may hold markers: swap, then clear the old target at the source
    io.rename(srcUpper, dstUpper, BranchIo.RenameMode.EXCHANGE);
    if (whiteoutAtSource) {
      format.whiteout(io, work, srcUpper.getParent(), srcUpper.getFileName().toString());
    } else {
      Path temp = work.newTempPath();
      io.rename(srcUpper, temp, BranchIo.RenameMode.NOREPLACE);
      work.discard(temp);
    }
  }

  /**
   * renameat2(RENAME_EXCHANGE) inside the union: the two visible names swap their objects, each
   * keeping its content, kind and inode number (see package-info, "Exchange"). Both objects are
   * brought into the upper first (a directory with lower content alone, with a redirect to where
   * that content lives; a directory without lower content that is going onto a name some lower
   * has is marked opaque), then the upper's own RENAME_EXCHANGE swaps them in one step. Every
   * step before that last one leaves the union's view as it was, so a crash shows either both
   * names as before or both exchanged.
   */
  public void exchange(Resolution.Visible a, Resolution.Visible aParent, Resolution.Visible b,
      Resolution.Visible bParent) throws IOException {
    if (a.path().equals(b.path())) {
      return;
    }
    if (a.path().isRoot() || b.path().isRoot()) {
      throw new UnionException(Errno.EBUSY, "/", "the union's root");
    }
    if (b.path().startsWith(a.path()) || a.path().startsWith(b.path())) {
      throw new UnionException(Errno.EINVAL, b.path().toString(), "cannot exchange a directory with its own descendant");
    }
    if (sameUpperObject(a, b)) {
      return; // two names of one file: the kernel does nothing either
    }
    Path aUpper = copyUp.ensureUpper(a, true);
    Path bUpper = copyUp.ensureUpper(b, true);
    CrashPoints.reach("exchange.after-copyup");
    keepDirectoryView(a, aUpper, bParent, b.path().name());
    keepDirectoryView(b, bUpper, aParent, a.path().name());
    CrashPoints.reach("exchange.before-final");
    io.rename(aUpper, bUpper, BranchIo.RenameMode.EXCHANGE);
    // (aufs) a marker a crash left beside either old object: each object now there hides the
    // lowers alone (a non-directory, redirected, opaque, or no lower has the name)
    format.dropWhiteoutBeside(io, aUpper.getParent(), a.path().name());
    format.dropWhiteoutBeside(io, bUpper.getParent(), b.path().name());
  }

  /**
   * Readies an upper directory to show the same content under another name: a directory with
   * lower layers gets an absolute redirect to its first lower layer (a relative one, which would
   * be read beside the new name, is made absolute); one without lower layers is marked opaque if
   * a lower has the new name. Neither changes what the directory shows under its present name.
   */
  private void keepDirectoryView(Resolution.Visible v, Path upper, Resolution.Visible newParent, String newName)
      throws IOException {
    if (!v.isDirectory()) {
      return;
    }
    if (v.hasLowerLayers()) {
      redirectAbsolute(v, upper);
    } else if (lookup.lowerHasName(newParent, newName)) {
      format.markOpaque(io, upper);
    }
  }

  /**
   * Gives an upper directory with lower layers, about to move, an absolute redirect to its first
   * lower layer, so its lower content is found from any new name: the lower content stays where
   * it is and the directory records where. An absolute redirect is kept; none, or a relative one
   * (kernel overlayfs writes them for renames within a directory, and it would be read beside
   * the new name, in another directory), is replaced by the absolute path it stands for, which
   * shows the same content under the present name. Returns true if it wrote a redirect.
   */
  private boolean redirectAbsolute(Resolution.Visible dir, Path upper) throws IOException {
    String redirect = format.redirect(io, upper);
    if (redirect != null && redirect.startsWith("/")) {
      return false;
    }
    format.setRedirect(io, upper, Lookup.lowerPathOf(firstLowerLayer(dir)));
    return true;
  }

  private static Layer firstLowerLayer(Resolution.Visible v) {
    for (Layer l : v.layers()) {
      if (!l.inUpper()) {
        return l;
      }
    }
    throw new IllegalArgumentException(v.path() + " has no lower layer");
  }

  private void checkReplaceable(Resolution.Visible src, Resolution.Visible dst) throws IOException {
    if (src.isDirectory()) {
      if (!dst.isDirectory()) {
        throw new UnionException(Errno.ENOTDIR, dst.path().toString(), "not a directory");
      }
      if (!merger.isEmpty(dst)) {
        throw new UnionException(Errno.ENOTEMPTY, dst.path().toString(), "directory not empty");
      }
    } else if (dst.isDirectory()) {
      throw new UnionException(Errno.EISDIR, dst.path().toString(), "is a directory");
    }
  }

  private static boolean sameUpperObject(Resolution.Visible a, Resolution.Visible b) {
    return a.top().branch().equals(b.top().branch()) && a.stat().ino() == b.stat().ino()
        && a.stat().dev() == b.stat().dev() && a.stat().ino() != 0;
  }
}
