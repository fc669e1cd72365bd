package org.unionfsjava.fs.fuse3;

/**
 * Byte offsets in libfuse 3.14's structures on x86_64 (LP64). Each number was printed by a C
 * program compiled against /usr/include/fuse3 with FUSE_USE_VERSION 314
 * (src/test/c/fuse3-offsets.c in this module: {@code gcc $(pkg-config --cflags fuse3)}, needs
 * libfuse3-dev). Other architectures are not supported by this prototype.
 */
final class Fuse3Abi {
  private Fuse3Abi() {}

  // struct fuse_operations: 42 function pointers (336 bytes), slot = offset / 8
  static final int OPS_SIZE = 336;
  static final int OP_GETATTR = 0;
  static final int OP_READLINK = 1;
  static final int OP_MKNOD = 2;
  static final int OP_MKDIR = 3;
  static final int OP_UNLINK = 4;
  static final int OP_RMDIR = 5;
  static final int OP_SYMLINK = 6;
  static final int OP_RENAME = 7;
  static final int OP_LINK = 8;
  static final int OP_CHMOD = 9;
  static final int OP_CHOWN = 10;
  static final int OP_TRUNCATE = 11;
  static final int OP_OPEN = 12;
  static final int OP_READ = 13;
  static final int OP_WRITE = 14;
  static final int OP_STATFS = 15;
  static final int OP_FLUSH = 16;
  static final int OP_RELEASE = 17;
  static final int OP_FSYNC = 18;
  static final int OP_SETXATTR = 19;
  static final int OP_GETXATTR = 20;
  static final int OP_LISTXATTR = 21;
  static final int OP_REMOVEXATTR = 22;
  static final int OP_OPENDIR = 23;
  static final int OP_READDIR = 24;
  static final int OP_RELEASEDIR = 25;
  static final int OP_FSYNCDIR = 26;
  static final int OP_INIT = 27;
  static final int OP_DESTROY = 28;
  static final int OP_ACCESS = 29;
  static final int OP_CREATE = 30;
  static final int OP_LOCK = 31;
  static final int OP_UTIMENS = 32;
  static final int OP_FALLOCATE = 39;
  static final int OP_LSEEK = 41;

  // struct fuse_file_info (40 bytes): int flags; a word of bit-fields; uint64_t fh at 16
  static final int FI_FLAGS = 0;
  static final int FI_BITS = 4;
  static final int FI_FH = 16;
  static final int FI_DIRECT_IO = 1 << 1;
  static final int FI_KEEP_CACHE = 1 << 2;
  static final int FI_CACHE_READDIR = 1 << 6;
  static final int FI_NOFLUSH = 1 << 7;

  // struct fuse_config (128 bytes)
  static final int CFG_ENTRY_TIMEOUT = 24;
  static final int CFG_NEGATIVE_TIMEOUT = 32;
  static final int CFG_ATTR_TIMEOUT = 40;
  static final int CFG_HARD_REMOVE = 60;
  static final int CFG_USE_INO = 64;
  static final int CFG_READDIR_INO = 68;
  static final int CFG_KERNEL_CACHE = 76;
  static final int CFG_AUTO_CACHE = 80;
  static final int CFG_NULLPATH_OK = 104;

  // struct fuse_lowlevel_ops: opendir is slot 20 (offsetof / 8, printed by fuse3-offsets.c)
  static final int LL_OPENDIR = 20;
  // struct fuse_session of 3.14 (lib/fuse_i.h, private): char *mountpoint at 0, the lowlevel ops
  // table at 40 (after exited, fd, io, mo, debug, deny_others)
  static final int SE_MOUNTPOINT = 0;
  static final int SE_OPS = 40;

  // struct fuse_conn_info (128 bytes)
  static final int CONN_MAX_WRITE = 8;
  static final int CONN_CAPABLE = 20;
  static final int CONN_WANT = 24;

  // struct fuse_context
  static final int CTX_FUSE = 0;
  static final int CTX_UID = 8;
  static final int CTX_GID = 12;

  // struct statvfs (112 bytes)
  static final int STATVFS_SIZE = 112;
  static final int SV_BSIZE = 0;
  static final int SV_FRSIZE = 8;
  static final int SV_BLOCKS = 16;
  static final int SV_BFREE = 24;
  static final int SV_BAVAIL = 32;
  static final int SV_FILES = 40;
  static final int SV_FFREE = 48;
  static final int SV_FAVAIL = 56;
  static final int SV_NAMEMAX = 80;

  // fuse_common.h capability bits (conn->capable / conn->want)
  static final int CAP_HANDLE_KILLPRIV = 1 << 20;
  static final int CAP_POSIX_ACL = 1 << 19;
  static final int CAP_READDIRPLUS = 1 << 13;
  static final int CAP_READDIRPLUS_AUTO = 1 << 14;
  static final int CAP_PARALLEL_DIROPS = 1 << 18;

  // fuse.h: enum fuse_readdir_flags / fuse_fill_dir_flags
  static final int READDIR_PLUS = 1;
  static final int FILL_DIR_PLUS = 1 << 1;

  // linux/fs.h: renameat2 flags
  static final int RENAME_NOREPLACE = 1;
  static final int RENAME_EXCHANGE = 2;
}
