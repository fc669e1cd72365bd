package org.unionfsjava.transport;

/** Numbers of the FUSE kernel protocol other than opcodes, init bits and layouts (fuse.h 7.45). */
public final class Protocol {
  private Protocol() {}

  public static final int KERNEL_VERSION = 7;
  /** The newest minor version this transport speaks (Linux 6.18). */
  public static final int KERNEL_MINOR_VERSION = 45;
  /** The oldest minor version it serves (Linux 5.10 speaks 7.32; 7.31 is 5.9's). */
  public static final int OLDEST_MINOR_VERSION = 31;
  public static final long ROOT_ID = 1;
  /** The read buffer must hold at least this much (FUSE_MIN_READ_BUFFER). */
  public static final int MIN_READ_BUFFER = 8192;
  /** The high bit of a resent request's unique (FUSE_UNIQUE_RESEND). */
  public static final long UNIQUE_RESEND = 1L << 63;

  // fuse_open_out.open_flags
  public static final int FOPEN_DIRECT_IO = 1 << 0;
  public static final int FOPEN_KEEP_CACHE = 1 << 1;
  public static final int FOPEN_NONSEEKABLE = 1 << 2;
  public static final int FOPEN_CACHE_DIR = 1 << 3;
  public static final int FOPEN_STREAM = 1 << 4;
  public static final int FOPEN_NOFLUSH = 1 << 5;
  public static final int FOPEN_PARALLEL_DIRECT_WRITES = 1 << 6;
  /** The kernel reads, writes, splices and maps the backing file itself (7.40). */
  public static final int FOPEN_PASSTHROUGH = 1 << 7;

  // fuse_setattr_in.valid
  public static final int FATTR_MODE = 1 << 0;
  public static final int FATTR_UID = 1 << 1;
  public static final int FATTR_GID = 1 << 2;
  public static final int FATTR_SIZE = 1 << 3;
  public static final int FATTR_ATIME = 1 << 4;
  public static final int FATTR_MTIME = 1 << 5;
  public static final int FATTR_FH = 1 << 6;
  public static final int FATTR_ATIME_NOW = 1 << 7;
  public static final int FATTR_MTIME_NOW = 1 << 8;
  public static final int FATTR_LOCKOWNER = 1 << 9;
  public static final int FATTR_CTIME = 1 << 10;
  public static final int FATTR_KILL_SUIDGID = 1 << 11;

  public static final int RELEASE_FLUSH = 1 << 0;
  public static final int RELEASE_FLOCK_UNLOCK = 1 << 1;
  public static final int GETATTR_FH = 1 << 0;
  public static final int WRITE_CACHE = 1 << 0;
  public static final int WRITE_LOCKOWNER = 1 << 1;
  public static final int WRITE_KILL_SUIDGID = 1 << 2;
  public static final int FSYNC_FDATASYNC = 1 << 0;
  public static final int OPEN_KILL_SUIDGID = 1 << 0;
  /** fuse_notify_inval_entry_out.flags: only expire the entry, keep it in the tree (7.38). */
  public static final int EXPIRE_ONLY = 1 << 0;

  // enum fuse_notify_code: the error field of an unsolicited message (unique 0)
  public static final int NOTIFY_INVAL_INODE = 2;
  public static final int NOTIFY_INVAL_ENTRY = 3;
  public static final int NOTIFY_DELETE = 6;

  // Device ioctls: _IOR/_IOW(FUSE_DEV_IOC_MAGIC=229, nr, type)
  /** FUSE_DEV_IOC_CLONE: attach a new /dev/fuse descriptor to the session of the uint32 fd given. */
  public static final int DEV_IOC_CLONE = 0x8004e500;
  /** FUSE_DEV_IOC_BACKING_OPEN: register struct fuse_backing_map's fd, returns the backing id. */
  public static final int DEV_IOC_BACKING_OPEN = 0x4010e501;
  /** FUSE_DEV_IOC_BACKING_CLOSE: drop a backing id (uint32). */
  public static final int DEV_IOC_BACKING_CLOSE = 0x4004e502;

  /** Most filesystems stack at most this deep (FILESYSTEM_MAX_STACK_DEPTH). */
  public static final int FILESYSTEM_MAX_STACK_DEPTH = 2;
}
