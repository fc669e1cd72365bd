package org.unionfsjava.fs.fuse3;

import jnr.ffi.Pointer;

/**
 * What a filesystem implements for {@link LowLevelSession}: libfuse 3's low-level operations on
 * node ids, with names decoded (one char per byte, {@code NameCharset}) and file info wrapped.
 * Each method answers its {@link Request} exactly once and must not throw (the session answers
 * EIO for anything that escapes, if nothing was answered yet). {@code fi} is null where libfuse
 * passes NULL. Operations not listed here are NULL in {@code struct fuse_lowlevel_ops}: libfuse
 * answers ENOSYS and the kernel stops asking (flush, fsyncdir, locks, ioctl, lseek,
 * copy_file_range, ...).
 */
public interface LowLevelOperations {
  /** renameat2's RENAME_NOREPLACE (linux/fs.h). */
  int RENAME_NOREPLACE = 1;
  /** renameat2's RENAME_EXCHANGE (linux/fs.h). */
  int RENAME_EXCHANGE = 2;

  /** Negotiates capabilities, once, before the first request. */
  void init(Conn conn);

  void destroy();

  void lookup(Request r, long parent, String name);

  /** The kernel dropped {@code nlookup} references to a node (no answer is sent). */
  void forget(long ino, long nlookup);

  void getattr(Request r, long ino, FileInfo fi);

  void setattr(Request r, long ino, AttrChange change, FileInfo fi);

  void readlink(Request r, long ino);

  void mknod(Request r, long parent, String name, int mode, long rdev);

  void mkdir(Request r, long parent, String name, int mode);

  void unlink(Request r, long parent, String name);

  void rmdir(Request r, long parent, String name);

  void symlink(Request r, String target, long parent, String name);

  void rename(Request r, long parent, String name, long newParent, String newName, int flags);

  void link(Request r, long ino, long newParent, String newName);

  void open(Request r, long ino, FileInfo fi);

  void read(Request r, long ino, long size, long offset, FileInfo fi);

  void write(Request r, long ino, Pointer buf, long size, long offset, FileInfo fi);

  void release(Request r, long ino, FileInfo fi);

  void fsync(Request r, long ino, boolean dataOnly, FileInfo fi);

  void opendir(Request r, long ino, FileInfo fi);

  /** @param plus READDIRPLUS: entries carry attributes and nodes */
  void readdir(Request r, long ino, long size, long offset, FileInfo fi, boolean plus);

  void releasedir(Request r, long ino, FileInfo fi);

  void statfs(Request r, long ino);

  void setxattr(Request r, long ino, String name, Pointer value, long size, int flags);

  void getxattr(Request r, long ino, String name, long size);

  void listxattr(Request r, long ino, long size);

  void removexattr(Request r, long ino, String name);

  void access(Request r, long ino, int mask);

  void create(Request r, long parent, String name, int mode, FileInfo fi);

  void fallocate(Request r, long ino, int mode, long offset, long length, FileInfo fi);
}
