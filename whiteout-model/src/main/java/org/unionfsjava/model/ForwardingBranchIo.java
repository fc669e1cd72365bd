package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A branch I/O that hands every call to another one: the base of the decorators, which override
 * only what they change ({@link UpperOnlyBranchIo} the writes, the union module's listing of
 * fixed lowers the lookup's lstat).
 */
public abstract class ForwardingBranchIo implements BranchIo {
  /** The branch I/O every call goes to. */
  protected final BranchIo io;

  protected ForwardingBranchIo(BranchIo io) {
    this.io = io;
  }

  @Override
  public Stat lstat(Path path) throws IOException {
    return io.lstat(path);
  }

  @Override
  public Stat lstatIn(Path dir, String name) throws IOException {
    return io.lstatIn(dir, name);
  }

  @Override
  public List<DirEntry> list(Path dir) throws IOException {
    return io.list(dir);
  }

  @Override
  public byte[] getXattr(Path path, String name) throws IOException {
    return io.getXattr(path, name);
  }

  @Override
  public List<String> listXattrs(Path path) throws IOException {
    return io.listXattrs(path);
  }

  @Override
  public void setXattr(Path path, String name, byte[] value, int flags) throws IOException {
    io.setXattr(path, name, value, flags);
  }

  @Override
  public void removeXattr(Path path, String name) throws IOException {
    io.removeXattr(path, name);
  }

  @Override
  public void mkdir(Path path, int mode) throws IOException {
    io.mkdir(path, mode);
  }

  @Override
  public void mknod(Path path, int mode, long rdev) throws IOException {
    io.mknod(path, mode, rdev);
  }

  @Override
  public void symlink(String target, Path link) throws IOException {
    io.symlink(target, link);
  }

  @Override
  public String readlink(Path path) throws IOException {
    return io.readlink(path);
  }

  @Override
  public void link(Path existing, Path newLink) throws IOException {
    io.link(existing, newLink);
  }

  @Override
  public void rename(Path from, Path to, RenameMode mode) throws IOException {
    io.rename(from, to, mode);
  }

  @Override
  public void unlink(Path path) throws IOException {
    io.unlink(path);
  }

  @Override
  public void rmdir(Path path) throws IOException {
    io.rmdir(path);
  }

  @Override
  public void chmod(Path path, int mode) throws IOException {
    io.chmod(path, mode);
  }

  @Override
  public void lchown(Path path, int uid, int gid) throws IOException {
    io.lchown(path, uid, gid);
  }

  @Override
  public void utimens(Path path, long atimeNs, long mtimeNs) throws IOException {
    io.utimens(path, atimeNs, mtimeNs);
  }

  @Override
  public void truncate(Path path, long size) throws IOException {
    io.truncate(path, size);
  }

  @Override
  public void createFile(Path path, int mode) throws IOException {
    io.createFile(path, mode);
  }

  @Override
  public void copyFileData(Path from, Path to, boolean sync) throws IOException {
    io.copyFileData(from, to, sync);
  }

  @Override
  public byte[] readSmallFile(Path path, int max) throws IOException {
    return io.readSmallFile(path, max);
  }

  @Override
  public void writeNewFile(Path path, byte[] data, int mode) throws IOException {
    io.writeNewFile(path, data, mode);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    io.syncDirectory(dir);
  }
}
