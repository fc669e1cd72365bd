package org.unionfsjava.fs;

import org.unionfsjava.model.Branch;
import org.unionfsjava.model.UnionPath;

/**
 * One open file of the union: the real file descriptor in the branch that served the open, the
 * branch (for inode numbers), and the union path at open time (for messages; a later rename does
 * not update it).
 *
 * <p>{@code attrPath} is set for a read of a metadata-only copy: the data comes from the lower's
 * descriptor, the attributes from the upper copy.
 *
 * <p>{@code real} is the file opened; for a read-only lower file {@code atOpen} holds its
 * attributes then, so a descriptor that went stale (an NFS server restarted) can be reopened if
 * the file is still the same one.
 *
 * <p>A read-only open of a lower file keeps reading the lower even after another open copies the
 * file up, as in kernel overlayfs: only opens after the copy-up see the upper.
 */
record OpenFile(int fd, Branch branch, UnionPath openedAs, int flags, java.nio.file.Path real,
    java.nio.file.Path attrPath, org.unionfsjava.model.Stat atOpen) {

  /** An open file whose attributes are those of its descriptor. */
  OpenFile(int fd, Branch branch, UnionPath openedAs, int flags, java.nio.file.Path real) {
    this(fd, branch, openedAs, flags, real, null, null);
  }

  /** The same open file on a new descriptor (after the old one went stale). */
  OpenFile withFd(int newFd) {
    return new OpenFile(newFd, branch, openedAs, flags, real, attrPath, atOpen);
  }
}
