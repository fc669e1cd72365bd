package org.unionfsjava.fs.fuse3;

/**
 * Byte offsets and slots in libfuse 3.14's low-level structures on x86_64 (LP64). Each number was
 * printed by a C program compiled against /usr/include/fuse3 with FUSE_USE_VERSION 314
 * (src/test/c/fuse3-lowlevel-offsets.c in this module: {@code gcc $(pkg-config --cflags fuse3)},
 * needs libfuse3-dev). The structures only grow at their end across libfuse 3 releases. Other
 * architectures are not supported ({@code FuseLibrary} selects libfuse2 there).
 */
final class Fuse3Abi {
  private Fuse3Abi() {}

  // struct fuse_lowlevel_ops: 44 function pointers (352 bytes), slot = offset / 8
  static final int LL_OPS_SIZE = 352;
  static final int LL_INIT = 0;
  static final int LL_DESTROY = 1;
  static final int LL_LOOKUP = 2;
  static final int LL_FORGET = 3;
  static final int LL_GETATTR = 4;
  static final int LL_SETATTR = 5;
  static final int LL_READLINK = 6;
  static final int LL_MKNOD = 7;
  static final int LL_MKDIR = 8;
  static final int LL_UNLINK = 9;
  static final int LL_RMDIR = 10;
  static final int LL_SYMLINK = 11;
  static final int LL_RENAME = 12;
  static final int LL_LINK = 13;
  static final int LL_OPEN = 14;
  static final int LL_READ = 15;
  static final int LL_WRITE = 16;
  static final int LL_RELEASE = 18;
  static final int LL_FSYNC = 19;
  static final int LL_OPENDIR = 20;
  static final int LL_READDIR = 21;
  static final int LL_RELEASEDIR = 22;
  static final int LL_STATFS = 24;
  static final int LL_SETXATTR = 25;
  static final int LL_GETXATTR = 26;
  static final int LL_LISTXATTR = 27;
  static final int LL_REMOVEXATTR = 28;
  static final int LL_ACCESS = 29;
  static final int LL_CREATE = 30;
  static final int LL_FORGET_MULTI = 38;
  static final int LL_FALLOCATE = 40;
  static final int LL_READDIRPLUS = 41;

  // struct fuse_entry_param (176 bytes)
  static final int ENTRY_SIZE = 176;
  static final int ENTRY_INO = 0;
  static final int ENTRY_GENERATION = 8;
  static final int ENTRY_ATTR = 16;
  static final int ENTRY_ATTR_TIMEOUT = 160;
  static final int ENTRY_TIMEOUT = 168;

  // struct fuse_ctx (16 bytes)
  static final int CTX_UID = 0;
  static final int CTX_GID = 4;

  // struct fuse_args (24 bytes): int argc; char **argv; int allocated
  static final int ARGS_SIZE = 24;
  static final int ARGS_ARGC = 0;
  static final int ARGS_ARGV = 8;
  static final int ARGS_ALLOCATED = 16;

  // struct fuse_forget_data (16 bytes)
  static final int FORGET_SIZE = 16;
  static final int FORGET_INO = 0;
  static final int FORGET_NLOOKUP = 8;

  // struct fuse_file_info (40 bytes): int flags; a word of bit-fields; uint64_t fh at 16
  static final int FI_FLAGS = 0;
  static final int FI_BITS = 4;
  static final int FI_FH = 16;
  static final int FI_KEEP_CACHE = 1 << 2;
  static final int FI_CACHE_READDIR = 1 << 6;

  // struct fuse_conn_info (128 bytes)
  static final int CONN_CAPABLE = 20;
  static final int CONN_WANT = 24;

  // struct fuse_bufvec with one struct fuse_buf (x86_64): count, idx, off, then the buffer's
  // size, flags (enum, padded), mem, fd (padded), pos.
  static final int BUFVEC_SIZE = 64;
  static final int BUFVEC_COUNT = 0;
  static final int BUFVEC_IDX = 8;
  static final int BUFVEC_OFF = 16;
  static final int BUF_SIZE = 24;
  static final int BUF_FLAGS = 32;
  static final int BUF_MEM = 40;
  static final int BUF_FD = 48;
  static final int BUF_POS = 56;
  /** enum fuse_buf_flags: the buffer is a descriptor, read at {@code pos}. */
  static final int FUSE_BUF_IS_FD = 1 << 1;
  static final int FUSE_BUF_FD_SEEK = 1 << 2;
  /** enum fuse_buf_copy_flags: move pages into the kernel's buffer where it can. */
  static final int FUSE_BUF_SPLICE_MOVE = 1 << 3;

  // struct stat (144 bytes): the fields a setattr reads
  static final int ST_INO = 8;
  static final int ST_MODE = 24;
  static final int ST_UID = 28;
  static final int ST_GID = 32;
  static final int ST_SIZE = 48;
  static final int ST_ATIME = 72;
  static final int ST_MTIME = 88;

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
}
