package org.unionfsjava.fs.fuse3;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;

/**
 * The C signatures of the {@code struct fuse_operations} members the union implements (libfuse
 * 3.14, fuse.h), as jnr-ffi closures. Strings arrive as {@code Pointer} (the daemon decodes bytes
 * itself); {@code mode_t}, {@code uid_t}, {@code gid_t} and flags are 32-bit, {@code off_t},
 * {@code size_t} and {@code dev_t} 64-bit.
 */
public final class Fuse3Callbacks {
  private Fuse3Callbacks() {}

  /** getattr(path, struct stat *, fi). */
  public interface Getattr { @Delegate int call(Pointer path, Pointer stat, Pointer fi); }

  /** readlink(path, buf, size). */
  public interface Readlink { @Delegate int call(Pointer path, Pointer buf, long size); }

  /** mknod(path, mode, rdev). */
  public interface Mknod { @Delegate int call(Pointer path, int mode, long rdev); }

  /** mkdir(path, mode), chmod without fi is not this one. */
  public interface Mkdir { @Delegate int call(Pointer path, int mode); }

  /** unlink, rmdir: (path). */
  public interface PathOnly { @Delegate int call(Pointer path); }

  /** symlink(target, linkpath), link(from, to). */
  public interface TwoPaths { @Delegate int call(Pointer a, Pointer b); }

  /** rename(from, to, flags). */
  public interface Rename { @Delegate int call(Pointer from, Pointer to, int flags); }

  /** chmod(path, mode, fi). */
  public interface Chmod { @Delegate int call(Pointer path, int mode, Pointer fi); }

  /** chown(path, uid, gid, fi). */
  public interface Chown { @Delegate int call(Pointer path, int uid, int gid, Pointer fi); }

  /** truncate(path, size, fi). */
  public interface Truncate { @Delegate int call(Pointer path, long size, Pointer fi); }

  /** open, opendir, release, releasedir: (path, fi). */
  public interface PathFi { @Delegate int call(Pointer path, Pointer fi); }

  /** read(path, buf, size, off, fi), write(path, buf, size, off, fi). */
  public interface ReadWrite { @Delegate int call(Pointer path, Pointer buf, long size, long off, Pointer fi); }

  /** statfs(path, struct statvfs *). */
  public interface Statfs { @Delegate int call(Pointer path, Pointer out); }

  /** fsync(path, datasync, fi). */
  public interface Fsync { @Delegate int call(Pointer path, int datasync, Pointer fi); }

  /** setxattr(path, name, value, size, flags). */
  public interface Setxattr { @Delegate int call(Pointer path, Pointer name, Pointer value, long size, int flags); }

  /** getxattr(path, name, value, size). */
  public interface Getxattr { @Delegate int call(Pointer path, Pointer name, Pointer value, long size); }

  /** listxattr(path, list, size). */
  public interface Listxattr { @Delegate int call(Pointer path, Pointer list, long size); }

  /** removexattr(path, name). */
  public interface Removexattr { @Delegate int call(Pointer path, Pointer name); }

  /** readdir(path, buf, filler, off, fi, flags): the filler is called through {@link FillDir}. */
  public interface Readdir {
    @Delegate int call(Pointer path, Pointer buf, Pointer filler, long off, Pointer fi, int flags);
  }

  /** init(struct fuse_conn_info *, struct fuse_config *): returns the private data. */
  public interface Init { @Delegate Pointer call(Pointer conn, Pointer cfg); }

  /** destroy(private_data). */
  public interface Destroy { @Delegate void call(Pointer privateData); }

  /** access(path, mask). */
  public interface Access { @Delegate int call(Pointer path, int mask); }

  /** create(path, mode, fi). */
  public interface Create { @Delegate int call(Pointer path, int mode, Pointer fi); }

  /** utimens(path, const struct timespec tv[2], fi). */
  public interface Utimens { @Delegate int call(Pointer path, Pointer tv, Pointer fi); }

  /** The low-level opendir(req, ino, fi) of {@code struct fuse_lowlevel_ops}. */
  public interface LowLevelOpendir { @Delegate void call(Pointer req, long ino, Pointer fi); }

  /** fallocate(path, mode, off, len, fi). */
  public interface Fallocate { @Delegate int call(Pointer path, int mode, long off, long len, Pointer fi); }
}
