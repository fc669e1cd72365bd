package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The guarantee that lowers are never written, made structural: every call that changes
 * something must name a path inside the upper or the work directory, or it is refused with EROFS
 * (and nothing is done). Reads pass through unchanged. The union wraps its branch I/O in this.
 */
public final class UpperOnlyBranchIo extends ForwardingBranchIo {
  private final Path upper;
  private final Path work;

  /** Guards {@code io} so that it writes only below {@code upper} and {@code work}. */
  public UpperOnlyBranchIo(BranchIo io, Path upper, Path work) {
    super(io);
    this.upper = upper;
    this.work = work;
  }

  private void requireWritable(Path p) throws UnionException {
    Path n = p.normalize();
    if (!n.startsWith(upper) && !n.startsWith(work)) {
      throw new UnionException(Errno.EROFS, p.toString(), "refusing to change a path outside the upper branch");
    }
  }

  @Override
  public void setXattr(Path path, String name, byte[] value, int flags) throws IOException {
    requireWritable(path);
    io.setXattr(path, name, value, flags);
  }

  @Override
  public void removeXattr(Path path, String name) throws IOException {
    requireWritable(path);
    io.removeXattr(path, name);
  }

  @Override
  public void mkdir(Path path, int mode) throws IOException {
    requireWritable(path);
    io.mkdir(path, mode);
  }

  @Override
  public void mknod(Path path, int mode, long rdev) throws IOException {
    requireWritable(path);
    io.mknod(path, mode, rdev);
  }

  @Override
  public void symlink(String target, Path link) throws IOException {
    requireWritable(link);
    io.symlink(target, link);
  }

  @Override
  public void link(Path existing, Path newLink) throws IOException {
    requireWritable(existing); // a new link raises the lower inode's link count: not allowed either
    requireWritable(newLink);
    io.link(existing, newLink);
  }

  @Override
  public void rename(Path from, Path to, RenameMode mode) throws IOException {
    requireWritable(from);
    requireWritable(to);
    io.rename(from, to, mode);
  }

  @Override
  public void unlink(Path path) throws IOException {
    requireWritable(path);
    io.unlink(path);
  }

  @Override
  public void rmdir(Path path) throws IOException {
    requireWritable(path);
    io.rmdir(path);
  }

  @Override
  public void chmod(Path path, int mode) throws IOException {
    requireWritable(path);
    io.chmod(path, mode);
  }

  @Override
  public void lchown(Path path, int uid, int gid) throws IOException {
    requireWritable(path);
    io.lchown(path, uid, gid);
  }

  @Override
  public void utimens(Path path, long atimeNs, long mtimeNs) throws IOException {
    requireWritable(path);
    io.utimens(path, atimeNs, mtimeNs);
  }

  @Override
  public void truncate(Path path, long size) throws IOException {
    requireWritable(path);
    io.truncate(path, size);
  }

  @Override
  public void createFile(Path path, int mode) throws IOException {
    requireWritable(path);
    io.createFile(path, mode);
  }

  @Override
  public void copyFileData(Path from, Path to, boolean sync) throws IOException {
    requireWritable(to);
    io.copyFileData(from, to, sync);
  }

  @Override
  public void writeNewFile(Path path, byte[] data, int mode) throws IOException {
    requireWritable(path);
    io.writeNewFile(path, data, mode);
  }
}
