package org.unionfsjava.fs.fuse3;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;

/**
 * The C signatures of the {@code struct fuse_lowlevel_ops} members the union implements (libfuse
 * 3.14, fuse_lowlevel.h), as jnr-ffi closures. Every one returns void: the answer goes back
 * through a {@code fuse_reply_*} call on the request. {@code fuse_ino_t}, {@code size_t}, {@code
 * off_t} and {@code dev_t} are 64-bit; {@code mode_t}, flags and masks 32-bit.
 *
 * <p>The interfaces must be public: jnr-ffi cannot call a closure of a package-private interface,
 * and says nothing (the callback returns without running, and the request is never answered).
 */
public final class LowLevelCallbacks {
  private LowLevelCallbacks() {}

  /** fuse_log_func_t: (enum fuse_log_level, const char *fmt, va_list ap). */
  public interface Log { @Delegate void call(int level, Pointer format, Pointer args); }

  /** init(userdata, struct fuse_conn_info *). */
  public interface Init { @Delegate void call(Pointer userData, Pointer conn); }

  /** destroy(userdata). */
  public interface Destroy { @Delegate void call(Pointer userData); }

  /** lookup, unlink, rmdir: (req, parent, name). */
  public interface ParentName { @Delegate void call(Pointer req, long parent, Pointer name); }

  /** forget(req, ino, nlookup). */
  public interface Forget { @Delegate void call(Pointer req, long ino, long nlookup); }

  /** forget_multi(req, count, struct fuse_forget_data *). */
  public interface ForgetMulti { @Delegate void call(Pointer req, long count, Pointer forgets); }

  /** getattr, open, release, opendir, releasedir: (req, ino, fi). */
  public interface InoFi { @Delegate void call(Pointer req, long ino, Pointer fi); }

  /** setattr(req, ino, struct stat *attr, to_set, fi). */
  public interface Setattr { @Delegate void call(Pointer req, long ino, Pointer attr, int toSet, Pointer fi); }

  /** readlink, statfs: (req, ino). */
  public interface Ino { @Delegate void call(Pointer req, long ino); }

  /** mknod(req, parent, name, mode, rdev). */
  public interface Mknod { @Delegate void call(Pointer req, long parent, Pointer name, int mode, long rdev); }

  /** mkdir(req, parent, name, mode). */
  public interface Mkdir { @Delegate void call(Pointer req, long parent, Pointer name, int mode); }

  /** symlink(req, link target, parent, name). */
  public interface Symlink { @Delegate void call(Pointer req, Pointer target, long parent, Pointer name); }

  /** rename(req, parent, name, newparent, newname, flags). */
  public interface Rename {
    @Delegate void call(Pointer req, long parent, Pointer name, long newParent, Pointer newName, int flags);
  }

  /** link(req, ino, newparent, newname). */
  public interface Link { @Delegate void call(Pointer req, long ino, long newParent, Pointer newName); }

  /** read, readdir, readdirplus: (req, ino, size, off, fi). */
  public interface SizeOffset { @Delegate void call(Pointer req, long ino, long size, long off, Pointer fi); }

  /** write(req, ino, buf, size, off, fi). */
  public interface Write { @Delegate void call(Pointer req, long ino, Pointer buf, long size, long off, Pointer fi); }

  /** fsync(req, ino, datasync, fi). */
  public interface Fsync { @Delegate void call(Pointer req, long ino, int datasync, Pointer fi); }

  /** setxattr(req, ino, name, value, size, flags). */
  public interface Setxattr { @Delegate void call(Pointer req, long ino, Pointer name, Pointer value, long size, int flags); }

  /** getxattr(req, ino, name, size). */
  public interface Getxattr { @Delegate void call(Pointer req, long ino, Pointer name, long size); }

  /** listxattr(req, ino, size). */
  public interface InoSize { @Delegate void call(Pointer req, long ino, long size); }

  /** removexattr(req, ino, name). */
  public interface InoName { @Delegate void call(Pointer req, long ino, Pointer name); }

  /** access(req, ino, mask). */
  public interface Access { @Delegate void call(Pointer req, long ino, int mask); }

  /** create(req, parent, name, mode, fi). */
  public interface Create { @Delegate void call(Pointer req, long parent, Pointer name, int mode, Pointer fi); }

  /** fallocate(req, ino, mode, offset, length, fi). */
  public interface Fallocate { @Delegate void call(Pointer req, long ino, int mode, long off, long len, Pointer fi); }
}
